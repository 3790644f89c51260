// The scheduler: issues onboarding, renewal, policy-change and leaving assignments, queues
// reminders, escalations and HR digests, and handles departures. Every step is idempotent
// (unique keys, conditional updates), so running twice, two instances at once, or a rerun after
// a crash yields each assignment and each notification once. Work is done in batches, each in
// its own short transaction; a dry run does everything in one transaction and rolls it back.
import { sql, type Kysely, type Transaction } from "kysely";
import { dialectOf, type Db } from "../../db/connection";
import type { AssignmentReason, DB, NotificationKind } from "../../db/schema";
import { addDays } from "../clock";
import { appendAudit, auditedTransaction } from "../audit/audit.server";
import type { Catalog, Course } from "../courses/catalog.server";
import { courseTitle } from "../courses/titles.server";
import type { ReminderRules } from "../config.server";
import {
  cancelOpenAssignmentsOf,
  cancelStaleLeavingCycles,
  hasNoAssignmentIn,
  issueAssignments,
  issueDueRenewals,
  issuedWithPrefix,
  markRenewalsAlreadyIssued,
  type RenewalBatch,
  type NewAssignment,
} from "../assignments/assignments.server";
import { digestPeriod, onboardingDueAt, reminderEvents } from "../assignments/rules";
import { audienceWhere } from "../assignments/status-sql.server";
import { deactivatePerson } from "../people/people.server";
import { enqueueAssignedMailsFor, enqueueNotification, enqueueNotifications } from "../notifications/outbox.server";
import { recordHash } from "../audit/rows.server";
import { assignedMail, escalationMail, hrDigestMail, reminderMail } from "../notifications/templates.server";

const BATCH = 2000;
/** Renewals a transaction: set-based, so a batch costs one statement whatever its size. */
const RENEWAL_BATCH = 10_000;

export interface SchedulerOptions {
  catalog: Catalog;
  now: Date;
  dryRun?: boolean;
  rules: ReminderRules;
  origin: string;
  actorId?: string | null;
  /** Dry run only: reads what the run wrote, in its transaction, before it is rolled back (the
   * publishing preview counts what a course's publication would issue and send this way). */
  beforeRollback?: (trx: Transaction<DB>) => Promise<void>;
}

export interface RunSummary {
  now: string;
  dryRun: boolean;
  issued: Record<AssignmentReason, number>;
  reminders: { reminder_before: number; due_today: number; overdue: number };
  escalations: number;
  hrDigests: number;
  expiries: number;
  departures: { deactivated: number; cancelled: number; leavingWithdrawn: number };
}

class DryRunRollback extends Error {}

/** How a step reads and writes: separate short transactions, or (dry run) one to roll back. */
interface Runner {
  read: Kysely<DB>;
  tx<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
}

export async function runScheduler(db: Db, opts: SchedulerOptions): Promise<RunSummary> {
  const summary: RunSummary = {
    now: opts.now.toISOString(),
    dryRun: Boolean(opts.dryRun),
    issued: { onboarding: 0, annual: 0, policy_change: 0, leaving: 0, manual: 0 },
    reminders: { reminder_before: 0, due_today: 0, overdue: 0 },
    escalations: 0,
    hrDigests: 0,
    expiries: 0,
    departures: { deactivated: 0, cancelled: 0, leavingWithdrawn: 0 },
  };
  const steps = async (run: Runner) => {
    summary.expiries = await countExpiries(run.read, opts.now);
    await departures(run, opts, summary);
    await leaving(run, opts, summary);
    await onboarding(run, opts, summary);
    await renewals(run, opts, summary);
    await policyChanges(run, opts, summary);
    await reminders(run, opts, summary);
    await hrDigests(run, opts, summary);
  };
  if (opts.dryRun) {
    try {
      await auditedTransaction(db, async (trx) => {
        await steps({ read: trx, tx: (fn) => fn(trx) });
        await opts.beforeRollback?.(trx);
        throw new DryRunRollback();
      });
    } catch (e) {
      if (!(e instanceof DryRunRollback)) throw e;
    }
    return summary;
  }
  await withOneCheckpoint(db, async () => {
    await steps({ read: db, tx: (fn) => auditedTransaction(db, fn) });
    await auditedTransaction(db, (trx) =>
      appendAudit(trx, { actorId: opts.actorId ?? null, action: "scheduler.run", subjectType: "scheduler", subjectId: null, data: { ...summary } }, opts.now),
    );
  });
  return summary;
}

