// Invitations and password resets, by email only. HR (or the person, from the sign-in page)
// asks for one; a mail is queued in the outbox; the link's token is made only when the mail is
// sent (mintAccountLinkMail, called by the deliverer), so it exists in the mail and nowhere
// else: the database keeps its SHA-256, the outbox keeps a placeholder. A link works once, for
// LINK_HOURS, and a newer one replaces an unused older one. HR sees that a mail was sent and
// when, never the link. Using a link someone else started records them as the actor.
import type { Kysely, Transaction } from "kysely";
import type { AccountLinkPurpose, DB } from "../../db/schema";
import type { Clock } from "../clock";
import { randomId } from "../ids.server";
import { sha256Hex } from "../hash.server";
import { appendAudit, auditedTransaction } from "../audit/audit.server";
import { enqueueNotification } from "../notifications/outbox.server";
import { accountLinkMail, LINK_PLACEHOLDER } from "../notifications/templates.server";
import { setPassword } from "../people/people.server";

export const LINK_HOURS = 72;
/** A person asking for a reset again within this many minutes gets no second mail. */
export const RESET_QUIET_MINUTES = 15;

type Writer = Kysely<DB> | Transaction<DB>;

export type InviteWhen = "now" | "start_date" | "not_yet";
export const INVITE_CHOICES: InviteWhen[] = ["now", "start_date", "not_yet"];

/** The invitation choice from a form: absent means "not yet"; anything else unknown is null. */
export function parseInviteWhen(value: unknown): InviteWhen | null {
  if (value === undefined || value === null) return "not_yet";
  return INVITE_CHOICES.find((c) => c === value) ?? null;
}

function today(now: Date): string {
  return now.toISOString().slice(0, 10);
}

async function queueMail(trx: Writer, link: { id: string; userId: string; purpose: AccountLinkPurpose }, now: Date) {
  const person = await trx.selectFrom("users").select(["email", "name"]).where("id", "=", link.userId).executeTakeFirstOrThrow();
  const mail = accountLinkMail({ purpose: link.purpose, name: person.name, hours: LINK_HOURS });
  await enqueueNotification(
    trx,
    {
      eventKey: `account-link:${link.id}`,
      kind: link.purpose === "invitation" ? "invitation" : "password_reset",
      userId: link.userId,
      toEmail: person.email,
      why: link.purpose === "invitation" ? "Invitation to set a first password" : "A password reset link was asked for",
      subject: mail.subject,
      body: mail.body,
    },
    now,
  );
  await trx.updateTable("account_links").set({ queued_at: now.toISOString() }).where("id", "=", link.id).execute();
}

/** Starts an invitation or a reset for one active person: any earlier unused link of theirs
 * stops working. `sendOn` (a date) holds the mail until the scheduler's run on that day. */
async function startLink(
  trx: Transaction<DB>,
  { userId, purpose, startedBy, sendOn }: { userId: string; purpose: AccountLinkPurpose; startedBy: string | null; sendOn?: string | null },
  now: Date,
): Promise<string> {
  const at = now.toISOString();
  await trx.updateTable("account_links").set({ cancelled_at: at }).where("user_id", "=", userId).where("used_at", "is", null).where("cancelled_at", "is", null).execute();
  const id = `acl_${randomId()}`;
  const later = sendOn && sendOn > today(now) ? sendOn : null;
  await trx.insertInto("account_links").values({ id, user_id: userId, purpose, started_by: startedBy, created_at: at, send_on: later }).execute();
  if (!later) await queueMail(trx, { id, userId, purpose }, now);
  await appendAudit(
    trx,
    {
      actorId: startedBy ?? userId,
      action: purpose === "invitation" ? "person.invitation_started" : "person.password_reset_started",
      subjectType: "user",
      subjectId: userId,
      data: { link: id, sendOn: later, requestedBy: startedBy ? "hr" : "self" },
    },
    now,
  );
  return id;
}

export type HrLinkResult = { ok: true; sendOn: string | null } | { ok: false; status: 404 | 409; message: string };

