// Sends what the outbox holds. Each notification is claimed with a conditional UPDATE before it
// is sent, so several app instances (or the mail loop and `npm run scheduler`) can deliver at
// once without sending anything twice; the send itself happens outside any transaction, because
// a transaction must never wait on the network. A failed send is retried with backoff and, after
// MAX_ATTEMPTS, marked failed and audited. Nothing is ever deleted.
//
// A server that stays silent after the end of DATA may or may not have taken the message
// (RFC 5321 §6.1 and §4.5.3.2): we wait the 10 minutes the RFC asks for and, if it still says
// nothing, mark the mail failed with that reason instead of sending it again. HR can see it on
// the outbox page; a duplicate, once sent, cannot be taken back.
import fs from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import type { Kysely } from "kysely";
import { DEFAULT_MAIL, type AppConfig, type MailSettings } from "../config.server";
import type { DB } from "../../db/schema";
import type { Clock } from "../clock";
import { appendAudit, auditedTransaction } from "../audit/audit.server";
import { randomId } from "../ids.server";
import { claimNotifications, recordDeliveryOutcome, recordSent } from "./outbox.server";
import { unlimited, type DomainLimiter } from "./rate-limit";

export interface OutgoingMail {
  id: string;
  to: string;
  subject: string;
  text: string;
}

export interface MailTransport {
  name: string;
  send(mail: OutgoingMail): Promise<void>;
  /** How long a claim must hold so that no other deliverer takes a mail this transport may still
   * be sending (default CLAIM_MINUTES). */
  claimMinutes?: number;
  /** Closes pooled connections. */
  close?(): void;
}

/** Minutes to wait after the 1st, 2nd, … failed attempt. */
export const RETRY_DELAYS_MINUTES = [1, 5, 30, 120, 720] as const;
/** The attempt after the last delay is the final one. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MINUTES.length + 1;
/** How long a claim holds for a transport that does not say. A deliverer that crashed mid-send
 * frees its claim when this passes. */
export const CLAIM_MINUTES = 5;
/** Batches per deliverDue call unless told otherwise, so one call always ends. */
const MAX_BATCHES_PER_CALL = 20;

/** Headers every Confidant mail carries. The Message-ID is derived from the notification, so a
 * mail delivered twice (a crash between sending and recording it) is recognisably one mail. */
function message(mail: OutgoingMail, from: string) {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    messageId: `<${mail.id}@confidant>`,
    // RFC 3834: tells mail servers not to send out-of-office replies to a robot.
    headers: { "Auto-Submitted": "auto-generated" },
  };
}

type SmtpSettings = Pick<MailSettings, "concurrency" | "maxMessagesPerConnection" | "connectTimeoutMs" | "greetingTimeoutMs" | "dataTimeoutMs">;

/** Pooled SMTP: up to `concurrency` connections, each replaced after `maxMessagesPerConnection`
 * messages. `socketTimeout` is the longest silence accepted in any phase, so it carries the
 * 10-minute DATA timeout. */
export function smtpTransport(url: string, from: string, settings: SmtpSettings = DEFAULT_MAIL): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: settings.concurrency,
    maxMessages: settings.maxMessagesPerConnection,
    connectionTimeout: settings.connectTimeoutMs,
    greetingTimeout: settings.greetingTimeoutMs,
    socketTimeout: settings.dataTimeoutMs,
  });
  // One message passes through at most connect, greeting, EHLO, MAIL, RCPT, DATA and the final
  // dot, each allowed its timeout; the claim outlasts them all, plus a minute.
  const longestSendMs = settings.connectTimeoutMs + settings.greetingTimeoutMs + 5 * settings.dataTimeoutMs;
  return {
    name: "smtp",
    claimMinutes: Math.max(CLAIM_MINUTES, Math.ceil(longestSendMs / 60_000) + 1),
    async send(mail) {
      const info = await transporter.sendMail(message(mail, from));
      // With one recipient a refusal is thrown; this guards a partial acceptance all the same.
      if (info.rejected.length > 0) throw new Error(`The mail server refused ${mail.to}`);
    },
    close: () => transporter.close(),
  };
}

