// Which course and assignment a viewer is asking about. An employee only ever reaches their own
// assignment; an HR admin without one gets a read-only preview. Refusals are plain values that
// the HTTP layer (http/course-access.server.ts) turns into answers.
import type { Viewer } from "../auth/viewer";
import type { Db } from "../../db/connection";
import type { Assignment } from "../../db/schema";
import type { Catalog, Course } from "../courses/catalog.server";
import { findCurrentAssignment } from "../assignments/assignments.server";
import { courseForAssignment } from "../courses/live.server";

export interface CourseAccess {
  viewer: Viewer;
  course: Course;
  assignment: Assignment | null;
  /** True for an HR preview: nothing is recorded. */
  preview: boolean;
}

export type CourseRefusal = "no_such_course" | "not_assigned";

export async function findCourseAccess(
  db: Db,
  catalog: Catalog,
  viewer: Viewer,
  courseId: string | undefined,
): Promise<CourseAccess | CourseRefusal> {
  const live = courseId ? catalog.courses.get(courseId) : undefined;
  if (!live) return "no_such_course";
  const assignment = await findCurrentAssignment(db, { userId: viewer.id, courseId: live.id });
  if (!assignment) return viewer.is_hr ? { viewer, course: live, assignment: null, preview: true } : "not_assigned";
  // A learner stays on the content version their assignment is on (decision 024).
  const course = (await courseForAssignment(db, catalog, assignment)) ?? live;
  return { viewer, course, assignment, preview: false };
}
