// The notification outbox: every mail Confidant means to send is first a row here, written in
// the same transaction as the event that causes it, so an event is never recorded without its
// mail (or mailed without being recorded). Delivery happens later (delivery.server.ts); rows are
// never deleted, so the table doubles as the record of what was sent to whom, and why.
import { sql, type Kysely, type Transaction } from "kysely";
import type { DB, NotificationKind, NotificationStatus } from "../../db/schema";
import { randomSuffixSql, timeOrderedId, timeOrderedPrefix } from "../ids.server";
import { dialectOf } from "../../db/connection";
import type { AssignmentReason } from "../../db/schema";
import { assignedMailSql } from "./templates-sql.server";
import { appendAudit, auditedTransaction } from "../audit/audit.server";
import type { Clock } from "../clock";

// Records rather than arrays so the compiler complains when a kind or status is added to the
// schema and not here.
const KIND_SET: Record<NotificationKind, true> = {
  assigned: true,
  reminder_before: true,
  due_today: true,
  overdue: true,
  escalation: true,
  hr_digest: true,
  nudge: true,
  kudos: true,
  declined: true,
  invitation: true,
  password_reset: true,
};
const STATUS_SET: Record<NotificationStatus, true> = { pending: true, sending: true, sent: true, failed: true };

export const NOTIFICATION_KINDS = Object.keys(KIND_SET) as [NotificationKind, ...NotificationKind[]];
export const NOTIFICATION_STATUSES = Object.keys(STATUS_SET) as [NotificationStatus, ...NotificationStatus[]];

export interface NewNotification {
  /** Names the event, e.g. `overdue:<assignment>:<week>`: one notification per event, ever. */
  eventKey: string;
  kind: NotificationKind;
  userId: string | null;
  toEmail: string;
  assignmentId?: string | null;
  /** One line HR can read on the outbox page: the rule that made this mail. */
  why: string;
  subject: string;
  body: string;
}

/** Queues a mail. Pass the transaction of the event that causes it. Returns false when this
 * event already has its notification (the scheduler ran twice, or was killed and rerun). */
export async function enqueueNotification(
  trx: Kysely<DB> | Transaction<DB>,
  n: NewNotification,
  now: Date,
): Promise<boolean> {
  return (await enqueueNotifications(trx, [n], now)) > 0;
}

/** Queues many at once (one statement per 2,000 rows, within SQLite's parameter limit), for the scheduler's batches. Returns how many
 * were new. */
export async function enqueueNotifications(trx: Kysely<DB> | Transaction<DB>, list: NewNotification[], now: Date): Promise<number> {
  const at = now.toISOString();
  let added = 0;
  for (let i = 0; i < list.length; i += 2000) {
    const result = await trx
      .insertInto("notifications")
      .values(
        list.slice(i, i + 2000).map((n) => ({
          id: `ntf_${timeOrderedId()}`,
          event_key: n.eventKey,
          kind: n.kind,
          user_id: n.userId,
          to_email: n.toEmail,
          assignment_id: n.assignmentId ?? null,
          why: n.why,
          subject: n.subject,
          body: n.body,
          created_at: at,
          status: "pending" as const,
          attempts: 0,
          next_attempt_at: at,
        })),
      )
      .onConflict((oc) => oc.column("event_key").doNothing())
      .executeTakeFirst();
    added += Number(result.numInsertedOrUpdatedRows ?? 0n);
  }
  return added;
}

/**
 * Queues, in one INSERT … SELECT, the "assigned" mail of every assignment whose id lies in
 * [`prefix`, `prefix~`) — the rows one set-based statement just issued (issueDueRenewals) —
 * with the text rendered by the database from the same template. Returns how many were new.
 */
export async function enqueueAssignedMailsFor(
  trx: Transaction<DB>,
  { prefix, courseTitle, courseUrl, reason }: { prefix: string; courseTitle: string; courseUrl: string; reason: AssignmentReason },
  now: Date,
): Promise<number> {
  const at = now.toISOString();
  const mail = assignedMailSql({ courseTitle, courseUrl, reason }, { personName: sql<string>`u.name`, dueAt: sql<string>`a.due_at` });
  const result = await sql`insert into notifications (id, event_key, kind, user_id, to_email, assignment_id, why, subject, body, created_at, status, attempts, next_attempt_at)
    select ${`ntf_${timeOrderedPrefix()}`} || ${randomSuffixSql(dialectOf(trx))}, 'assigned:' || a.id, 'assigned', a.user_id, u.email, a.id,
      ${`Assigned (${reason.replace("_", " ")})`}, ${mail.subject}, ${mail.body}, ${at}, 'pending', 0, ${at}
    from assignments a join users u on u.id = a.user_id
    where a.id >= ${prefix} and a.id < ${`${prefix}~`}
    on conflict (event_key) do nothing`.execute(trx);
  return Number(result.numAffectedRows ?? 0n);
}

