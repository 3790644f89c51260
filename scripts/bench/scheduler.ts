// The yearly refresher run at scale: 100,000 people, 12 courses, every completion of last year
// expiring inside the renewal window, so one run issues 1.2 million renewal assignments (each
// with its "assigned" email queued in the outbox). Timed next to the floor: the same number of
// rows inserted by one bare prepared statement in one transaction. Aim: within 3× of the floor,
// and the process under 500 MB.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { sql } from "kysely";
import { createDb, openSqlite, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { loadCatalog, type Catalog, type Course } from "../../app/courses/catalog.server";
import { runScheduler } from "../../app/scheduler/scheduler.server";
import { DEFAULT_REMINDERS } from "../../app/config.server";
import type { CaseOutcome } from "./support/types";
import { measuredDatabase } from "./support/database";

export const description = "scheduler: one yearly run issuing refreshers for 100,000 people × 12 courses";

const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 100_000);
const COURSES = 12;
const NOW = "2027-12-01T06:00:00.000Z";

/** Twelve yearly courses, each renewing itself, made from the shipped onboarding course. */
function twelveCourses(): Catalog {
  const real = loadCatalog(path.resolve("courses"));
  const base = real.courses.get("protecting-trade-secrets")!;
  const courses = new Map<string, Course>();
  for (let i = 1; i <= COURSES; i++) {
    const id = `course-${String(i).padStart(2, "0")}`;
    courses.set(id, { ...base, id, meta: { ...base.meta, title: `Course ${i}`, assign: "manual", renewWith: undefined, recurrence: { kind: "rolling", months: 12 }, renewalWindowDays: 30 } });
  }
  return { ...real, courses };
}

/** Last year's history, written directly: 100,000 people, each with 12 completed cycles that
 * expire during the coming renewal window. */
function seed(file: string) {
  const db = openSqlite(file);
  const insertUser = db.prepare(
    `insert into users (id, email, name, type, status, is_hr, start_date, created_at, updated_at, board_opt_out)
     values (?, ?, ?, 'employee', 'active', 0, '2025-01-01', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', 0)`,
  );
  const insertAssignment = db.prepare(
    `insert into assignments (id, user_id, course_id, family, cycle, reason, assigned_at, due_at, completed_at, completed_content_hash, expires_at)
     values (?, ?, ?, ?, 'onboarding', 'onboarding', ?, ?, ?, 'seed', ?)`,
  );
  db.transaction(() => {
    for (let p = 0; p < PEOPLE; p++) {
      const uid = `usr_${String(p).padStart(7, "0")}`;
      insertUser.run(uid, `person${p}@bench.example`, `Person ${p}`);
      for (let c = 1; c <= COURSES; c++) {
        const course = `course-${String(c).padStart(2, "0")}`;
        const day = String(1 + ((p + c) % 28)).padStart(2, "0");
        insertAssignment.run(`asg_${uid}_${c}`, uid, course, course, "2026-12-01T09:00:00.000Z", "2026-12-31T09:00:00.000Z", `2026-12-${day}T09:00:00.000Z`, `2027-12-${day}T09:00:00.000Z`);
      }
    }
  })();
  db.close();
}

/** The floor: as many rows, one prepared statement, one transaction. */
function floor(dir: string, rows: number): number {
  const db = new Database(path.join(dir, "floor.sqlite"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec("create table t (id text primary key, user_id text, course_id text, cycle text, reason text, assigned_at text, due_at text)");
  const insert = db.prepare("insert into t values (?, ?, ?, ?, ?, ?, ?)");
  const started = process.hrtime.bigint();
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`asg_${i}`, `usr_${i % PEOPLE}`, `course-${i % COURSES}`, "renewal-2027-12-01", "annual", NOW, NOW);
  })();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  db.close();
  return ms;
}

async function postgresFloor(db: Db, rows: number): Promise<number> {
  await sql`create table floor_t (id text primary key, user_id text, course_id text, cycle text, reason text, assigned_at text, due_at text)`.execute(db);
  const started = process.hrtime.bigint();
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows; i++) {
      await sql`insert into floor_t values (${`asg_${i}`}, ${`usr_${i % PEOPLE}`}, ${`course-${i % COURSES}`}, 'renewal-2027-12-01', 'annual', ${NOW}, ${NOW})`.execute(trx);
    }
  });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export async function run(): Promise<CaseOutcome> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-bench-scheduler-"));
  try {
    const file = path.join(dir, "bench.sqlite");
    const db = createDb(`file:${file}`);
    await migrateToLatest(db);
    await db.destroy();
    const seedStart = Date.now();
    seed(file);
    console.log(`  seeded ${PEOPLE.toLocaleString()} people and ${(PEOPLE * COURSES).toLocaleString()} completed cycles in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);

    const catalog = twelveCourses();
    const measured = await measuredDatabase(file);
    const scheduled = createDb(measured.url);
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const started = process.hrtime.bigint();
    const summary = await runScheduler(scheduled, { catalog, now: new Date(NOW), rules: DEFAULT_REMINDERS, origin: "http://confidant.bench" });
    const runMs = Number(process.hrtime.bigint() - started) / 1e6;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const issued = summary.issued.annual;
    const outbox = Number((await scheduled.selectFrom("notifications").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst())?.n ?? 0);
    // The floor on the same database: on PostgreSQL, one parameterised INSERT a row, in one transaction.
    const floorMs = measured.db === "postgres" ? await postgresFloor(scheduled, issued) : floor(dir, issued);
    await scheduled.destroy();
    measured.close();
    const ratio = runMs / floorMs;
    const peakMb = peakRss / 1024 / 1024;
    const ok = ratio <= 3 && peakMb < 500 && issued === PEOPLE * COURSES;
    console.log(`  scheduler run:   ${(runMs / 1000).toFixed(1)} s for ${issued.toLocaleString()} renewals (+ ${outbox.toLocaleString()} queued emails, audit entries per batch)`);
    console.log(`  floor:           ${(floorMs / 1000).toFixed(1)} s for ${issued.toLocaleString()} bare inserts in one transaction (${measured.db})`);
    console.log(`  ratio:           ${ratio.toFixed(2)}× the floor (target ≤ 3×) — ${ratio <= 3 ? "OK" : "ABOVE TARGET"}`);
    console.log(`  peak memory:     ${peakMb.toFixed(0)} MB (target < 500 MB) — ${peakMb < 500 ? "OK" : "ABOVE TARGET"}`);
    const results = { case: "scheduler", db: measured.db, at: new Date().toISOString(), people: PEOPLE, courses: COURSES, issued, queuedEmails: outbox, runMs, floorMs, ratio, peakMb, ok, machine: `${os.cpus().length} cores, Node ${process.version}` };
    fs.mkdirSync(path.resolve("data", "bench"), { recursive: true });
    const out = path.resolve("data", "bench", measured.db === "postgres" ? "scheduler-postgres.json" : "scheduler.json");
    fs.writeFileSync(out, JSON.stringify(results, null, 2));
    return { ok, file: out, ratio, peakMb };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
