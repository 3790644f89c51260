// A person's whole record, for HR: who they are, every assignment across cycles, every quiz
// attempt (scores, never the answers), every signature with its receipt, every message sent to
// them, and every recorded change to their profile and their assignments. Only HR reads it: the
// viewer check is part of the query, so anyone else gets nothing.
import { actionLabel, describeData, mentionedPeople } from "../audit/describe";
import type { Kysely } from "kysely";
import type { AssignmentReason, DB, NotificationKind, NotificationStatus, UserStatus, UserType } from "../../db/schema";
import { assignmentStatus, completedOnTime, type AssignmentStatus } from "../assignments/status";
import { recordedTitle } from "../courses/titles.server";

export const NOTIFICATION_LIMIT = 200;
export const AUDIT_LIMIT = 200;

export interface PersonRecord {
  person: {
    id: string;
    name: string;
    email: string;
    employeeId: string | null;
    department: string | null;
    title: string | null;
    type: UserType;
    status: UserStatus;
    isHr: boolean;
    startDate: string;
    endDate: string | null;
    manager: { id: string; name: string } | null;
    directReports: number;
  };
  assignments: Array<{
    id: string;
    courseId: string;
    recordedTitle: string | null;
    cycle: string;
    reason: AssignmentReason;
    assignedAt: string;
    dueAt: string;
    completedAt: string | null;
    exemptedAt: string | null;
    cancelledAt: string | null;
    expiresAt: string | null;
    note: string | null;
    status: AssignmentStatus;
    onTime: boolean | null;
    /** Open (not completed, exempt or cancelled): HR may extend or exempt it. */
    open: boolean;
    /** The course content version it is on, or was completed on (decision 024). */
    contentHash: string | null;
    /** Each finished module with the content version it was finished on. */
    modules: Array<{ module: string; contentHash: string; completedAt: string }>;
  }>;
  attempts: Array<{
    id: string;
    assignmentId: string;
    courseId: string;
    cycle: string | null;
    score: number;
    passingScore: number;
    passed: boolean;
    correct: number;
    questions: number;
    submittedAt: string;
    contentHash: string;
  }>;
  attestations: Array<{
    id: string;
    code: string;
    assignmentId: string;
    policyId: string;
    policyTitle: string;
    policyVersion: number;
    printedName: string;
    signedAt: string;
    expiresAt: string | null;
    recordedByName: string | null;
    onBehalfReason: string | null;
    outcome: "signed" | "declined";
    declineReason: string | null;
    paperSignedOn: string | null;
    hasScan: boolean;
  }>;
  notifications: Array<{
    id: string;
    kind: NotificationKind;
    why: string;
    subject: string;
    toEmail: string;
    status: NotificationStatus;
    createdAt: string;
    sentAt: string | null;
  }>;
  notificationCount: number;
  /** Audit entries whose subject is this person (sign-ins left out: they change nothing). */
  profileChanges: AuditLine[];
  /** Audit entries whose subject is one of their assignments (issued, extended, exempted, …). */
  assignmentEvents: AuditLine[];
}

export interface AuditLine {
  seq: number;
  at: string;
  action: string;
  actorName: string | null;
  actorId: string | null;
  subjectId: string | null;
  data: Record<string, unknown>;
  /** The action and its data in words (people's names instead of their ids). */
  label: string;
  details: string[];
}

function parseData(json: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(json);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { raw: json };
  }
}

/** The record of `id` as HR sees it; null when the viewer is not HR or there is no such person. */
export async function getPersonRecord(db: Kysely<DB>, { id, viewer, now }: { id: string; viewer: { id: string; is_hr: number }; now: Date }): Promise<PersonRecord | null> {
  if (viewer.is_hr !== 1) return null;
  const person = await personRow(db, id);
  if (!person) return null;

  const [assignments, attempts, attestations, notifications, notificationCount, profileChanges, modules] = await Promise.all([
    personAssignments(db, id),
    personAttempts(db, id),
    personAttestations(db, id),
    personNotifications(db, id),
    db.selectFrom("notifications").select((eb) => eb.fn.countAll<number>().as("n")).where("user_id", "=", id).executeTakeFirst(),
    auditLines(db, "user", [id], { skipSignIns: true }),
    personModules(db, id),
  ]);
  const assignmentEvents = assignments.length ? await auditLines(db, "assignment", assignments.map((a) => a.id)) : [];
  await describeLines(db, [...profileChanges, ...assignmentEvents]);

  return {
    person: personView(person),
    assignments: assignments.map(assignmentView(now, modules)),
    attempts: attempts.map(attemptView),
    attestations: attestations.map(attestationView),
    notifications: notifications.map(notificationView),
    notificationCount: Number(notificationCount?.n ?? 0),
    profileChanges,
    assignmentEvents,
  };
}

