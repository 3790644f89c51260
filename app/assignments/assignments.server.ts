// Assignments: one person, one course, one cycle. Issuing is idempotent (unique per person,
// course and cycle), and every read is scoped to who is asking.
import { sql, type ExpressionBuilder, type Transaction } from "kysely";
import type { Db } from "../../db/connection";
import type { Assignment, AssignmentReason, DB } from "../../db/schema";
import { addDays, type Clock } from "../clock";
import { randomId } from "../ids.server";
import { appendAudit } from "../audit/audit.server";
import type { Catalog, Course } from "../courses/catalog.server";
import { courseTitle, recordedTitle } from "../courses/titles.server";
import type { SessionUser } from "../auth/session.server";
import { assignmentStatus, completedOnTime, type AssignmentStatus } from "./status";

/** For queries over people (`users as u`): those with no assignment in a course family yet. */
export function hasNoAssignmentIn(eb: ExpressionBuilder<DB & { u: DB["users"] }, "u">, family: string) {
  return eb.not(
    eb.exists(
      eb
        .selectFrom("assignments as a")
        .select("a.id")
        .whereRef("a.user_id", "=", "u.id")
        .where(sql`coalesce(a.family, a.course_id)`, "=", family),
    ),
  );
}

/** Remembers what the course looked like, so its history reads well after it changes. */
export async function recordCourseVersion(trx: Transaction<DB>, course: Course, at: Date) {
  await trx
    .insertInto("course_versions")
    .values({
      course_id: course.id,
      content_hash: course.contentHash,
      title: course.meta.title,
      metadata_json: JSON.stringify({ ...course.meta, modules: course.modules.map((m) => ({ slug: m.slug, title: m.title })) }),
      recorded_at: at.toISOString(),
    })
    .onConflict((oc) => oc.columns(["course_id", "content_hash"]).doNothing())
    .execute();
}

export interface IssueInput {
  userId: string;
  course: Course;
  cycle: string;
  reason: AssignmentReason;
  actorId: string | null;
  dueAt?: string;
  note?: string | null;
  /** The course family this cycle belongs to; by default the course itself. */
  family?: string;
}

/** Issues an assignment unless this person already has one for this course and cycle.
 * Returns the assignment id and whether it was new. */
export async function issueAssignment(trx: Transaction<DB>, input: IssueInput, clock: Clock) {
  const now = clock();
  const id = `asg_${randomId()}`;
  const dueAt = input.dueAt ?? addDays(now.toISOString(), input.course.meta.duePeriodDays);
  const inserted = await trx
    .insertInto("assignments")
    .values({
      id,
      user_id: input.userId,
      course_id: input.course.id,
      cycle: input.cycle,
      reason: input.reason,
      assigned_at: now.toISOString(),
      due_at: dueAt,
      completed_at: null,
      completed_content_hash: null,
      expires_at: null,
      exempted_at: null,
      cancelled_at: null,
      note: input.note ?? null,
      family: input.family ?? input.course.id,
    })
    .onConflict((oc) => oc.columns(["user_id", "course_id", "cycle"]).doNothing())
    .executeTakeFirst();
  const created = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  if (!created) {
    const existing = await trx
      .selectFrom("assignments")
      .select("id")
      .where("user_id", "=", input.userId)
      .where("course_id", "=", input.course.id)
      .where("cycle", "=", input.cycle)
      .executeTakeFirstOrThrow();
    return { id: existing.id, created: false };
  }
  await recordCourseVersion(trx, input.course, now);
  await appendAudit(
    trx,
    {
      actorId: input.actorId,
      action: "assignment.issued",
      subjectType: "assignment",
      subjectId: id,
      data: { userId: input.userId, courseId: input.course.id, cycle: input.cycle, reason: input.reason, dueAt },
    },
    now,
  );
  return { id, created: true };
}

export interface AssignmentSummary {
  id: string;
  courseId: string;
  courseTitle: string;
  courseSummary: string | null;
  available: boolean;
  cycle: string;
  reason: AssignmentReason;
  assignedAt: string;
  dueAt: string;
  completedAt: string | null;
  onTime: boolean | null;
  status: AssignmentStatus;
  modulesDone: number;
  modulesTotal: number;
  receiptCode: string | null;
}

/** Everything assigned to the viewer, newest first, with progress. */
export async function listMyAssignments(
  db: Db,
  { viewer, catalog }: { viewer: Pick<SessionUser, "id">; catalog: Catalog },
  clock: Clock,
): Promise<AssignmentSummary[]> {
  const rows = await db
    .selectFrom("assignments as a")
    .leftJoin("attestations as t", "t.assignment_id", "a.id")
    .select((eb) => [
      "a.id",
      "a.course_id",
      "a.cycle",
      "a.reason",
      "a.assigned_at",
      "a.due_at",
      "a.completed_at",
      "a.exempted_at",
      "a.cancelled_at",
      "t.verification_code",
      eb
        .selectFrom("module_progress as p")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("p.assignment_id", "=", "a.id")
        .as("modules_done"),
      recordedTitle(eb),
    ])
    .where("a.user_id", "=", viewer.id)
    .orderBy("a.assigned_at", "desc")
    .execute();
  const now = clock();
  return rows.map((r) => {
    const course = catalog.courses.get(r.course_id);
    const modulesDone = Number(r.modules_done ?? 0);
    return {
      id: r.id,
      courseId: r.course_id,
      courseTitle: courseTitle(catalog, r.course_id, r.recorded_title),
      courseSummary: course?.meta.summary ?? null,
      available: Boolean(course),
      cycle: r.cycle,
      reason: r.reason,
      assignedAt: r.assigned_at,
      dueAt: r.due_at,
      completedAt: r.completed_at,
      onTime: completedOnTime(r),
      status: assignmentStatus({ ...r, started: modulesDone > 0 }, now),
      modulesDone,
      modulesTotal: course?.modules.length ?? 0,
      receiptCode: r.verification_code ?? null,
    };
  });
}

/** The assignment a person is working on for a course: the open one if any, else the most
 * recently completed. Scoped to the person, so nobody reaches someone else's. */
export async function findCurrentAssignment(
  db: Db,
  { userId, courseId }: { userId: string; courseId: string },
): Promise<Assignment | null> {
  const rows = await db
    .selectFrom("assignments")
    .selectAll()
    .where("user_id", "=", userId)
    .where("course_id", "=", courseId)
    .where("cancelled_at", "is", null)
    .where("exempted_at", "is", null)
    .orderBy("assigned_at", "desc")
    .execute();
  return rows.find((r) => !r.completed_at) ?? rows[0] ?? null;
}