// --- delivery's transitions (delivery.server.ts sends; the rows change only here) ------------

/** Claims due notifications for sending until `claimedUntil`: those pending, or whose previous
 * claim lapsed. Only one deliverer's UPDATE can match a row, because it changes what the WHERE
 * tests. Returns what to send: the ids another deliverer got first are missing. */
export async function claimNotifications(db: Kysely<DB>, { ids, now, claimedUntil }: { ids: string[]; now: string; claimedUntil: string }) {
  if (ids.length === 0) return [];
  return db
    .updateTable("notifications")
    .set({ status: "sending", claimed_until: claimedUntil })
    .where("id", "in", ids)
    .where("next_attempt_at", "<=", now)
    .where((eb) =>
      eb.or([eb("status", "=", "pending"), eb.and([eb("status", "=", "sending"), eb("claimed_until", "<", now)])]),
    )
    .returning(["id", "kind", "event_key", "to_email", "subject", "body", "attempts"])
    .execute();
}

/** Marks sent, in one statement, the messages whose claim is still the caller's. Returns how many were. */
export async function recordSent(db: Kysely<DB>, { ids, claimedUntil, sentAt }: { ids: string[]; claimedUntil: string; sentAt: string }): Promise<number> {
  if (ids.length === 0) return 0;
  const updated = await db
    .updateTable("notifications")
    .set({ status: "sent", sent_at: sentAt, claimed_until: null })
    .where("id", "in", ids)
    .where("status", "=", "sending")
    .where("claimed_until", "=", claimedUntil)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows);
}

export interface DeliveryOutcome {
  status: "pending" | "sent" | "failed";
  claimed_until: null;
  attempts?: number;
  last_error?: string;
  next_attempt_at?: string;
  sent_at?: string;
}

