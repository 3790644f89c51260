// assignmentStatus() and inAudience() in SQL, so that queries over many rows follow the same
// rules as status.ts and rules.ts without loading the rows. `a` is an assignments row and `u` a
// users row in the caller's query.
import { sql, type RawBuilder } from "kysely";
import type { CourseMeta } from "../courses/schema";
import { audienceRule } from "./rules";
import type { AssignmentStatus } from "./status";

/** For each status, what the expression gives (a number, or SQL for a finer split). */
export type StatusValues = Record<AssignmentStatus, number | RawBuilder<number>>;

/** The status of `a` at `asOfIso` in status.ts's precedence (cancelled, exempt, completed,
 * overdue, in progress, not started), mapped through `values`. */
export function statusCase(asOfIso: string, given: StatusValues): RawBuilder<number> {
  // Numbers are written into the SQL (not bound), so PostgreSQL knows the case's type.
  const values = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, typeof v === "number" ? sql.lit(v) : v])) as Record<AssignmentStatus, RawBuilder<number>>;
  return sql<number>`case
    when a.cancelled_at is not null then ${values.cancelled}
    when a.exempted_at is not null then ${values.exempt}
    when a.completed_at is not null then ${values.completed}
    when a.due_at < ${asOfIso} then ${values.overdue}
    when exists (select 1 from module_progress p where p.assignment_id = a.id) then ${values.in_progress}
    else ${values.not_started} end`;
}

/** inAudience() for the person `u`: the people a course with this audience is for. */
export function audienceWhere(audience: CourseMeta["audience"]): RawBuilder<boolean> {
  const rule = audienceRule(audience);
  if (rule.managersOnly) return sql<boolean>`exists (select 1 from users r where r.manager_id = u.id and r.status <> 'inactive')`;
  if (rule.type) return sql<boolean>`u.type = ${rule.type}`;
  return sql<boolean>`1 = 1`;
}