/** SQLite's page cache during a run, in KiB (its default is 2,000): the indexes that a large run
 * writes all over stay in memory instead of being re-read from the file at every batch. */
const RUN_CACHE_KIB = 65_536;

/** On SQLite, for the length of a run: no WAL checkpoint during it — each would copy back
 * everything written so far, hundreds of times in a large run — and one at its end (PASSIVE: it
 * waits for nobody); a larger page cache. The commits stay `synchronous=FULL`. */
async function withOneCheckpoint(db: Db, work: () => Promise<void>) {
  if (dialectOf(db) !== "sqlite") return work();
  const pragma = async (name: string) => Number(Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0]);
  const [pages, cache] = [await pragma("wal_autocheckpoint"), await pragma("cache_size")];
  await sql`pragma wal_autocheckpoint = 0`.execute(db);
  await sql.raw(`pragma cache_size = -${RUN_CACHE_KIB}`).execute(db);
  try {
    await work();
  } finally {
    await sql.raw(`pragma wal_autocheckpoint = ${pages}`).execute(db);
    await sql.raw(`pragma cache_size = ${cache}`).execute(db);
    await sql`pragma wal_checkpoint(PASSIVE)`.execute(db);
  }
}

// --- issuing --------------------------------------------------------------------------------

/** An assignment to issue, with who gets the "assigned" email. */
interface PendingAssignment extends NewAssignment {
  name: string;
  email: string;
}

/** Issues a batch; only the rows that were new get an "assigned" email and count. */
async function issueBatch(trx: Transaction<DB>, rows: PendingAssignment[], opts: SchedulerOptions): Promise<Array<PendingAssignment & { id: string }>> {
  const issued = await issueAssignments(trx, rows, { now: opts.now, actorId: opts.actorId ?? null });
  if (issued.length === 0) return issued;
  await enqueueNotifications(
    trx,
    issued.map((r) => ({
      eventKey: `assigned:${r.id}`,
      kind: "assigned" as const,
      userId: r.userId,
      toEmail: r.email,
      assignmentId: r.id,
      why: `Assigned (${r.reason.replace("_", " ")})`,
      ...assignedMail({ personName: r.name, courseTitle: r.course.meta.title, courseUrl: `${opts.origin}/courses/${r.course.id}`, reason: r.reason, dueAt: r.dueAt }),
    })),
    opts.now,
  );
  return issued;
}

function coursesWhere(catalog: Catalog, assign: Course["meta"]["assign"]) {
  return [...catalog.courses.values()].filter((c) => c.meta.assign === assign);
}

async function onboarding(run: Runner, opts: SchedulerOptions, summary: RunSummary) {
  const today = opts.now.toISOString().slice(0, 10);
  for (const course of coursesWhere(opts.catalog, "onboarding")) {
    // Keyset pages: a batch that issues nothing (all assigned meanwhile) must not stop the walk.
    let after = "";
    for (;;) {
      const people = await run.read
        .selectFrom("users as u")
        .select(["u.id", "u.name", "u.email", "u.start_date"])
        .where("u.status", "=", "active")
        .where("u.start_date", "<=", today)
        .where(audienceWhere(course.meta.audience))
        .where((eb) => hasNoAssignmentIn(eb, course.id))
        .where("u.id", ">", after)
        .orderBy("u.id")
        .limit(BATCH)
        .execute();
      if (people.length === 0) break;
      after = people[people.length - 1].id;
      const issued = await run.tx((trx) =>
        issueBatch(
          trx,
          people.map((p) => ({
            userId: p.id,
            name: p.name,
            email: p.email,
            course,
            family: course.id,
            cycle: "onboarding",
            reason: "onboarding",
            dueAt: onboardingDueAt(p.start_date, course.meta.duePeriodDays, opts.now.toISOString()),
          })),
          opts,
        ),
      );
      summary.issued.onboarding += issued.length;
      if (people.length < BATCH) break;
    }
  }
}

/** Renewals, set-based: per course, INSERT … SELECT of up to RENEWAL_BATCH due cycles a
 * transaction, their mails derived from the same rows, one audit entry naming them
 * (decision 022). */