/** Records how a send went, only while the claim is still the caller's. Returns whether it was. */
export async function recordDeliveryOutcome(db: Kysely<DB>, claim: { id: string; claimedUntil: string }, outcome: DeliveryOutcome): Promise<boolean> {
  const updated = await db
    .updateTable("notifications")
    .set(outcome)
    .where("id", "=", claim.id)
    .where("status", "=", "sending")
    .where("claimed_until", "=", claim.claimedUntil)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

// --- HR's resend --------------------------------------------------------------------------

export type ResendOutcome = { ok: true; toEmail: string; subject: string } | { ok: false; status: 409; message: string };

/**
 * HR sends a failed message again: the same row goes back to pending, its attempts reset and due
 * now, so the next delivery run on any instance claims and sends it once. The same row rather
 * than a copy, because a notification is keyed by its event and exists once (a copy would need a
 * second key and show twice on the page); the failure itself (attempts, last error) and who asked
 * for the resend are kept in the audit log. Null for anyone but HR, or an unknown message.
 */
export async function resendFailed(
  db: Kysely<DB>,
  { viewer, id }: { viewer: { id: string; is_hr: number }; id: string },
  clock: Clock,
): Promise<ResendOutcome | null> {
  if (viewer.is_hr !== 1) return null;
  const now = clock();
  return auditedTransaction(db, async (trx) => {
    const row = await trx.selectFrom("notifications").select(["id", "status", "attempts", "last_error", "to_email", "subject"]).where("id", "=", id).executeTakeFirst();
    if (!row) return null;
    const reset = await trx
      .updateTable("notifications")
      .set({ status: "pending", attempts: 0, next_attempt_at: now.toISOString(), claimed_until: null, last_error: null })
      .where("id", "=", id)
      .where("status", "=", "failed")
      .executeTakeFirst();
    if (Number(reset.numUpdatedRows) === 0) {
      return { ok: false as const, status: 409 as const, message: `The message “${row.subject}” to ${row.to_email} has not failed, so it was not sent again.` };
    }
    await appendAudit(
      trx,
      {
        actorId: viewer.id,
        action: "notification.resent",
        subjectType: "notification",
        subjectId: id,
        data: { toEmail: row.to_email, failedAttempts: row.attempts, lastError: row.last_error },
      },
      now,
    );
    return { ok: true as const, toEmail: row.to_email, subject: row.subject };
  });
}

export interface OutboxFilter {
  status?: NotificationStatus;
  kind?: NotificationKind;
  /** Part of the recipient's email address, case-insensitive. */
  q?: string;
  page: number;
  pageSize: number;
}

export interface OutboxRow {
  id: string;
  kind: NotificationKind;
  toEmail: string;
  recipientName: string | null;
  why: string;
  subject: string;
  body: string;
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string;
  createdAt: string;
  sentAt: string | null;
}

export interface OutboxPage {
  rows: OutboxRow[];
  total: number;
  /** The page actually returned: a page past the end falls back to the last one. */
  page: number;
  pageCount: number;
}

/** LIKE treats % and _ as wildcards; a search for "a_b" means those three characters. */
function containsPattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** One page of the outbox, newest first. Offset pagination: HR pages through recent mail, and
 * the count tells them how much there is. */
export async function listOutbox(db: Kysely<DB>, filter: OutboxFilter): Promise<OutboxPage> {
  const pageSize = Math.max(1, Math.floor(filter.pageSize));
  const q = filter.q?.trim() ? filter.q.trim() : undefined;
  const filtered = db
    .selectFrom("notifications as n")
    .$if(filter.status !== undefined, (qb) => qb.where("n.status", "=", filter.status!))
    .$if(filter.kind !== undefined, (qb) => qb.where("n.kind", "=", filter.kind!))
    // lower() on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's is not.
    .$if(q !== undefined, (qb) => qb.where(sql<boolean>`lower(n.to_email) like ${containsPattern(q!)} escape '\\'`));

  const { total } = await filtered.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow();
  const count = Number(total);
  const pageCount = Math.max(1, Math.ceil(count / pageSize));
  const page = Math.min(Math.max(1, Math.floor(filter.page)), pageCount);

  const rows = await filtered
    .leftJoin("users as u", "u.id", "n.user_id")
    .select([
      "n.id",
      "n.kind",
      "n.to_email as toEmail",
      "u.name as recipientName",
      "n.why",
      "n.subject",
      "n.body",
      "n.status",
      "n.attempts",
      "n.last_error as lastError",
      "n.next_attempt_at as nextAttemptAt",
      "n.created_at as createdAt",
      "n.sent_at as sentAt",
    ])
    .orderBy("n.created_at", "desc")
    .orderBy("n.id", "desc")
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();

  return { rows: rows.map((r) => ({ ...r, attempts: Number(r.attempts) })), total: count, page, pageCount };
}

/** How many notifications are in each state, every state present (0 when none). */
export async function outboxCounts(db: Kysely<DB>): Promise<Record<NotificationStatus, number>> {
  const rows = await db
    .selectFrom("notifications")
    .select((eb) => ["status", eb.fn.countAll<number>().as("n")])
    .groupBy("status")
    .execute();
  const counts: Record<NotificationStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0 };
  for (const r of rows) if (r.status in counts) counts[r.status] = Number(r.n);
  return counts;
}

export interface OutboxBacklog {
  /** Waiting to be sent (now or at a later retry), including those being sent right now. */
  pending: number;
  /** Of those, the ones whose time has come. */
  dueNow: number;
  failed: number;
  /** Sent during the hour before `now`. */
  sentLastHour: number;
}

/** How far behind delivery is, and how fast it has been going. */
export async function outboxBacklog(db: Kysely<DB>, now: Date): Promise<OutboxBacklog> {
  const at = now.toISOString();
  const hourAgo = new Date(now.getTime() - 3_600_000).toISOString();
  const row = await db
    .selectFrom("notifications")
    .select((eb) => [
      eb.fn.sum<number>(eb.case().when("status", "in", ["pending", "sending"]).then(1).else(0).end()).as("pending"),
      eb.fn.sum<number>(eb.case().when(eb.and([eb("status", "=", "pending"), eb("next_attempt_at", "<=", at)])).then(1).else(0).end()).as("dueNow"),
      eb.fn.sum<number>(eb.case().when("status", "=", "failed").then(1).else(0).end()).as("failed"),
      eb.fn.sum<number>(eb.case().when(eb.and([eb("status", "=", "sent"), eb("sent_at", ">", hourAgo), eb("sent_at", "<=", at)])).then(1).else(0).end()).as("sentLastHour"),
    ])
    .executeTakeFirstOrThrow();
  return { pending: Number(row.pending ?? 0), dueNow: Number(row.dueNow ?? 0), failed: Number(row.failed ?? 0), sentLastHour: Number(row.sentLastHour ?? 0) };
}
