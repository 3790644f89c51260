// Mail at volume: 20,000 queued messages delivered by two mail loops at once (two instances on
// one database) to an SMTP sink on 127.0.0.1. Aim: at least 200 messages a second, each message
// received exactly once. Then a sink that takes 30 s to answer the end of DATA (three times the
// old 10 s timeout): every message still arrives once, none twice.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { createDb, openSqlite } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { readConfig } from "../../app/config.server";
import { systemClock } from "../../app/clock";
import { createMailer, drainOutbox } from "../../app/notifications/mail-loop.server";
import type { CaseOutcome } from "./support/types";

export const description = "mail: 20,000 messages to an SMTP sink on 127.0.0.1, then a sink that answers DATA after 30 s";

const MESSAGES = Number(process.env.BENCH_MAILS ?? 20_000);
const SLOW_MESSAGES = Number(process.env.BENCH_SLOW_MAILS ?? 40);
const SLOW_REPLY_MS = 30_000;

/** Counts each Message-ID it accepts. */
async function sink(replyDelayMs: number) {
  const seen = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    closeTimeout: 200,
    onData(stream, _session, callback) {
      let head = "";
      stream.on("data", (c: Buffer) => {
        if (head.length < 4096) head += c.toString("utf8");
      });
      stream.on("end", () => {
        const id = /^message-id:\s*(\S+)/im.exec(head)?.[1] ?? "?";
        seen.set(id, (seen.get(id) ?? 0) + 1);
        setTimeout(() => callback(null), replyDelayMs);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function seed(file: string, count: number) {
  const db = openSqlite(file);
  const insert = db.prepare(
    `insert into notifications (id, event_key, kind, user_id, to_email, why, subject, body, created_at, status, attempts, next_attempt_at)
     values (?, ?, 'assigned', null, ?, 'bench', 'Your course is waiting', 'Hello,\n\nA course is waiting for you.\n\nConfidant', ?, 'pending', 0, ?)`,
  );
  const at = new Date(Date.now() - 1000).toISOString();
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run(`ntf_bench${String(i).padStart(6, "0")}`, `bench:${i}`, `person${i}@${i % 5}.bench.example`, at, at);
  })();
  db.close();
}

async function deliverWithTwoLoops(file: string, url: string, env: Record<string, string>) {
  const config = readConfig({ NODE_ENV: "production", APP_SECRET: "bench-secret-0123456789abcdef0123456789", LOG_LEVEL: "silent", SMTP_URL: url, ...env });
  const dbs = [createDb(`file:${file}`), createDb(`file:${file}`)];
  const mailers = dbs.map(() => createMailer(config));
  const started = performance.now();
  const results = await Promise.all(dbs.map((db, i) => drainOutbox(db, mailers[i], { clock: systemClock })));
  const ms = performance.now() - started;
  // A second pass finds nothing left to send.
  const again = await drainOutbox(dbs[0], mailers[0], { clock: systemClock });
  const statuses = await dbs[0].selectFrom("notifications").select(["status"]).select((eb) => eb.fn.countAll<number>().as("n")).groupBy("status").execute();
  for (const m of mailers) m.close();
  for (const db of dbs) await db.destroy();
  return { ms, sent: results.reduce((a, r) => a + r.sent, 0), resent: again.sent, statuses: Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)])) };
}

function exactlyOnce(seen: Map<string, number>, expected: number) {
  const duplicates = [...seen.values()].filter((n) => n > 1).length;
  return { distinct: seen.size, duplicates, ok: seen.size === expected && duplicates === 0 };
}

async function measure(dir: string, name: string, count: number, replyDelayMs: number, env: Record<string, string>) {
  const file = path.join(dir, `${name}.sqlite`);
  const db = createDb(`file:${file}`);
  await migrateToLatest(db);
  await db.destroy();
  seed(file, count);
  const server = await sink(replyDelayMs);
  try {
    const run = await deliverWithTwoLoops(file, server.url, env);
    return { ...run, ...exactlyOnce(server.seen, count), perSecond: count / (run.ms / 1000) };
  } finally {
    await server.close();
  }
}

export async function run(): Promise<CaseOutcome> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-bench-mail-"));
  try {
    const fast = await measure(dir, "fast", MESSAGES, 0, { MAIL_CONCURRENCY: process.env.BENCH_MAIL_CONCURRENCY ?? "16" });
    console.log(`  normal sink:  ${MESSAGES.toLocaleString()} messages in ${(fast.ms / 1000).toFixed(1)} s = ${fast.perSecond.toFixed(0)}/s (target ≥ 200/s) — ${fast.perSecond >= 200 ? "OK" : "BELOW TARGET"}`);
    console.log(`                ${fast.distinct.toLocaleString()} distinct received, ${fast.duplicates} duplicates, ${fast.resent} sent by a second pass; rows ${JSON.stringify(fast.statuses)}`);
    // As many connections as messages, so the 30 s replies overlap and the case takes ~30 s.
    const slow = await measure(dir, "slow", SLOW_MESSAGES, SLOW_REPLY_MS, { MAIL_CONCURRENCY: String(Math.ceil(SLOW_MESSAGES / 2)) });
    console.log(`  slow sink:    ${SLOW_MESSAGES} messages, DATA answered after ${SLOW_REPLY_MS / 1000} s: ${slow.distinct} distinct received, ${slow.duplicates} duplicates in ${(slow.ms / 1000).toFixed(1)} s; rows ${JSON.stringify(slow.statuses)}`);
    const ok = fast.ok && fast.perSecond >= 200 && fast.resent === 0 && slow.ok && slow.resent === 0;
    const results = { case: "mail", at: new Date().toISOString(), messages: MESSAGES, fast, slowMessages: SLOW_MESSAGES, slowReplyMs: SLOW_REPLY_MS, slow, ok, machine: `${os.cpus().length} cores, Node ${process.version}` };
    fs.mkdirSync(path.resolve("data", "bench"), { recursive: true });
    const out = path.resolve("data", "bench", "mail.json");
    fs.writeFileSync(out, JSON.stringify(results, null, 2));
    return { ok, file: out, perSecond: fast.perSecond, duplicates: fast.duplicates + slow.duplicates };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
