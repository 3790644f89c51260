// Two scheduler runs at once on the same SQLite file: in one process (two Kysely instances, each
// on its own thread, as two app instances would be), and as two operating-system processes of
// the real command line. Whatever the interleaving, each person gets each course once per cycle,
// and each notification exists once.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { afterEach, beforeEach, expect, test } from "vitest";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { DEFAULT_REMINDERS, readConfig } from "../../app/config.server";
import { acquireLease, leaseHolder, releaseLease } from "../../app/jobs/lease.server";
import { LEASE_NAME, runOnce } from "../../app/scheduler/run.server";
import type { RunSummary } from "../../app/scheduler/scheduler.server";
import { createDb, type Db } from "../../db/connection";
import { freshDb, type TestDb } from "../support/db";
import { realCatalog, SECRET } from "../support/world";
import { addPeople, duplicates, MANAGERS, NO_DUPLICATES, nothingDone, ONBOARDING, ORIGIN, rowCounts, run, startCli, tempDir } from "../support/org";

const NOW = "2027-01-04T09:00:00.000Z";

let t: TestDb;
let org: Awaited<ReturnType<typeof addPeople>>;
const cleanups: Array<() => void | Promise<void>> = [];

beforeEach(async () => {
  t = await freshDb();
});

/** Every 10th person manages the 9 after them; 2 are in HR. */
async function seed(people: number) {
  org = await addPeople(t.db, people, { at: "2027-01-03T12:00:00.000Z", startDate: "2027-01-01", managersEvery: 10, hr: 2 });
}

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await t.close();
});

/** The end state of one complete run for this organisation, whoever did the work. */
async function expectExactlyOneOfEverything(db: Db) {
  expect(org.managers).toBe(org.people / 10);
  expect(await duplicates(db)).toEqual(NO_DUPLICATES);
  const byCourse = await db
    .selectFrom("assignments")
    .select((eb) => ["course_id", "cycle", eb.fn.countAll<number>().as("n"), eb.fn.count<number>("user_id").distinct().as("people")])
    .groupBy(["course_id", "cycle"])
    .orderBy("course_id")
    .execute();
  expect(byCourse.map((r) => [r.course_id, r.cycle, Number(r.n), Number(r.people)])).toEqual([
    [MANAGERS, "onboarding", org.managers, org.managers],
    [ONBOARDING, "onboarding", org.people, org.people],
  ]);
  const byKind = await db
    .selectFrom("notifications")
    .select((eb) => ["kind", eb.fn.countAll<number>().as("n")])
    .groupBy("kind")
    .orderBy("kind")
    .execute();
  expect(byKind.map((r) => [r.kind, Number(r.n)])).toEqual([
    ["assigned", org.people + org.managers],
    ["hr_digest", org.hr],
  ]);
  // The audit log names each issued assignment exactly once, and its chain is intact.
  const issuedEntries = await db.selectFrom("audit_log").select("data_json").where("action", "=", "scheduler.assignments_issued").execute();
  const named = issuedEntries.flatMap((e) => (JSON.parse(e.data_json) as { assignments: string[] }).assignments);
  expect(named.length).toBe(org.people + org.managers);
  expect(new Set(named).size).toBe(named.length);
  expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
}

const totalIssued = (summaries: RunSummary[]) => summaries.reduce((n, s) => n + s.issued.onboarding, 0);

// --- in one process ----------------------------------------------------------------------------

