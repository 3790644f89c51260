// Assignments: one person, one course, one cycle. Issuing is idempotent (unique per person,
// course and cycle), and every read is scoped to who is asking. This is the only module that
// writes `assignments`: each change is a named transition below (issue, issue in bulk, renew,
// cancel, extend, exempt, complete, shift due dates), called with the caller's transaction.
import { sql, type ExpressionBuilder, type Transaction } from "kysely";
import type { Db } from "../../db/connection";
import type { Assignment, AssignmentReason, DB } from "../../db/schema";
import { addDays, type Clock } from "../clock";
import { randomSuffixSql, timeOrderedId, timeOrderedPrefix } from "../ids.server";
import { dialectOf } from "../../db/connection";
import { appendAudit } from "../audit/audit.server";
import { exemptionHash, extensionHash } from "../audit/rows.server";
import type { Catalog, Course } from "../courses/catalog.server";
import { recordCourseVersion } from "../courses/versions.server";
import { courseTitle, recordedTitle } from "../courses/titles.server";
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
  const id = `asg_${timeOrderedId()}`;
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
      content_hash: input.course.contentHash,
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

// --- transitions: every change to an assignment is one of these -------------------------------

export interface NewAssignment {
  userId: string;
  course: Course;
  family: string;
  cycle: string;
  reason: AssignmentReason;
  dueAt: string;
  previousExpiresAt?: string | null;
}

/** Issues a batch (the scheduler's), once per person, course and cycle. Returns the rows that
 * were new, with their ids; one audit entry lists them. */
export async function issueAssignments<T extends NewAssignment>(
  trx: Transaction<DB>,
  rows: T[],
  { now, actorId }: { now: Date; actorId: string | null },
): Promise<Array<T & { id: string }>> {
  if (rows.length === 0) return [];
  const at = now.toISOString();
  const withIds = rows.map((r) => ({ ...r, id: `asg_${timeOrderedId()}` }));
  const inserted = await trx
    .insertInto("assignments")
    .values(
      withIds.map((r) => ({
        id: r.id,
        user_id: r.userId,
        course_id: r.course.id,
        family: r.family,
        cycle: r.cycle,
        reason: r.reason,
        assigned_at: at,
        due_at: r.dueAt,
        previous_expires_at: r.previousExpiresAt ?? null,
        content_hash: r.course.contentHash,
      })),
    )
    .onConflict((oc) => oc.columns(["user_id", "course_id", "cycle"]).doNothing())
    .returning("id")
    .execute();
  const created = new Set(inserted.map((r) => r.id));
  const issued = withIds.filter((r) => created.has(r.id));
  for (const course of new Set(issued.map((r) => r.course))) await recordCourseVersion(trx, course, now);
  if (issued.length > 0) {
    await appendAudit(
      trx,
      {
        actorId,
        action: "scheduler.assignments_issued",
        subjectType: "course",
        subjectId: issued[0].course.id,
        // The assignment rows say who, what and which cycle; the entry lists which were issued.
        data: { reason: issued[0].reason, count: issued.length, assignments: issued.map((r) => r.id) },
      },
      now,
    );
  }
  return issued;
}

/** At the upgrade that adds publishing: open assignments recorded without a content version are
 * on the content live at that moment. */
export async function pinContentVersion(trx: Transaction<DB>, { courseId, contentHash }: { courseId: string; contentHash: string }): Promise<number> {
  const r = await trx.updateTable("assignments").set({ content_hash: contentHash }).where("course_id", "=", courseId).where("content_hash", "is", null).where("completed_at", "is", null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** A publication moves open assignments to its content version; `since` (a restart) says from
 * when their scenario choices count, so unfinished modules start again. */
export async function moveToContentVersion(trx: Transaction<DB>, { ids, contentHash, since }: { ids: string[]; contentHash: string; since: string | null }): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    await trx
      .updateTable("assignments")
      .set({ content_hash: contentHash, content_since: since })
      .where("id", "in", ids.slice(i, i + 500))
      .where("completed_at", "is", null)
      .execute();
  }
}

/** The completed cycles of one course whose renewal window has opened (`a`), as the partial
 * index assignments_renewal_due (migration 0015) holds them. */
function dueForRenewal(courseId: string, cutoff: string) {
  return sql<boolean>`a.course_id = ${courseId} and a.renewal_issued_at is null and a.completed_at is not null
    and a.cancelled_at is null and a.expires_at is not null and a.expires_at <= ${cutoff}`;
}

const renewalCycle = (expiresAt: string) => sql<string>`('renewal-' || substr(${sql.ref(expiresAt)}, 1, 10))`;

