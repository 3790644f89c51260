// Mail at volume against a real database (SQLite, or PostgreSQL with CONFIDANT_TEST_DB=postgres)
// and a real SMTP server on loopback: several mail loops at once deliver each message once, a
// server slower than the old 10 s timeout gets each message once, a refusing server leads to
// retries and then a failed row, never a lost one; HR's backlog counts.
import { afterEach, beforeEach, expect, test } from "vitest";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import type { Clock } from "../../app/clock";
import { DEFAULT_MAIL, readConfig } from "../../app/config.server";
import { enqueueNotifications, outboxBacklog, type NewNotification } from "../../app/notifications/outbox.server";
import { MAX_ATTEMPTS, RETRY_DELAYS_MINUTES, smtpTransport } from "../../app/notifications/delivery.server";
import { createMailer, drainOutbox, startMailLoop } from "../../app/notifications/mail-loop.server";
import { createDb } from "../../db/connection";
import { makeWorld, type World } from "../support/world";
import { startSmtp, type TestSmtp } from "../support/smtp";

const FROM = "Confidant <confidant@test.example>";
const START = "2027-03-01T09:00:00.000Z";
let w: World;
let smtp: TestSmtp;
const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(async () => {
  w = await makeWorld(START);
  smtp = await startSmtp();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await smtp.close();
  await w.close();
});

function clockAt(iso: string) {
  let t = Date.parse(iso);
  const clock: Clock = () => new Date(t);
  return { clock, advanceMinutes: (m: number) => void (t += m * 60_000) };
}

async function queue(count: number, at = new Date(START)) {
  const list: NewNotification[] = Array.from({ length: count }, (_, i) => ({
    eventKey: `bulk:${i}`,
    kind: "assigned",
    userId: null,
    toEmail: `person${i}@d${i % 3}.test.example`,
    why: "test",
    subject: `Message ${i}`,
    body: "Hello",
  }));
  await w.db.transaction().execute((trx) => enqueueNotifications(trx, list, at));
}

function mailConfig(url: string, env: Record<string, string> = {}) {
  return readConfig({ NODE_ENV: "test", APP_SECRET: "x".repeat(40), SMTP_URL: url, ...env });
}

test("three mail loops on their own connections deliver every message exactly once", async () => {
  const N = 120;
  await queue(N);
  const config = mailConfig(smtp.url, { MAIL_CONCURRENCY: "4" });
  const dbs = [w.db, createDb(w.url), createDb(w.url)];
  cleanups.push(() => Promise.all(dbs.slice(1).map((d) => d.destroy())).then(() => {}));
  const mailers = dbs.map(() => createMailer(config));
  cleanups.push(() => mailers.forEach((m) => m.close()));
  const { clock } = clockAt(START);

  const results = await Promise.all(dbs.map((db, i) => drainOutbox(db, mailers[i], { clock })));

  expect(results.reduce((a, r) => a + r.sent, 0)).toBe(N);
  expect(smtp.received).toHaveLength(N);
  expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(N);
  expect(await outboxBacklog(w.db, new Date(START))).toEqual({ pending: 0, dueNow: 0, failed: 0, sentLastHour: N });
  // Nothing is left: another pass sends nothing.
  expect((await drainOutbox(w.db, mailers[0], { clock })).sent).toBe(0);
});

