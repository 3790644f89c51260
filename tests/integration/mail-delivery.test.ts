// The outbox and its deliverer against a real SQLite file and a real SMTP server: each event
// mails once, failures are retried on schedule and end up recorded, and two deliverers working
// at once never send the same mail twice.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import type { Clock } from "../../app/clock";
import { enqueueNotification, type NewNotification } from "../../app/notifications/outbox.server";
import {
  deliverDue,
  MAX_ATTEMPTS,
  RETRY_DELAYS_MINUTES,
  smtpTransport,
  transportFromConfig,
  type MailTransport,
} from "../../app/notifications/delivery.server";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { createDb } from "../../db/connection";
import type { User } from "../../db/schema";
import { makeWorld, type World } from "../support/world";
import { parseMail, startSmtp, type TestSmtp } from "../support/smtp";

const FROM = "Confidant <confidant@test.example>";
const START = "2027-03-01T09:00:00.000Z";
// Non-ASCII and a line longer than 76 characters, so the message needs a transfer encoding.
const BODY =
  "Hello Alice,\n\n“Protecting trade secrets” is due on 8 March 2027 — it takes about twenty minutes to complete, quiz included.\n\nConfidant";

let w: World;
let smtp: TestSmtp;
let time: ReturnType<typeof movableClock>;
const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(async () => {
  w = await makeWorld(START);
  smtp = await startSmtp();
  time = movableClock(START);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await smtp.close();
  await w.close();
});

function movableClock(iso: string) {
  let t = Date.parse(iso);
  const clock: Clock = () => new Date(t);
  return {
    clock,
    advanceMinutes(minutes: number) {
      t += minutes * 60_000;
    },
    advanceMs(ms: number) {
      t += ms;
    },
  };
}

function notice(user: User, eventKey: string, extra: Partial<NewNotification> = {}): NewNotification {
  return {
    eventKey,
    kind: "reminder_before",
    userId: user.id,
    toEmail: user.email,
    why: "Due in 3 days (reminder 3 days before the due date)",
    subject: "Reminder: Protecting trade secrets is due on 8 March",
    body: BODY,
    ...extra,
  };
}

/** Enqueues as the scheduler does: inside a transaction of its own. */
function enqueue(n: NewNotification, at = time.clock()) {
  return w.db.transaction().execute((trx) => enqueueNotification(trx, n, at));
}

function row(eventKey: string) {
  return w.db.selectFrom("notifications").selectAll().where("event_key", "=", eventKey).executeTakeFirstOrThrow();
}

test("enqueueing the same event twice keeps a single pending notification", async () => {
  expect(await enqueue(notice(w.alice, "remind:a1:3d"))).toBe(true);
  expect(await enqueue(notice(w.alice, "remind:a1:3d", { subject: "A second try" }))).toBe(false);

  const rows = await w.db.selectFrom("notifications").selectAll().execute();
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    status: "pending",
    attempts: 0,
    next_attempt_at: START,
    created_at: START,
    subject: "Reminder: Protecting trade secrets is due on 8 March",
  });
  expect(rows[0].id).toMatch(/^ntf_[a-z2-7]+$/);
});

test("a due notification is delivered over SMTP once and marked sent", async () => {
  await enqueue(notice(w.alice, "remind:a1:3d"));
  const { id } = await row("remind:a1:3d");
  const transport = smtpTransport(smtp.url, FROM);

  expect(await deliverDue(w.db, transport, { clock: time.clock })).toEqual({ sent: 1, retried: 0, failed: 0 });

  expect(smtp.received).toHaveLength(1);
  const mail = smtp.received[0];
  expect(mail.to).toEqual(["alice@test.example"]);
  expect(mail.from).toBe("confidant@test.example");
  expect(mail.subject).toBe("Reminder: Protecting trade secrets is due on 8 March");
  expect(mail.text).toBe(BODY);
  expect(mail.messageId).toBe(`<${id}@confidant>`);
  expect(mail.headers.get("auto-submitted")).toBe("auto-generated");

  expect(await row("remind:a1:3d")).toMatchObject({ status: "sent", sent_at: START, attempts: 0, claimed_until: null });
  // Nothing is left to send: a second run sends nothing again.
  time.advanceMinutes(60);
  expect(await deliverDue(w.db, transport, { clock: time.clock })).toEqual({ sent: 0, retried: 0, failed: 0 });
  expect(smtp.received).toHaveLength(1);
});