export interface RenewalBatch {
  /** The course whose completions expire, and the one that renews them (often the same). */
  courseId: string;
  renewWith: Course;
  /** Cycles expiring by then are due. */
  cutoff: string;
  limit: number;
}

/**
 * Issues the renewals of up to `limit` due cycles of a course in one INSERT … SELECT: for each
 * active person's completed cycle expiring by the cutoff, the `renewal-<expiry>` cycle of
 * `renewWith`, due at the expiry (never less than a week away, as renewalDueAt() says), then
 * marks the renewed cycles in one UPDATE driven by the new rows (a CROSS JOIN, so that SQLite walks
 * the new rows and finds each renewed cycle by the unique key). A cycle whose renewal the unique
 * (person, course, cycle) key already holds is not selected. Every new id begins with the
 * returned `prefix`, so the caller can queue their mails and audit them by that range.
 */
export async function issueDueRenewals(trx: Transaction<DB>, b: RenewalBatch, now: Date): Promise<{ prefix: string; issued: number }> {
  const at = now.toISOString();
  const prefix = `asg_${timeOrderedPrefix()}`;
  const weekOn = addDays(at, 7);
  const inserted = await sql`insert into assignments (id, user_id, course_id, family, cycle, reason, assigned_at, due_at, previous_expires_at)
    select ${prefix} || ${randomSuffixSql(dialectOf(trx))}, a.user_id, ${b.renewWith.id}, coalesce(a.family, ${b.courseId}), ${renewalCycle("a.expires_at")},
      'annual', ${at}, case when a.expires_at > ${weekOn} then a.expires_at else ${weekOn} end, a.expires_at
    from assignments a join users u on u.id = a.user_id
    where ${dueForRenewal(b.courseId, b.cutoff)} and u.status = 'active'
      and not exists (select 1 from assignments r where r.user_id = a.user_id and r.course_id = ${b.renewWith.id} and r.cycle = ${renewalCycle("a.expires_at")})
    limit ${b.limit}
    on conflict (user_id, course_id, cycle) do nothing`.execute(trx);
  const issued = Number(inserted.numAffectedRows ?? 0n);
  if (issued === 0) return { prefix, issued };
  await sql`update assignments set renewal_issued_at = ${at}
    where id in (select a.id from assignments n cross join assignments a
      where n.id >= ${prefix} and n.id < ${`${prefix}~`} and a.user_id = n.user_id and a.course_id = ${b.courseId}
        and a.expires_at = n.previous_expires_at and a.renewal_issued_at is null)`.execute(trx);
  await recordCourseVersion(trx, b.renewWith, now);
  return { prefix, issued };
}

/** The rows one set-based statement issued: ids beginning with its prefix. */
export function issuedWithPrefix(trx: Transaction<DB>, prefix: string) {
  return trx.selectFrom("assignments").select(["id", "user_id", "cycle", "due_at"]).where("id", ">=", prefix).where("id", "<", `${prefix}~`).orderBy("id").execute();
}

/** Marks as renewed the due cycles whose renewal exists already (issued by another course of the
 * family, or by HR), so the next run does not consider them again. Returns how many. */
export async function markRenewalsAlreadyIssued(trx: Transaction<DB>, b: Omit<RenewalBatch, "limit">, now: Date): Promise<number> {
  const updated = await sql`update assignments set renewal_issued_at = ${now.toISOString()}
    where id in (select a.id from assignments a where ${dueForRenewal(b.courseId, b.cutoff)}
      and exists (select 1 from assignments r where r.user_id = a.user_id and r.course_id = ${b.renewWith.id} and r.cycle = ${renewalCycle("a.expires_at")}))`.execute(trx);
  return Number(updated.numAffectedRows ?? 0n);
}

/** Ends one assignment, with the reason as its note. */
export async function cancelAssignment(trx: Transaction<DB>, { id, note }: { id: string; note: string }, now: Date) {
  await trx.updateTable("assignments").set({ cancelled_at: now.toISOString(), note }).where("id", "=", id).execute();
}

/** Ends a person's open assignments (not those of the given courses). Returns how many. */
export async function cancelOpenAssignmentsOf(
  trx: Transaction<DB>,
  { userId, exceptCourses, note }: { userId: string; exceptCourses: string[]; note: string },
  now: Date,
): Promise<number> {
  let q = trx
    .updateTable("assignments")
    .set({ cancelled_at: now.toISOString(), note })
    .where("user_id", "=", userId)
    .where("completed_at", "is", null)
    .where("cancelled_at", "is", null)
    .where("exempted_at", "is", null);
  if (exceptCourses.length) q = q.where("course_id", "not in", exceptCourses);
  const cancelled = await q.executeTakeFirst();
  return Number(cancelled.numUpdatedRows);
}