/** HR sends (or schedules) an invitation, or a reset link, to one person. */
export async function sendAccountLinkByHr(
  db: Kysely<DB>,
  { userId, actorId, purpose, when = "now" }: { userId: string; actorId: string; purpose: AccountLinkPurpose; when?: Exclude<InviteWhen, "not_yet"> },
  clock: Clock,
): Promise<HrLinkResult> {
  const now = clock();
  return auditedTransaction(db, async (trx) => {
    const person = await trx.selectFrom("users").select(["status", "start_date"]).where("id", "=", userId).executeTakeFirst();
    if (!person) return { ok: false as const, status: 404 as const, message: "There is no such person." };
    if (person.status === "inactive") return { ok: false as const, status: 409 as const, message: "This person is deactivated: reactivate them before sending them a link." };
    const sendOn = when === "start_date" ? person.start_date : null;
    await startLink(trx, { userId, purpose, startedBy: actorId, sendOn }, now);
    return { ok: true as const, sendOn: sendOn && sendOn > today(now) ? sendOn : null };
  });
}

/** Invitations for people just added (one by hand or many by import), as HR chose at confirm
 * time. People who are deactivated or already have a password are left out. */
export async function invitePeople(
  db: Kysely<DB>,
  { emails, actorId, when }: { emails: string[]; actorId: string; when: InviteWhen },
  clock: Clock,
): Promise<{ now: number; scheduled: number }> {
  const counts = { now: 0, scheduled: 0 };
  if (when === "not_yet" || emails.length === 0) return counts;
  const now = clock();
  await auditedTransaction(db, async (trx) => {
    for (let i = 0; i < emails.length; i += 500) {
      const people = await trx
        .selectFrom("users")
        .select(["id", "start_date"])
        .where("email", "in", emails.slice(i, i + 500))
        .where("status", "<>", "inactive")
        .where("password_hash", "is", null)
        .execute();
      for (const p of people) {
        const sendOn = when === "start_date" ? p.start_date : null;
        await startLink(trx, { userId: p.id, purpose: "invitation", startedBy: actorId, sendOn }, now);
        if (sendOn && sendOn > today(now)) counts.scheduled++;
        else counts.now++;
      }
    }
  });
  return counts;
}

/** "Forgot your password?": queues a reset mail when the address is an active account, and
 * does nothing visible otherwise. The caller answers the same either way. */
export async function requestPasswordReset(db: Kysely<DB>, { email }: { email: string }, clock: Clock): Promise<void> {
  const now = clock();
  const address = email.trim().toLowerCase();
  await auditedTransaction(db, async (trx) => {
    const person = await trx.selectFrom("users").select("id").where("email", "=", address).where("status", "<>", "inactive").executeTakeFirst();
    if (!person) return;
    const quietSince = new Date(now.getTime() - RESET_QUIET_MINUTES * 60_000).toISOString();
    const recent = await trx
      .selectFrom("account_links")
      .select("id")
      .where("user_id", "=", person.id)
      .where("started_by", "is", null)
      .where("created_at", ">", quietSince)
      .executeTakeFirst();
    if (recent) return;
    await startLink(trx, { userId: person.id, purpose: "reset", startedBy: null }, now);
  });
}

/** The scheduler's step: invitations held for a start date that has come. */
export async function queueDueInvitations(db: Kysely<DB>, now: Date): Promise<number> {
  const due = await db
    .selectFrom("account_links as l")
    .innerJoin("users as u", "u.id", "l.user_id")
    .select(["l.id", "l.user_id", "l.purpose"])
    .where("l.send_on", "<=", today(now))
    .where("l.queued_at", "is", null)
    .where("l.cancelled_at", "is", null)
    .where("u.status", "<>", "inactive")
    .execute();
  let queued = 0;
  for (const link of due) {
    await auditedTransaction(db, async (trx) => {
      const claimed = await trx.updateTable("account_links").set({ queued_at: now.toISOString() }).where("id", "=", link.id).where("queued_at", "is", null).executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return;
      await queueMail(trx, { id: link.id, userId: link.user_id, purpose: link.purpose }, now);
      queued++;
    });
  }
  return queued;
}

/** Called by the deliverer just before an invitation or reset mail goes out: makes the token,
 * keeps its hash, and returns the mail's text with the link in it. Each attempt makes a new
 * token, so only the mail that was last sent works. */