async function renewals(run: Runner, opts: SchedulerOptions, summary: RunSummary) {
  for (const course of opts.catalog.courses.values()) {
    if (course.meta.recurrence.kind === "none") continue;
    const renewWith = opts.catalog.courses.get(course.meta.renewWith ?? course.id);
    if (!renewWith) continue;
    const batch = { courseId: course.id, renewWith, cutoff: addDays(opts.now.toISOString(), course.meta.renewalWindowDays), limit: RENEWAL_BATCH };
    for (;;) {
      const issued = await run.tx((trx) => renewalBatch(trx, batch, opts));
      summary.issued.annual += issued;
      if (issued === 0) break;
    }
    await run.tx((trx) => markRenewalsAlreadyIssued(trx, batch, opts.now));
  }
}

async function renewalBatch(trx: Transaction<DB>, batch: RenewalBatch, opts: SchedulerOptions): Promise<number> {
  const { prefix, issued } = await issueDueRenewals(trx, batch, opts.now);
  if (issued === 0) return 0;
  const course = batch.renewWith;
  await enqueueAssignedMailsFor(trx, { prefix, courseTitle: course.meta.title, courseUrl: `${opts.origin}/courses/${course.id}`, reason: "annual" }, opts.now);
  const rows = await issuedWithPrefix(trx, prefix);
  await appendAudit(
    trx,
    {
      actorId: opts.actorId ?? null,
      action: "scheduler.assignments_issued",
      subjectType: "course",
      subjectId: course.id,
      // The ids name the rows; the hash binds what they said when issued (person, cycle, due date).
      data: { reason: "annual", count: rows.length, assignments: rows.map((r) => r.id), rowsSha256: recordHash({ rows: rows.map((r) => [r.id, r.user_id, r.cycle, r.due_at]) }) },
    },
    opts.now,
  );
  return issued;
}

async function policyChanges(run: Runner, opts: SchedulerOptions, summary: RunSummary) {
  for (const policy of opts.catalog.policies.values()) {
    const lastMaterial = [...policy.versions].reverse().find((v) => v.material);
    if (!lastMaterial) continue;
    const cycle = `policy-${policy.id}-v${policy.current.version}`;
    const carriers = [...opts.catalog.courses.values()].filter((c) => c.meta.policy === policy.id).map((c) => c.id);
    if (carriers.length === 0) continue;
    // Everyone whose newest signature of this policy predates its last material change, who has
    // no open cycle that will have them sign the current text anyway.
    const people = await run.read
      .selectFrom("attestations as t")
      .innerJoin("users as u", "u.id", "t.user_id")
      .innerJoin("assignments as a", "a.id", "t.assignment_id")
      .select((eb) => ["u.id", "u.name", "u.email", "a.course_id", "a.family", eb.fn.max("t.policy_version").as("signed")])
      .where("t.policy_id", "=", policy.id)
      .where("t.outcome", "=", "signed")
      .where("u.status", "=", "active")
      .groupBy(["u.id", "u.name", "u.email", "a.course_id", "a.family"])
      .having((eb) => eb.fn.max("t.policy_version"), "<", lastMaterial.version)
      .execute();
    const latestByPerson = new Map<string, (typeof people)[number]>();
    for (const p of people) latestByPerson.set(p.id, p);
    const signedLater = new Set(
      (
        await run.read
          .selectFrom("attestations")
          .select("user_id")
          .where("policy_id", "=", policy.id)
          .where("outcome", "=", "signed")
          .where("policy_version", ">=", lastMaterial.version)
          .execute()
      ).map((r) => r.user_id),
    );
    const open = new Set(
      (
        await run.read
          .selectFrom("assignments")
          .select("user_id")
          .where("course_id", "in", carriers)
          .where("completed_at", "is", null)
          .where("cancelled_at", "is", null)
          .where("exempted_at", "is", null)
          .execute()
      ).map((r) => r.user_id),
    );
    const pending: PendingAssignment[] = [];
    for (const p of latestByPerson.values()) {
      if (signedLater.has(p.id) || open.has(p.id)) continue;
      const course = opts.catalog.courses.get(p.course_id) ?? opts.catalog.courses.get(carriers[0])!;
      pending.push({
        userId: p.id,
        name: p.name,
        email: p.email,
        course,
        family: p.family ?? course.id,
        cycle,
        reason: "policy_change",
        dueAt: addDays(opts.now.toISOString(), course.meta.duePeriodDays),
      });
    }
    for (let i = 0; i < pending.length; i += BATCH) {
      const issued = await run.tx((trx) => issueBatch(trx, pending.slice(i, i + BATCH), opts));
      summary.issued.policy_change += issued.length;
    }
  }
}