test("a refused message is retried a minute later, not before", async () => {
  await enqueue(notice(w.alice, "remind:a1:3d"));
  const transport = smtpTransport(smtp.url, FROM);
  smtp.refuseNext(1);

  expect(await deliverDue(w.db, transport, { clock: time.clock })).toEqual({ sent: 0, retried: 1, failed: 0 });
  const afterFailure = await row("remind:a1:3d");
  expect(afterFailure).toMatchObject({ status: "pending", attempts: 1, next_attempt_at: "2027-03-01T09:01:00.000Z", sent_at: null });
  expect(afterFailure.last_error).toContain("451");
  expect(afterFailure.last_error).not.toMatch(/\n|\bat .+:\d+:\d+/);

  time.advanceMs(59_000);
  expect(await deliverDue(w.db, transport, { clock: time.clock })).toEqual({ sent: 0, retried: 0, failed: 0 });
  expect(smtp.received).toHaveLength(0);

  time.advanceMs(1_000);
  expect(await deliverDue(w.db, transport, { clock: time.clock })).toEqual({ sent: 1, retried: 0, failed: 0 });
  expect(smtp.received).toHaveLength(1);
  expect(await row("remind:a1:3d")).toMatchObject({ status: "sent", attempts: 1, sent_at: "2027-03-01T09:01:00.000Z" });
});

test("a mail that keeps failing backs off, is marked failed after the last attempt, audited and kept", async () => {
  await enqueue(notice(w.alice, "remind:a1:3d"));
  const { id } = await row("remind:a1:3d");
  const transport = smtpTransport(smtp.url, FROM);
  smtp.refuseAll({ code: 550, message: "No such mailbox here" });

  for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
    expect(await deliverDue(w.db, transport, { clock: time.clock })).toEqual({ sent: 0, retried: 1, failed: 0 });
    const r = await row("remind:a1:3d");
    const waitMinutes = (Date.parse(r.next_attempt_at) - time.clock().getTime()) / 60_000;
    expect({ status: r.status, attempts: r.attempts, waitMinutes }).toEqual({ status: "pending", attempts: attempt, waitMinutes: RETRY_DELAYS_MINUTES[attempt - 1] });
    time.advanceMinutes(waitMinutes);
  }
  expect(await deliverDue(w.db, transport, { clock: time.clock })).toEqual({ sent: 0, retried: 0, failed: 1 });

  const failed = await row("remind:a1:3d");
  expect(failed).toMatchObject({ id, status: "failed", attempts: MAX_ATTEMPTS, sent_at: null, claimed_until: null });
  expect(failed.last_error).toContain("550");
  expect(smtp.refused()).toBe(MAX_ATTEMPTS);

  const audit = await w.db.selectFrom("audit_log").selectAll().where("action", "=", "notification.failed").execute();
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({ subject_type: "notification", subject_id: id, actor_id: null, at: time.clock().toISOString() });
  expect(JSON.parse(audit[0].data_json)).toEqual({ kind: "reminder_before", attempts: MAX_ATTEMPTS });
  expect((await verifyAuditChain(w.db)).ok).toBe(true);

  // Failed is final: much later, with the server working again, nothing is sent.
  smtp.refuseNext(0);
  time.advanceMinutes(60 * 24 * 30);
  expect(await deliverDue(w.db, transport, { clock: time.clock })).toEqual({ sent: 0, retried: 0, failed: 0 });
  expect(smtp.received).toHaveLength(0);
  expect((await row("remind:a1:3d")).status).toBe("failed");
});