function personRow(db: Kysely<DB>, id: string) {
  return db
    .selectFrom("users as u")
    .leftJoin("users as m", "m.id", "u.manager_id")
    .select((eb) => [
      "u.id",
      "u.name",
      "u.email",
      "u.employee_id",
      "u.department",
      "u.title",
      "u.type",
      "u.status",
      "u.is_hr",
      "u.start_date",
      "u.end_date",
      "m.id as manager_id",
      "m.name as manager_name",
      eb.selectFrom("users as r").select((e) => e.fn.countAll<number>().as("n")).whereRef("r.manager_id", "=", "u.id").as("reports"),
    ])
    .where("u.id", "=", id)
    .executeTakeFirst();
}

function personAssignments(db: Kysely<DB>, id: string) {
  return db
    .selectFrom("assignments as a")
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
      "a.expires_at",
      "a.note",
      "a.content_hash",
      "a.completed_content_hash",
      eb.exists(eb.selectFrom("module_progress as p").select("p.module").whereRef("p.assignment_id", "=", "a.id")).as("started"),
      recordedTitle(eb),
    ])
    .where("a.user_id", "=", id)
    .orderBy("a.assigned_at", "desc")
    .orderBy("a.id", "desc")
    .execute();
}

function personAttempts(db: Kysely<DB>, id: string) {
  return db
    .selectFrom("quiz_attempts as q")
    .leftJoin("assignments as a", "a.id", "q.assignment_id")
    // Scores and results only: the answers given stay out of HR's view.
    .select(["q.id", "q.assignment_id", "q.course_id", "a.cycle", "q.score", "q.passing_score", "q.passed", "q.correct_count", "q.question_count", "q.submitted_at", "q.content_hash"])
    .where("q.user_id", "=", id)
    .orderBy("q.submitted_at", "desc")
    .execute();
}

function personAttestations(db: Kysely<DB>, id: string) {
  return db
    .selectFrom("attestations as t")
    .leftJoin("users as r", "r.id", "t.recorded_by")
    .select([
      "t.id",
      "t.verification_code",
      "t.assignment_id",
      "t.policy_id",
      "t.policy_title",
      "t.policy_version",
      "t.printed_name",
      "t.signed_at",
      "t.expires_at",
      "r.name as recorded_by_name",
      "t.on_behalf_reason",
      "t.outcome",
      "t.decline_reason",
      "t.paper_signed_on",
      "t.scan_sha256",
    ])
    .where("t.user_id", "=", id)
    .orderBy("t.signed_at", "desc")
    .execute();
}

function personNotifications(db: Kysely<DB>, id: string) {
  return db
    .selectFrom("notifications")
    .select(["id", "kind", "why", "subject", "to_email", "status", "created_at", "sent_at"])
    .where("user_id", "=", id)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(NOTIFICATION_LIMIT)
    .execute();
}

type PersonRow = NonNullable<Awaited<ReturnType<typeof personRow>>>;

function personView(person: PersonRow): PersonRecord["person"] {
  return {
    id: person.id,
    name: person.name,
    email: person.email,
    employeeId: person.employee_id,
    department: person.department,
    title: person.title,
    type: person.type,
    status: person.status,
    isHr: person.is_hr === 1,
    startDate: person.start_date,
    endDate: person.end_date,
    manager: person.manager_id ? { id: person.manager_id, name: person.manager_name ?? "" } : null,
    directReports: Number(person.reports ?? 0),
  };
}

/** Every finished module of the person's assignments, with the version it was finished on. */
function personModules(db: Kysely<DB>, id: string) {
  return db
    .selectFrom("module_progress as p")
    .innerJoin("assignments as a", "a.id", "p.assignment_id")
    .select(["p.assignment_id", "p.module", "p.content_hash", "p.completed_at"])
    .where("a.user_id", "=", id)
    .orderBy("p.completed_at")
    .orderBy("p.module")
    .execute();
}