async function leaving(run: Runner, opts: SchedulerOptions, summary: RunSummary) {
  const today = opts.now.toISOString().slice(0, 10);
  const leavingCourses = coursesWhere(opts.catalog, "leaving").map((c) => c.id);
  if (leavingCourses.length > 0) {
    // A withdrawn resignation or a moved last day: the open exit cycle for the old date ends.
    const stale = await run.tx((trx) => cancelStaleLeavingCycles(trx, { courses: leavingCourses }, opts.now));
    summary.departures.leavingWithdrawn += stale;
  }
  for (const course of coursesWhere(opts.catalog, "leaving")) {
    const opensBy = addDays(opts.now.toISOString(), course.meta.duePeriodDays).slice(0, 10);
    const people = await run.read
      .selectFrom("users as u")
      .select(["u.id", "u.name", "u.email", "u.end_date"])
      .where("u.status", "=", "active")
      .where("u.end_date", "is not", null)
      .where("u.end_date", ">=", today)
      .where("u.end_date", "<=", opensBy)
      .where(audienceWhere(course.meta.audience))
      .execute();
    for (let i = 0; i < people.length; i += BATCH) {
      const issued = await run.tx((trx) =>
        issueBatch(
          trx,
          people.slice(i, i + BATCH).map((p) => ({
            userId: p.id,
            name: p.name,
            email: p.email,
            course,
            family: course.id,
            cycle: `leaving-${p.end_date}`,
            reason: "leaving",
            dueAt: `${p.end_date}T23:59:59.000Z`,
          })),
          opts,
        ),
      );
      summary.issued.leaving += issued.length;
    }
  }
}

/** People past their end date: open assignments end with them (the exit acknowledgement
 * stays open, as evidence of whether it was given), and the person is deactivated. Nothing of
 * their history is deleted. */
async function departures(run: Runner, opts: SchedulerOptions, summary: RunSummary) {
  const today = opts.now.toISOString().slice(0, 10);
  const leavingCourses = coursesWhere(opts.catalog, "leaving").map((c) => c.id);
  const gone = await run.read
    .selectFrom("users")
    .select(["id", "end_date"])
    .where("status", "<>", "inactive")
    .where("end_date", "is not", null)
    .where("end_date", "<", today)
    .execute();
  for (const person of gone) {
    await run.tx(async (trx) => {
      const cancelled = await cancelOpenAssignmentsOf(
        trx,
        { userId: person.id, exceptCourses: leavingCourses, note: `Ended with the person's last day (${person.end_date})` },
        opts.now,
      );
      summary.departures.cancelled += cancelled;
      await deactivatePerson(trx, { userId: person.id, actorId: opts.actorId ?? null, reason: `End date ${person.end_date} passed` }, () => opts.now);
    });
    summary.departures.deactivated++;
  }
}

// --- reminders ------------------------------------------------------------------------------

async function reminders(run: Runner, opts: SchedulerOptions, summary: RunSummary) {
  // Reminders count calendar days: anything due by the end of the day N days from now.
  const horizon = addDays(opts.now.toISOString(), opts.rules.daysBeforeDue + 1);
  let after = "";
  for (;;) {
    const rows = await run.read
      .selectFrom("assignments as a")
      .innerJoin("users as u", "u.id", "a.user_id")
      .leftJoin("users as m", (j) => j.onRef("m.id", "=", "u.manager_id").on("m.status", "=", "active"))
      .select(["a.id", "a.assigned_at", "a.due_at", "a.reason", "a.course_id", "a.user_id", "u.name", "u.email", "m.id as manager_id", "m.name as manager_name", "m.email as manager_email"])
      .where("a.completed_at", "is", null)
      .where("a.cancelled_at", "is", null)
      .where("a.exempted_at", "is", null)
      .where("a.due_at", "<=", horizon)
      .where("u.status", "=", "active") // on leave: clocks paused, nothing sent
      .where("a.id", ">", after)
      .orderBy("a.id")
      .limit(BATCH)
      .execute();
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    await run.tx(async (trx) => {
      for (const a of rows) {
        const title = courseTitle(opts.catalog, a.course_id);
        const courseUrl = `${opts.origin}/courses/${a.course_id}`;
        for (const ev of reminderEvents(a, opts.now, opts.rules, a.manager_id !== null)) {
          if (ev.kind === "escalation") {
            const mail = escalationMail({ managerName: a.manager_name!, personName: a.name, personEmail: a.email, courseTitle: title, dueAt: a.due_at, daysOverdue: ev.daysOverdue, teamUrl: `${opts.origin}/team` });
            const added = await enqueueNotification(trx, { eventKey: ev.key, kind: "escalation", userId: a.manager_id, toEmail: a.manager_email!, assignmentId: a.id, why: `${a.name} is ${ev.daysOverdue} days overdue`, ...mail }, opts.now);
            if (added) summary.escalations++;
            continue;
          }
          const mail = reminderMail(ev.kind, { personName: a.name, courseTitle: title, courseUrl, reason: a.reason, dueAt: a.due_at, daysOverdue: ev.daysOverdue });
          const why = ev.kind === "overdue" ? `Overdue by ${ev.daysOverdue} days` : ev.kind === "due_today" ? "Due today" : `Due in ${opts.rules.daysBeforeDue} days or less`;
          const added = await enqueueNotification(trx, { eventKey: ev.key, kind: ev.kind as NotificationKind, userId: a.user_id, toEmail: a.email, assignmentId: a.id, why, ...mail }, opts.now);
          if (added) summary.reminders[ev.kind]++;
        }
      }
    });
  }
}

