// The learner's course pages: the viewer must be signed in and the course theirs (or, for HR, a
// preview). Domain refusals become HTTP answers here.
import type { Assignment } from "../../db/schema";
import type { AppContext } from "./context";
import { notFound, requireViewer } from "./guards.server";
import { findCourseAccess, type CourseAccess } from "../learning/access.server";
import { LearningError } from "../learning/progress.server";
import { CONSENT_POLICY_ID } from "../attestations/consent.server";

/** The agreement a course asks to sign, and the consent to electronic records before it. */
export function policiesFor(context: AppContext, course: { meta: { policy?: string } }) {
  const policy = course.meta.policy ? context.catalog.policies.get(course.meta.policy) : undefined;
  if (!policy) throw notFound("This course has no agreement to sign.");
  return { policy, consentPolicy: context.catalog.policies.get(CONSENT_POLICY_ID) ?? null };
}

export async function courseAccess(request: Request, context: AppContext, courseId: string | undefined): Promise<CourseAccess> {
  const viewer = requireViewer(request, context);
  const access = await findCourseAccess(context.db, context.catalog, viewer, courseId);
  if (access === "no_such_course") throw notFound("There is no such course.");
  if (access === "not_assigned") throw notFound("This course is not assigned to you.");
  return access;
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