export async function mintAccountLinkMail(db: Kysely<DB>, mail: { eventKey: string; body: string }, origin: string, now: Date): Promise<string> {
  const id = /^account-link:(acl_[a-z2-7]+)$/.exec(mail.eventKey)?.[1];
  if (!id) return mail.body;
  const token = randomId(20);
  const expiresAt = new Date(now.getTime() + LINK_HOURS * 3_600_000).toISOString();
  const updated = await db
    .updateTable("account_links")
    .set({ token_sha256: sha256Hex(token), sent_at: now.toISOString(), expires_at: expiresAt })
    .where("id", "=", id)
    .where("used_at", "is", null)
    .where("cancelled_at", "is", null)
    .executeTakeFirst();
  const link = Number(updated.numUpdatedRows) > 0 ? `${origin}/set-password/${token}` : "(this link was replaced by a newer one: use the latest mail)";
  return mail.body.replace(LINK_PLACEHOLDER, link);
}

/** The person a token is for, if the link is unused, unexpired, not replaced, and theirs is an
 * active account. */
export async function findAccountLink(db: Kysely<DB>, token: string, clock: Clock) {
  if (!/^[a-z2-7]{20,64}$/.test(token)) return null;
  const row = await db
    .selectFrom("account_links as l")
    .innerJoin("users as u", "u.id", "l.user_id")
    .select(["l.id", "l.user_id", "l.purpose", "l.started_by", "l.expires_at", "u.name", "u.email"])
    .where("l.token_sha256", "=", sha256Hex(token))
    .where("l.used_at", "is", null)
    .where("l.cancelled_at", "is", null)
    .where("u.status", "<>", "inactive")
    .executeTakeFirst();
  if (!row || !row.expires_at || row.expires_at <= clock().toISOString()) return null;
  return row;
}

export type AccountLink = NonNullable<Awaited<ReturnType<typeof findAccountLink>>>;

/** Marks the link used (only one of two racing submissions can) and sets the password. The
 * audit entry names whoever started the link as the actor, the person as the subject. */
export async function claimAccountLink(
  trx: Transaction<DB>,
  link: AccountLink,
  { passwordHash }: { passwordHash: string },
  clock: Clock,
): Promise<boolean> {
  const claimed = await trx.updateTable("account_links").set({ used_at: clock().toISOString() }).where("id", "=", link.id).where("used_at", "is", null).where("cancelled_at", "is", null).executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) return false;
  await setPassword(
    trx,
    {
      userId: link.user_id,
      passwordHash,
      actorId: link.started_by ?? link.user_id,
      data: { via: link.purpose, link: link.id, startedBy: link.started_by ?? "self", completedBy: link.user_id },
    },
    clock,
  );
  return true;
}

export interface AccountLinkStatus {
  purpose: AccountLinkPurpose;
  startedAt: string;
  startedByName: string | null;
  sendOn: string | null;
  sentAt: string | null;
  expiresAt: string | null;
  usedAt: string | null;
  mailStatus: string | null;
}

/** What HR sees about a person's latest invitation or reset: when, by whom, whether the mail
 * went and whether it was used. Never the token. */
export async function latestAccountLink(db: Kysely<DB>, userId: string): Promise<AccountLinkStatus | null> {
  const row = await db
    .selectFrom("account_links as l")
    .leftJoin("users as hr", "hr.id", "l.started_by")
    .select(["l.id", "l.purpose", "l.created_at", "l.send_on", "l.sent_at", "l.expires_at", "l.used_at", "hr.name as started_by_name"])
    .where("l.user_id", "=", userId)
    .orderBy("l.created_at", "desc")
    .orderBy("l.id", "desc")
    .executeTakeFirst();
  if (!row) return null;
  const mail = await db.selectFrom("notifications").select("status").where("event_key", "=", `account-link:${row.id}`).executeTakeFirst();
  return {
    purpose: row.purpose,
    startedAt: row.created_at,
    startedByName: row.started_by_name,
    sendOn: row.send_on,
    sentAt: row.sent_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
    mailStatus: mail?.status ?? null,
  };
}