/** The connection went silent after it was open: the server may have accepted the message. */
export function outcomeUnknown(err: unknown): boolean {
  const e = err as { code?: unknown; timeoutType?: unknown } | null;
  return e?.code === "ETIMEDOUT" && e.timeoutType === "SOCKET_TIMEOUT";
}

const SAFE_FILE_NAME = /^[A-Za-z0-9_-]+$/;

/** Development default: each mail becomes `<dir>/<id>.eml`, which any mail program opens.
 * Written to a temporary file and renamed, so a reader never sees half a message. */
export function fileTransport(dir: string, from: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
  return {
    name: "file",
    async send(mail) {
      if (!SAFE_FILE_NAME.test(mail.id)) throw new Error("A notification id is not usable as a file name");
      const info = await composer.sendMail(message(mail, from));
      const raw = info.message;
      if (!Buffer.isBuffer(raw)) throw new Error("The message was not built as a buffer");
      await fs.mkdir(dir, { recursive: true });
      const target = path.join(dir, `${mail.id}.eml`);
      const temp = path.join(dir, `.${mail.id}.${randomId(6)}.tmp`);
      const handle = await fs.open(temp, "wx");
      try {
        await handle.writeFile(raw);
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await fs.rename(temp, target);
      } catch (err) {
        await fs.rm(temp, { force: true });
        throw err;
      }
    },
  };
}

/** SMTP when SMTP_URL is set; otherwise .eml files under DATA_DIR/outbox. */
export function transportFromConfig(config: Pick<AppConfig, "smtpUrl" | "mailFrom" | "dataDir"> & { mail?: MailSettings }): MailTransport {
  return config.smtpUrl
    ? smtpTransport(config.smtpUrl, config.mailFrom, config.mail)
    : fileTransport(path.join(config.dataDir, "outbox"), config.mailFrom);
}

/** Completes a mail's text just before it is sent (the invitation's link is made then, so it is
 * never stored). Given the notification's event key and stored body; returns the text to send. */
export type Personalise = (mail: { eventKey: string; kind: string; body: string }, now: Date) => Promise<string>;

export interface DeliveryResult {
  sent: number;
  retried: number;
  failed: number;
}

function plusMinutes(at: Date, minutes: number): string {
  return new Date(at.getTime() + minutes * 60_000).toISOString();
}

/** What HR sees on the outbox page: the server's reply or the error's first line, never a
 * stack, kept short. */