test("two deliverers working at once send each mail exactly once", async () => {
  const N = 24;
  for (let i = 0; i < N; i++) await enqueue(notice(i % 2 ? w.alice : w.bob, `remind:${i}`));
  // A second instance: its own Kysely and SQLite connection on the same file.
  const other = createDb(w.url);
  cleanups.push(() => other.destroy());

  const [a, b] = await Promise.all([
    deliverDue(w.db, smtpTransport(smtp.url, FROM), { clock: time.clock, batchSize: 5 }),
    deliverDue(other, smtpTransport(smtp.url, FROM), { clock: time.clock, batchSize: 5 }),
  ]);

  expect(a.sent + b.sent).toBe(N);
  expect(a.retried + b.retried + a.failed + b.failed).toBe(0);
  expect(smtp.received).toHaveLength(N);
  expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(N);
  const statuses = await w.db.selectFrom("notifications").select("status").execute();
  expect(statuses.every((s) => s.status === "sent")).toBe(true);
});

test("without SMTP_URL each mail is written as a readable .eml file under DATA_DIR/outbox", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-mail-"));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  await enqueue(notice(w.alice, "remind:a1:3d"));
  const { id } = await row("remind:a1:3d");
  const transport = transportFromConfig({ smtpUrl: null, mailFrom: FROM, dataDir });
  expect(transport.name).toBe("file");

  expect(await deliverDue(w.db, transport, { clock: time.clock })).toEqual({ sent: 1, retried: 0, failed: 0 });

  const outbox = path.join(dataDir, "outbox");
  expect(fs.readdirSync(outbox)).toEqual([`${id}.eml`]); // no temporary file left behind
  const raw = fs.readFileSync(path.join(outbox, `${id}.eml`), "utf8");
  expect(raw).toContain("\r\n"); // RFC 5322 line endings
  const mail = parseMail(raw);
  expect(mail.headers.get("from")).toBe(FROM);
  expect(mail.headers.get("to")).toBe("alice@test.example");
  expect(mail.subject).toBe("Reminder: Protecting trade secrets is due on 8 March");
  expect(mail.messageId).toBe(`<${id}@confidant>`);
  expect(mail.headers.get("content-type")).toMatch(/^text\/plain; charset=utf-8/i);
  expect(mail.text).toBe(BODY);
  expect((await row("remind:a1:3d")).status).toBe("sent");

  expect(transportFromConfig({ smtpUrl: smtp.url, mailFrom: FROM, dataDir }).name).toBe("smtp");
});

test("a mail claimed by a deliverer that died is sent by another once the claim lapses", async () => {
  await enqueue(notice(w.alice, "remind:a1:3d"));
  // The first deliverer claims the mail and then never finishes sending it.
  let started!: () => void;
  const sendStarted = new Promise<void>((resolve) => (started = resolve));
  let giveUp!: (err: Error) => void;
  const stuck: MailTransport = {
    name: "stuck",
    send: () => {
      started();
      return new Promise<void>((_, reject) => (giveUp = reject));
    },
  };
  const first = deliverDue(w.db, stuck, { clock: time.clock });
  await sendStarted;
  expect(await row("remind:a1:3d")).toMatchObject({ status: "sending", claimed_until: "2027-03-01T09:05:00.000Z" });

  const transport = smtpTransport(smtp.url, FROM);
  time.advanceMinutes(4);
  expect(await deliverDue(w.db, transport, { clock: time.clock })).toEqual({ sent: 0, retried: 0, failed: 0 });
  expect(smtp.received).toHaveLength(0);

  time.advanceMinutes(1);
  time.advanceMs(1_000);
  expect(await deliverDue(w.db, transport, { clock: time.clock })).toEqual({ sent: 1, retried: 0, failed: 0 });
  expect(smtp.received).toHaveLength(1);

  // The first deliverer comes back with an error: its claim is gone, so it records nothing.
  giveUp(new Error("connection reset"));
  expect(await first).toEqual({ sent: 0, retried: 0, failed: 0 });
  expect(await row("remind:a1:3d")).toMatchObject({ status: "sent", attempts: 0, last_error: null, sent_at: "2027-03-01T09:05:01.000Z" });
});