/** A sink that answers the end of DATA only after `delayMs`, counting what it accepted. */
async function slowSink(delayMs: number) {
  const accepted: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    closeTimeout: 200,
    onData(stream, _session, callback) {
      let raw = "";
      stream.on("data", (c: Buffer) => (raw += c.toString("utf8")));
      stream.on("end", () => {
        accepted.push(/^message-id:\s*(\S+)/im.exec(raw)?.[1] ?? "?");
        setTimeout(() => callback(null), delayMs);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, accepted };
}

test("a server that answers DATA after 11 s (past the old 10 s timeout) receives each message once", async () => {
  await queue(3);
  const sink = await slowSink(11_000);
  // The DATA timeout made small for the test: 15 s instead of RFC 5321's 10 minutes.
  const transport = smtpTransport(sink.url, FROM, { ...DEFAULT_MAIL, concurrency: 3, dataTimeoutMs: 15_000 });
  cleanups.push(() => transport.close?.());
  const time = clockAt(START);
  const mailer = { transport, limiter: { reserve: () => 0 }, concurrency: 3, close: () => {} };

  expect(await drainOutbox(w.db, mailer, { clock: time.clock })).toEqual({ sent: 3, retried: 0, failed: 0 });
  time.advanceMinutes(60 * 24);
  expect(await drainOutbox(w.db, mailer, { clock: time.clock })).toEqual({ sent: 0, retried: 0, failed: 0 });
  expect(sink.accepted).toHaveLength(3);
  expect(new Set(sink.accepted).size).toBe(3);
}, 40_000);

test("a server silent past the DATA timeout may have the message: it is marked failed, not sent again", async () => {
  await queue(1);
  const sink = await slowSink(2_000);
  const transport = smtpTransport(sink.url, FROM, { ...DEFAULT_MAIL, dataTimeoutMs: 500 });
  cleanups.push(() => transport.close?.());
  const time = clockAt(START);
  const mailer = { transport, limiter: { reserve: () => 0 }, concurrency: 1, close: () => {} };

  expect(await drainOutbox(w.db, mailer, { clock: time.clock })).toEqual({ sent: 0, retried: 0, failed: 1 });
  const row = await w.db.selectFrom("notifications").selectAll().executeTakeFirstOrThrow();
  expect(row).toMatchObject({ status: "failed", attempts: 1, sent_at: null });
  expect(row.last_error).toContain("may have delivered");
  await new Promise((r) => setTimeout(r, 2_000));
  time.advanceMinutes(60 * 24 * 7);
  expect(await drainOutbox(w.db, mailer, { clock: time.clock })).toEqual({ sent: 0, retried: 0, failed: 0 });
  expect(sink.accepted).toHaveLength(1);
}, 20_000);

test("a refusing server: each message is retried on schedule, then failed and kept, never lost", async () => {
  await queue(4);
  smtp.refuseAll({ code: 451, message: "Try again later" });
  const mailer = createMailer(mailConfig(smtp.url, { MAIL_CONCURRENCY: "2" }));
  cleanups.push(() => mailer.close());
  const time = clockAt(START);

  for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
    expect(await drainOutbox(w.db, mailer, { clock: time.clock })).toEqual({ sent: 0, retried: 4, failed: 0 });
    expect(await outboxBacklog(w.db, time.clock())).toMatchObject({ pending: 4, dueNow: 0, failed: 0 });
    time.advanceMinutes(RETRY_DELAYS_MINUTES[attempt - 1]);
    expect((await outboxBacklog(w.db, time.clock())).dueNow).toBe(4);
  }
  expect(await drainOutbox(w.db, mailer, { clock: time.clock })).toEqual({ sent: 0, retried: 0, failed: 4 });
  expect(await outboxBacklog(w.db, time.clock())).toEqual({ pending: 0, dueNow: 0, failed: 4, sentLastHour: 0 });
  expect(smtp.refused()).toBe(4 * MAX_ATTEMPTS);
  const rows = await w.db.selectFrom("notifications").select(["status", "attempts"]).execute();
  expect(rows).toEqual(Array.from({ length: 4 }, () => ({ status: "failed", attempts: MAX_ATTEMPTS })));
});

test("a per-domain rate spaces messages to that domain", async () => {
  const config = mailConfig(smtp.url, { MAIL_RATE_PER_DOMAIN: "d0.test.example:10/s" });
  expect(config.mail.rates).toEqual({ perDomain: { "d0.test.example": 10 }, fallback: null });
  expect(() => mailConfig(smtp.url, { MAIL_RATE_PER_DOMAIN: "example.com:fast" })).toThrow(/MAIL_RATE_PER_DOMAIN/);
  await queue(6); // two each to d0, d1, d2
  const mailer = createMailer(config);
  cleanups.push(() => mailer.close());
  const started = Date.now();
  expect((await drainOutbox(w.db, mailer, { clock: clockAt(START).clock })).sent).toBe(6);
  expect(Date.now() - started).toBeGreaterThanOrEqual(90); // the second d0 message waited 100 ms
});

test("the in-process loop sends mail queued after it started, and stops when told", async () => {
  const config = mailConfig(smtp.url, { MAIL_EVERY_SECONDS: "1" });
  const loop = startMailLoop({ db: w.db, config, logger: { info: () => {}, error: () => {} }, clock: clockAt(START).clock });
  cleanups.push(() => loop.stop());
  await queue(3);
  for (let i = 0; i < 50 && smtp.received.length < 3; i++) await new Promise((r) => setTimeout(r, 100));
  expect(smtp.received).toHaveLength(3);
  await loop.stop();
});