export function shortError(err: unknown): string {
  const e = err as { code?: unknown; responseCode?: unknown; message?: unknown } | null;
  const text = typeof e?.message === "string" && e.message ? e.message : String(err);
  const firstLine = text.split(/\r?\n/)[0].trim();
  const code = typeof e?.code === "string" ? `${e.code}: ` : "";
  const line = `${code}${firstLine}`;
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

export interface DeliverOptions {
  clock: Clock;
  batchSize?: number;
  /** Messages in flight at once (default 1). */
  concurrency?: number;
  /** Batches before the call returns (default 20); the next call carries on. */
  maxBatches?: number;
  limiter?: DomainLimiter;
  /** Checked between batches: true ends the call after the batch in hand. */
  stopping?: () => boolean;
  /** Completes each mail's text just before it is sent (an invitation's link is made then). */
  personalise?: Personalise;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends every notification that is due, batch by batch, until none is left (or a cap is hit,
 * so one call always ends; the next call carries on). A batch goes out in groups of
 * `concurrency`: a group is claimed in one statement, sent in parallel over the pool, and its
 * successes recorded in one statement, so the database sees two commits per group, not per mail. */
export async function deliverDue(db: Kysely<DB>, transport: MailTransport, options: DeliverOptions): Promise<DeliveryResult> {
  const { clock, batchSize = 50, concurrency = 1, maxBatches = MAX_BATCHES_PER_CALL, limiter = unlimited, stopping = () => false, personalise } = options;
  const result: DeliveryResult = { sent: 0, retried: 0, failed: 0 };
  const group = Math.max(1, concurrency);
  for (let batch = 0; batch < maxBatches && !stopping(); batch++) {
    const now = clock().toISOString();
    const due = await db
      .selectFrom("notifications")
      .select(["id", "to_email"])
      .where("next_attempt_at", "<=", now)
      .where((eb) =>
        eb.or([eb("status", "=", "pending"), eb.and([eb("status", "=", "sending"), eb("claimed_until", "<", now)])]),
      )
      .orderBy("next_attempt_at", "asc")
      .orderBy("id", "asc")
      .limit(batchSize)
      .execute();
    for (let i = 0; i < due.length; i += group) {
      const outcomes = await deliverGroup(db, transport, due.slice(i, i + group), { clock, limiter, personalise });
      for (const o of outcomes) if (o) result[o]++;
    }
    if (due.length < batchSize) break;
  }
  return result;
}

type Outcome = keyof DeliveryResult | null;

async function deliverGroup(
  db: Kysely<DB>,
  transport: MailTransport,
  due: Array<{ id: string; to_email: string }>,
  { clock, limiter, personalise }: { clock: Clock; limiter: DomainLimiter; personalise?: Personalise },
): Promise<Outcome[]> {
  // Rate limits are reserved before claiming, and the claim outlasts the longest wait.
  const waits = new Map(due.map((d) => [d.id, limiter.reserve(d.to_email)]));
  const longestWaitMs = Math.max(0, ...waits.values());
  const claimedAt = clock();
  const claimedUntil = new Date(claimedAt.getTime() + longestWaitMs + (transport.claimMinutes ?? CLAIM_MINUTES) * 60_000).toISOString();
  const claimed = await claimNotifications(db, { ids: due.map((d) => d.id), now: claimedAt.toISOString(), claimedUntil });
  // Another deliverer got there first for the ones missing.
  const sent: string[] = [];
  const outcomes = await Promise.all(
    claimed.map(async (row): Promise<Outcome> => {
      const wait = waits.get(row.id) ?? 0;
      if (wait > 0) await sleep(wait);
      try {
        const text = personalise ? await personalise({ eventKey: row.event_key, kind: row.kind, body: row.body }, clock()) : row.body;
        await transport.send({ id: row.id, to: row.to_email, subject: row.subject, text });
      } catch (err) {
        return recordError(db, { id: row.id, claimedUntil }, row, err, clock);
      }
      sent.push(row.id);
      return null;
    }),
  );
  // last_error stays: a mail that got through on a retry still shows what went wrong first.
  const recorded = await recordSent(db, { ids: sent, claimedUntil, sentAt: clock().toISOString() });
  // Outcomes are recorded only while the claim is still ours: if it lapsed and someone else took
  // a mail over, their outcome is the one recorded (so a lapsed one is not counted here).
  return [...outcomes, ...Array.from({ length: recorded }, (): Outcome => "sent")];
}

async function recordError(
  db: Kysely<DB>,
  claim: { id: string; claimedUntil: string },
  claimed: { kind: string; attempts: number | string },
  err: unknown,
  clock: Clock,
): Promise<Outcome> {
  const failedAt = clock();
  const attempts = Number(claimed.attempts) + 1;
  if (attempts < MAX_ATTEMPTS && !outcomeUnknown(err)) {
    const updated = await recordDeliveryOutcome(db, claim, {
      status: "pending",
      attempts,
      last_error: shortError(err),
      claimed_until: null,
      next_attempt_at: plusMinutes(failedAt, RETRY_DELAYS_MINUTES[attempts - 1]),
    });
    return updated ? "retried" : null;
  }
  const lastError = outcomeUnknown(err)
    ? "The mail server did not answer in time; it may have delivered the message, so it is not sent again"
    : shortError(err);
  return (await recordFailure(db, claim, { attempts, lastError, kind: claimed.kind, at: failedAt })) ? "failed" : null;
}

/** Final: the row says failed and why, and the audit chain records the fact. */
function recordFailure(
  db: Kysely<DB>,
  claim: { id: string; claimedUntil: string },
  { attempts, lastError, kind, at }: { attempts: number; lastError: string; kind: string; at: Date },
): Promise<boolean> {
  return auditedTransaction(db, async (trx) => {
    const updated = await recordDeliveryOutcome(trx, claim, { status: "failed", attempts, last_error: lastError, claimed_until: null });
    if (!updated) return false;
    // The error text stays on the row (it may quote an address); the chain records the fact.
    await appendAudit(
      trx,
      { actorId: null, action: "notification.failed", subjectType: "notification", subjectId: claim.id, data: { kind, attempts } },
      at,
    );
    return true;
  });
}
