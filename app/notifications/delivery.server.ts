// Sends what the outbox holds. Each notification is claimed with a conditional UPDATE before it
// is sent, so several app instances (or the in-process scheduler and `npm run scheduler`) can
// deliver at once without sending anything twice; the send itself happens outside any
// transaction, because a transaction must never wait on the network. A failed send is retried
// with backoff and, after MAX_ATTEMPTS, marked failed and audited. Nothing is ever deleted.
import fs from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import type { Kysely } from "kysely";
import type { AppConfig } from "../config.server";
import type { DB } from "../../db/schema";
import type { Clock } from "../clock";
import { appendAudit } from "../audit/audit.server";
import { randomId } from "../ids.server";
import { claimNotification, recordDeliveryOutcome } from "./outbox.server";

export interface OutgoingMail {
  id: string;
  to: string;
  subject: string;
  text: string;
}

export interface MailTransport {
  name: string;
  send(mail: OutgoingMail): Promise<void>;
}

/** Minutes to wait after the 1st, 2nd, … failed attempt. */
export const RETRY_DELAYS_MINUTES = [1, 5, 30, 120, 720] as const;
/** The attempt after the last delay is the final one. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MINUTES.length + 1;
/** How long a claim holds. A deliverer that crashed mid-send frees its claim when this passes;
 * it is far longer than one send can take with the timeouts below. */
export const CLAIM_MINUTES = 5;
const MAX_BATCHES_PER_CALL = 20;
const TIMEOUT_MS = 10_000;

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

export function smtpTransport(url: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  return {
    name: "smtp",
    async send(mail) {
      const info = await transporter.sendMail(message(mail, from));
      // With one recipient a refusal is thrown; this guards a partial acceptance all the same.
      if (info.rejected.length > 0) throw new Error(`The mail server refused ${mail.to}`);
    },
  };
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
export function transportFromConfig(config: Pick<AppConfig, "smtpUrl" | "mailFrom" | "dataDir">): MailTransport {
  return config.smtpUrl
    ? smtpTransport(config.smtpUrl, config.mailFrom)
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

/** Sends every notification that is due, batch by batch, until none is left (or a cap is hit,
 * so one call always ends; the next call carries on). */
export async function deliverDue(
  db: Kysely<DB>,
  transport: MailTransport,
  { clock, batchSize = 50, personalise }: { clock: Clock; batchSize?: number; personalise?: Personalise },
): Promise<DeliveryResult> {
  const result: DeliveryResult = { sent: 0, retried: 0, failed: 0 };
  for (let batch = 0; batch < MAX_BATCHES_PER_CALL; batch++) {
    const now = clock().toISOString();
    const due = await db
      .selectFrom("notifications")
      .select("id")
      .where("next_attempt_at", "<=", now)
      .where((eb) =>
        eb.or([eb("status", "=", "pending"), eb.and([eb("status", "=", "sending"), eb("claimed_until", "<", now)])]),
      )
      .orderBy("next_attempt_at", "asc")
      .orderBy("id", "asc")
      .limit(batchSize)
      .execute();
    for (const { id } of due) {
      const outcome = await deliverOne(db, transport, id, clock, personalise);
      if (outcome) result[outcome]++;
    }
    if (due.length < batchSize) break;
  }
  return result;
}

async function deliverOne(
  db: Kysely<DB>,
  transport: MailTransport,
  id: string,
  clock: Clock,
  personalise?: Personalise,
): Promise<keyof DeliveryResult | null> {
  const claimedAt = clock();
  const now = claimedAt.toISOString();
  const claimedUntil = plusMinutes(claimedAt, CLAIM_MINUTES);
  const claimed = await claimNotification(db, { id, now, claimedUntil });
  if (!claimed) return null; // another deliverer got there first

  // Outcomes are recorded only while the claim is still ours: if it lapsed and someone else took
  // the mail over, their outcome is the one recorded.
  const claim = { id, claimedUntil };

  try {
    const text = personalise ? await personalise({ eventKey: claimed.event_key, kind: claimed.kind, body: claimed.body }, clock()) : claimed.body;
    await transport.send({ id: claimed.id, to: claimed.to_email, subject: claimed.subject, text });
  } catch (err) {
    const failedAt = clock();
    const attempts = Number(claimed.attempts) + 1;
    const lastError = shortError(err);
    if (attempts < MAX_ATTEMPTS) {
      const updated = await recordDeliveryOutcome(db, claim, {
        status: "pending",
        attempts,
        last_error: lastError,
        claimed_until: null,
        next_attempt_at: plusMinutes(failedAt, RETRY_DELAYS_MINUTES[attempts - 1]),
      });
      return updated ? "retried" : null;
    }
    const recorded = await db.transaction().execute(async (trx) => {
      const updated = await recordDeliveryOutcome(trx, claim, { status: "failed", attempts, last_error: lastError, claimed_until: null });
      if (!updated) return false;
      // The error text stays on the row (it may quote an address); the chain records the fact.
      await appendAudit(
        trx,
        { actorId: null, action: "notification.failed", subjectType: "notification", subjectId: id, data: { kind: claimed.kind, attempts } },
        failedAt,
      );
      return true;
    });
    return recorded ? "failed" : null;
  }

  // last_error stays: a mail that got through on a retry still shows what went wrong first.
  const updated = await recordDeliveryOutcome(db, claim, { status: "sent", sent_at: clock().toISOString(), claimed_until: null });
  return updated ? "sent" : null;
}
