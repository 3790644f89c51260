// A course's title as people see it: the catalog's current title, else the title recorded when a
// version of the course was last seen (a course since removed from the catalog), else its id.
import type { ExpressionBuilder } from "kysely";
import type { DB } from "../../db/schema";
import type { Catalog } from "./catalog.server";

type WithAssignment = DB & { a: DB["assignments"] };

/** The latest recorded title of assignment `a`'s course, selected as `recorded_title`. The query
 * it goes into must name the assignments table `a`. */
export function recordedTitle<D extends WithAssignment, TB extends keyof D>(eb: ExpressionBuilder<D, TB>) {
  return (eb as unknown as ExpressionBuilder<WithAssignment, "a">)
    .selectFrom("course_versions as v")
    .select("v.title")
    .whereRef("v.course_id", "=", "a.course_id")
    .orderBy("v.recorded_at", "desc")
    .limit(1)
    .as("recorded_title");
}

/** The title to show for `courseId`: catalog, then the recorded title, then the id itself. */
export function courseTitle(catalog: Catalog, courseId: string, recorded?: string | null): string {
  return catalog.courses.get(courseId)?.meta.title ?? recorded ?? courseId;
}