// A worker thread that loads the app's TypeScript through tsx, opens its own connection, and runs
// the scheduler when told to: two of them are two instances in one process, truly concurrent.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { register } = await import("tsx/esm/api");
  register();
  const { createDb } = await import(workerData.modules.connection);
  const { loadCatalog } = await import(workerData.modules.catalog);
  const { runScheduler } = await import(workerData.modules.scheduler);
  const db = createDb("file:" + workerData.file);
  const catalog = loadCatalog(workerData.courses);
  parentPort.postMessage({ ready: true });
  await new Promise((resolve) => parentPort.once("message", resolve));
  const started = Date.now();
  try {
    const summary = await runScheduler(db, { catalog, now: new Date(workerData.now), rules: workerData.rules, origin: workerData.origin });
    parentPort.postMessage({ summary, started, finished: Date.now() });
  } catch (e) {
    parentPort.postMessage({ error: String((e && e.stack) || e), started, finished: Date.now() });
  } finally {
    await db.destroy();
  }
})().catch((e) => parentPort.postMessage({ error: String((e && e.stack) || e) }));
`;

type WorkerResult = { summary?: RunSummary; error?: string; started: number; finished: number };

function schedulerThread(file: string) {
  const modules = Object.fromEntries(
    Object.entries({ connection: "db/connection.ts", catalog: "app/courses/catalog.server.ts", scheduler: "app/scheduler/scheduler.server.ts" }).map(([k, p]) => [
      k,
      pathToFileURL(path.resolve(p)).href,
    ]),
  );
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { file, modules, courses: path.resolve("courses"), now: NOW, rules: DEFAULT_REMINDERS, origin: ORIGIN },
  });
  cleanups.push(() => void worker.terminate());
  const messages: unknown[] = [];
  let wake: (() => void) | null = null;
  worker.on("message", (m) => {
    messages.push(m);
    wake?.();
  });
  worker.on("error", (e) => {
    messages.push({ error: String(e), started: 0, finished: 0 });
    wake?.();
  });
  const next = async <T,>(): Promise<T> => {
    while (messages.length === 0) await new Promise<void>((r) => (wake = r));
    wake = null;
    return messages.shift() as T;
  };
  return { worker, next };
}

test("two instances in one process, on their own threads, running at once with the same now: one of everything", async () => {
  await seed(1000);
  const a = schedulerThread(t.file);
  const b = schedulerThread(t.file);
  expect(await a.next()).toEqual({ ready: true });
  expect(await b.next()).toEqual({ ready: true });
  a.worker.postMessage("go");
  b.worker.postMessage("go");
  const [ra, rb] = await Promise.all([a.next<WorkerResult>(), b.next<WorkerResult>()]);
  expect(ra.error).toBeUndefined();
  expect(rb.error).toBeUndefined();
  // They really ran at the same time.
  expect(ra.started < rb.finished && rb.started < ra.finished).toBe(true);

  await expectExactlyOneOfEverything(t.db);
  // Each assignment and each digest was counted by exactly one of the two runs.
  expect(totalIssued([ra.summary!, rb.summary!])).toBe(org.people + org.managers);
  expect(ra.summary!.hrDigests + rb.summary!.hrDigests).toBe(org.hr);
  // And a third run at the same moment finds nothing left to do.
  expect(nothingDone(await run(t.db, NOW))).toBe(true);
  await expectExactlyOneOfEverything(t.db);
}, 120_000);

// better-sqlite3 is synchronous: on one thread, a connection that waits for another's write lock
// blocks the very thread that would release it, so it waits out the busy timeout (5 s) and fails
// with SQLITE_BUSY. The app never does this (one connection per process); what matters is that
// the failed run leaves nothing half-done and the next run completes the work.
test("two instances on one thread: a run that loses the lock fails whole, and the next run completes the work", async () => {
  await seed(500);
  const one = createDb(t.url);
  const two = createDb(t.url);
  cleanups.push(() => one.destroy(), () => two.destroy());
  const results = await Promise.allSettled([run(one, NOW), run(two, NOW)]);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  for (const f of failures) expect(String(f.reason)).toMatch(/database is locked/);
  expect(failures.length).toBeLessThan(2);
  // Whatever was issued before the failure was issued whole: with its mail, once.
  expect(await duplicates(t.db)).toEqual(NO_DUPLICATES);
  await run(t.db, "2027-01-04T09:05:00.000Z");
  await expectExactlyOneOfEverything(t.db);
}, 120_000);

// --- the lease --------------------------------------------------------------------------------

test("while a live run holds the lease another is refused and changes nothing; an expired lease is taken over", async () => {
  await seed(50);
  const dataDir = tempDir("confidant-data-");
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const config = readConfig({ NODE_ENV: "test", APP_ORIGIN: ORIGIN, APP_SECRET: SECRET, DATA_DIR: dataDir, LOG_LEVEL: "silent" });
  const once = () => runOnce(t.db, { catalog: realCatalog(), config, now: new Date(NOW), deliver: false });

  // A run in this very process (alive, on this host) holds it.
  const holder = leaseHolder();
  expect(await acquireLease(t.db, LEASE_NAME, holder)).toBe(true);
  const before = await rowCounts(t.db);
  expect(await once()).toEqual({ ran: false, reason: "another scheduler run holds the lease" });
  expect(await rowCounts(t.db)).toEqual(before);
  await releaseLease(t.db, LEASE_NAME, holder);

  // A holder on another machine, alive as far as we can tell, until its lease runs out.
  const elsewhere = "another-host:4242:abcdef12";
  expect(await acquireLease(t.db, LEASE_NAME, elsewhere)).toBe(true);
  expect((await once()).ran).toBe(false);
  await t.db.updateTable("scheduler_lease").set({ expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
  const took = await once();
  expect(took.ran).toBe(true);
  expect(took.ran && took.summary.issued.onboarding).toBe(org.people + org.managers);
  // Let go afterwards.
  expect(await t.db.selectFrom("scheduler_lease").selectAll().execute()).toEqual([]);
});

// --- two processes -----------------------------------------------------------------------------

test("two command-line runs started together: both exit 0, the lease lets one work at a time, and the end state has one of everything", async () => {
  // Under 1,000 notifications, so one delivery pass (at most 1,000 mails) sends them all.
  await seed(300);
  const dataDir = tempDir("confidant-data-");
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const args = ["--once", "--now", NOW];
  const [r1, r2] = await Promise.all([startCli(args, { databaseUrl: t.url, dataDir }).done, startCli(args, { databaseUrl: t.url, dataDir }).done]);
  for (const r of [r1, r2]) {
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  }
  const ran = [r1, r2].filter((r) => r.stdout.startsWith(`Scheduler run at ${NOW}\n`));
  const refused = [r1, r2].filter((r) => r.stdout === "Not run: another scheduler run holds the lease.\n");
  expect(ran.length).toBeGreaterThanOrEqual(1);
  expect(ran.length + refused.length).toBe(2);
  // What the runs that ran say they issued adds up to exactly what exists.
  const issued = ran.map((r) => Number(/onboarding (\d+),/.exec(r.stdout)![1]));
  expect(issued.reduce((a, b) => a + b, 0)).toBe(org.people + org.managers);
  // One at a time: if both ran, the second found the work done (it did not share it).
  expect(issued.filter((n) => n > 0).length).toBe(1);
  const mailed = ran.map((r) => Number(/Mail: (\d+) sent, 0 to retry, 0 failed/.exec(r.stdout)![1]));

  await expectExactlyOneOfEverything(t.db);
  // Each run that ran recorded itself; the lease was let go.
  expect((await t.db.selectFrom("audit_log").select("seq").where("action", "=", "scheduler.run").execute()).length).toBe(ran.length);
  expect(await t.db.selectFrom("scheduler_lease").selectAll().execute()).toEqual([]);
  // Every notification was delivered once: one .eml file each, and no more.
  const rows = await rowCounts(t.db);
  const sent = await t.db.selectFrom("notifications").select("id").where("status", "=", "sent").execute();
  expect(mailed.reduce((a, b) => a + b, 0)).toBe(rows.notifications);
  expect(sent.length).toBe(rows.notifications);
  expect(fs.readdirSync(path.join(dataDir, "outbox")).sort()).toEqual(sent.map((s) => `${s.id}.eml`).sort());
}, 120_000);