async function hrDigests(run: Runner, opts: SchedulerOptions, summary: RunSummary) {
  const period = digestPeriod(opts.now, opts.rules.hrDigestEveryDays);
  const hr = await run.read.selectFrom("users").select(["id", "name", "email"]).where("is_hr", "=", 1).where("status", "=", "active").execute();
  if (hr.length === 0) return;
  const overdueBase = run.read
    .selectFrom("assignments as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .where("a.completed_at", "is", null)
    .where("a.cancelled_at", "is", null)
    .where("a.exempted_at", "is", null)
    .where("a.due_at", "<", opts.now.toISOString())
    .where("u.status", "=", "active");
  const total = Number((await overdueBase.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst())?.n ?? 0);
  const worst = await overdueBase
    .leftJoin("users as m", "m.id", "u.manager_id")
    .select(["u.name", "u.email", "a.course_id", "a.due_at", "m.name as manager_name"])
    .orderBy("a.due_at", "asc")
    .limit(20)
    .execute();
  const people = worst.map((w) => ({
    name: w.name,
    email: w.email,
    courseTitle: courseTitle(opts.catalog, w.course_id),
    daysOverdue: Math.floor((opts.now.getTime() - Date.parse(w.due_at)) / 86_400_000),
    managerName: w.manager_name,
  }));
  await run.tx(async (trx) => {
    for (const h of hr) {
      const mail = hrDigestMail({ hrName: h.name, totalOverdue: total, people, dashboardUrl: `${opts.origin}/hr` });
      const added = await enqueueNotification(trx, { eventKey: `hr-digest:${h.id}:${period}`, kind: "hr_digest", userId: h.id, toEmail: h.email, why: `Digest every ${opts.rules.hrDigestEveryDays} days`, ...mail }, opts.now);
      if (added) summary.hrDigests++;
    }
  });
}

/** Completions that expired since the previous run (the renewal cycle then becomes overdue). */
async function countExpiries(read: Kysely<DB>, now: Date): Promise<number> {
  const last = await read
    .selectFrom("audit_log")
    .select("data_json")
    .where("action", "=", "scheduler.run")
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  const since = last ? (JSON.parse(last.data_json) as { now: string }).now : "";
  if (since >= now.toISOString()) return 0;
  const row = await read
    .selectFrom("assignments")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("completed_at", "is not", null)
    .where("expires_at", ">", since)
    .where("expires_at", "<=", now.toISOString())
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export function formatSummary(s: RunSummary): string {
  const lines = [
    `Scheduler run at ${s.now}${s.dryRun ? " (dry run: nothing was changed)" : ""}`,
    `  Assignments issued: onboarding ${s.issued.onboarding}, annual renewal ${s.issued.annual}, policy change ${s.issued.policy_change}, leaving ${s.issued.leaving}`,
    `  Reminders queued: before due ${s.reminders.reminder_before}, due today ${s.reminders.due_today}, overdue ${s.reminders.overdue}`,
    `  Escalations to managers: ${s.escalations}`,
    `  HR digests: ${s.hrDigests}`,
    `  Expiries since the last run: ${s.expiries}`,
    `  Departures: ${s.departures.deactivated} people deactivated, ${s.departures.cancelled} open assignments ended, ${s.departures.leavingWithdrawn} exit acknowledgements withdrawn (last day changed)`,
  ];
  return lines.join("\n");
}