/** Ends the open exit cycles (of the given leaving courses) whose last day is no longer the
 * person's end date: a withdrawn resignation or a moved last day. Returns how many. */
export async function cancelStaleLeavingCycles(trx: Transaction<DB>, { courses }: { courses: string[] }, now: Date): Promise<number> {
  const stale = await trx
    .updateTable("assignments")
    .set({ cancelled_at: now.toISOString(), note: "The person's last day changed" })
    .where("course_id", "in", courses)
    .where("completed_at", "is", null)
    .where("cancelled_at", "is", null)
    .where("exempted_at", "is", null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("users as u")
            .select("u.id")
            .whereRef("u.id", "=", "assignments.user_id")
            .where(sql`'leaving-' || u.end_date`, "=", eb.ref("assignments.cycle")),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(stale.numUpdatedRows);
}

/** Moves each assignment's due date on by a number of days (leave, a changed due period). */
export async function shiftDueDates(trx: Transaction<DB>, assignments: Array<{ id: string; due_at: string }>, days: number) {
  for (const a of assignments) {
    await trx.updateTable("assignments").set({ due_at: addDays(a.due_at, days) }).where("id", "=", a.id).execute();
  }
}

type AssignmentRef = Pick<Assignment, "id" | "user_id" | "course_id" | "cycle" | "due_at">;

/** Moves an open assignment's due date to `to`, unless it changed meanwhile. Audited. */
export async function extendAssignment(
  trx: Transaction<DB>,
  { assignment: a, to, reason, actorId }: { assignment: AssignmentRef; to: string; reason: string; actorId: string },
  now: Date,
): Promise<boolean> {
  const updated = await trx
    .updateTable("assignments")
    .set({ due_at: to })
    .where("id", "=", a.id)
    .where("due_at", "=", a.due_at)
    .where("completed_at", "is", null)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) return false;
  await appendAudit(
    trx,
    { actorId, action: "assignment.extended", subjectType: "assignment", subjectId: a.id, data: { userId: a.user_id, courseId: a.course_id, cycle: a.cycle, from: a.due_at, to, reason, rowSha256: extensionHash({ id: a.id, user_id: a.user_id, due_at: to }) } },
    now,
  );
  return true;
}

/** Exempts the person from an open assignment, unless it closed meanwhile. Audited. */
export async function exemptFromAssignment(
  trx: Transaction<DB>,
  { assignment: a, reason, actorId }: { assignment: AssignmentRef; reason: string; actorId: string },
  now: Date,
): Promise<boolean> {
  const updated = await trx
    .updateTable("assignments")
    .set({ exempted_at: now.toISOString(), note: `Exempt: ${reason}` })
    .where("id", "=", a.id)
    .where("completed_at", "is", null)
    .where("exempted_at", "is", null)
    .where("cancelled_at", "is", null)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) return false;
  await appendAudit(
    trx,
    { actorId, action: "assignment.exempted", subjectType: "assignment", subjectId: a.id, data: { userId: a.user_id, courseId: a.course_id, cycle: a.cycle, dueAt: a.due_at, reason, rowSha256: exemptionHash({ id: a.id, user_id: a.user_id, exempted_at: now.toISOString() }) } },
    now,
  );
  return true;
}

/** Records the completion of an open assignment (once) with the content it was completed on.
 * Audited. */
export async function completeAssignment(
  trx: Transaction<DB>,
  { assignment, course, expiresAt, actorId }: { assignment: AssignmentRef; course: Course; expiresAt: string | null; actorId: string },
  now: Date,
): Promise<boolean> {
  const completedAt = now.toISOString();
  const updated = await trx
    .updateTable("assignments")
    .set({ completed_at: completedAt, completed_content_hash: course.contentHash, expires_at: expiresAt })
    .where("id", "=", assignment.id)
    .where("completed_at", "is", null)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return false;
  await appendAudit(
    trx,
    {
      actorId,
      action: "assignment.completed",
      subjectType: "assignment",
      subjectId: assignment.id,
      data: { userId: assignment.user_id, courseId: course.id, cycle: assignment.cycle, contentHash: course.contentHash, onTime: completedAt <= assignment.due_at },
    },
    now,
  );
  return true;
}

// --- reading --------------------------------------------------------------------------------

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
  { viewer, catalog }: { viewer: { id: string }; catalog: Catalog },
  clock: Clock,
): Promise<AssignmentSummary[]> {
  const rows = await db
    .selectFrom("assignments as a")
    .leftJoin("attestations as t", (j) => j.onRef("t.assignment_id", "=", "a.id").on("t.outcome", "=", "signed"))
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
