// Which course and assignment a request is about, checked against who is asking. An employee
// only ever reaches their own assignment; an HR admin without one gets a read-only preview.
import type { AppContext, Viewer } from "../http/context";
import type { Assignment } from "../../db/schema";
import type { Course } from "../courses/catalog.server";
import { notFound, requireViewer } from "../http/guards.server";
import { findCurrentAssignment } from "../assignments/assignments.server";
import { LearningError } from "./progress.server";

export interface CourseAccess {
  viewer: Viewer;
  course: Course;
  assignment: Assignment | null;
  /** True for an HR preview: nothing is recorded. */
  preview: boolean;
}

export async function courseAccess(request: Request, context: AppContext, courseId: string | undefined): Promise<CourseAccess> {
  const viewer = requireViewer(request, context);
  const course = courseId ? context.catalog.courses.get(courseId) : undefined;
  if (!course) throw notFound("There is no such course.");
  const assignment = await findCurrentAssignment(context.db, { userId: viewer.id, courseId: course.id });
  if (!assignment) {
    if (viewer.is_hr) return { viewer, course, assignment: null, preview: true };
    throw notFound("This course is not assigned to you.");
  }
  return { viewer, course, assignment, preview: false };
}

/** For actions: the assignment must exist and belong to the viewer. */
export async function requireAssignment(request: Request, context: AppContext, courseId: string | undefined) {
  const access = await courseAccess(request, context, courseId);
  if (!access.assignment) throw new Response("Previews do not record anything.", { status: 409 });
  return access as CourseAccess & { assignment: Assignment };
}

/** Turns domain refusals into HTTP answers. */
export function asResponse(e: unknown): never {
  if (e instanceof LearningError) throw new Response(e.message, { status: e.status });
  throw e;
}