function assignmentView(now: Date, modules: Awaited<ReturnType<typeof personModules>>) {
  return (a: Awaited<ReturnType<typeof personAssignments>>[number]): PersonRecord["assignments"][number] => {
    const status = assignmentStatus({ ...a, started: Boolean(a.started) }, now);
    return {
      id: a.id,
      courseId: a.course_id,
      recordedTitle: a.recorded_title ?? null,
      cycle: a.cycle,
      reason: a.reason,
      assignedAt: a.assigned_at,
      dueAt: a.due_at,
      completedAt: a.completed_at,
      exemptedAt: a.exempted_at,
      cancelledAt: a.cancelled_at,
      expiresAt: a.expires_at,
      note: a.note,
      status,
      onTime: completedOnTime(a),
      open: !a.completed_at && !a.exempted_at && !a.cancelled_at,
      contentHash: a.completed_content_hash ?? a.content_hash,
      modules: modules.filter((m) => m.assignment_id === a.id).map((m) => ({ module: m.module, contentHash: m.content_hash, completedAt: m.completed_at })),
    };
  };
}

function attemptView(q: Awaited<ReturnType<typeof personAttempts>>[number]): PersonRecord["attempts"][number] {
  return {
    id: q.id,
    assignmentId: q.assignment_id,
    courseId: q.course_id,
    cycle: q.cycle ?? null,
    score: Number(q.score),
    passingScore: Number(q.passing_score),
    passed: Number(q.passed) === 1,
    correct: Number(q.correct_count),
    questions: Number(q.question_count),
    submittedAt: q.submitted_at,
    contentHash: q.content_hash,
  };
}

function attestationView(t: Awaited<ReturnType<typeof personAttestations>>[number]): PersonRecord["attestations"][number] {
  return {
    id: t.id,
    code: t.verification_code,
    assignmentId: t.assignment_id,
    policyId: t.policy_id,
    policyTitle: t.policy_title,
    policyVersion: Number(t.policy_version),
    printedName: t.printed_name,
    signedAt: t.signed_at,
    expiresAt: t.expires_at,
    recordedByName: t.recorded_by_name ?? null,
    onBehalfReason: t.on_behalf_reason,
    outcome: t.outcome,
    declineReason: t.decline_reason,
    paperSignedOn: t.paper_signed_on,
    hasScan: t.scan_sha256 !== null,
  };
}

function notificationView(n: Awaited<ReturnType<typeof personNotifications>>[number]): PersonRecord["notifications"][number] {
  return {
    id: n.id,
    kind: n.kind,
    why: n.why,
    subject: n.subject,
    toEmail: n.to_email,
    status: n.status,
    createdAt: n.created_at,
    sentAt: n.sent_at,
  };
}

/** Fills in each line's words, looking up in one query the people the entries name by id. */
async function describeLines(db: Kysely<DB>, lines: AuditLine[]) {
  const ids = new Set<string>();
  for (const l of lines) mentionedPeople(l.data, ids);
  const names = new Map<string, string>();
  const list = [...ids];
  for (let i = 0; i < list.length; i += 500) {
    for (const u of await db.selectFrom("users").select(["id", "name"]).where("id", "in", list.slice(i, i + 500)).execute()) names.set(u.id, u.name);
  }
  for (const l of lines) {
    l.label = actionLabel(l.action);
    l.details = describeData(l.data, names);
  }
}

async function auditLines(db: Kysely<DB>, subjectType: "user" | "assignment", subjectIds: string[], { skipSignIns = false } = {}): Promise<AuditLine[]> {
  const out: AuditLine[] = [];
  // In slices, so a person with a long history stays well inside the bound-parameter limits.
  for (let i = 0; i < subjectIds.length; i += 500) {
    const rows = await db
      .selectFrom("audit_log as l")
      .leftJoin("users as actor", "actor.id", "l.actor_id")
      .select(["l.seq", "l.at", "l.action", "l.actor_id", "actor.name as actor_name", "l.subject_id", "l.data_json"])
      .where("l.subject_type", "=", subjectType)
      .where("l.subject_id", "in", subjectIds.slice(i, i + 500))
      // Signing in is recorded against the person too, but it changes nothing about them.
      .$if(skipSignIns, (q) => q.where("l.action", "not like", "auth.%"))
      .orderBy("l.seq", "desc")
      .limit(AUDIT_LIMIT)
      .execute();
    for (const r of rows) {
      out.push({ seq: Number(r.seq), at: r.at, action: r.action, actorId: r.actor_id, actorName: r.actor_name ?? null, subjectId: r.subject_id, data: parseData(r.data_json), label: r.action, details: [] });
    }
  }
  return out.sort((a, b) => b.seq - a.seq).slice(0, AUDIT_LIMIT);
}
