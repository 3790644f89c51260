// The yearly refresher run at scale: 10,000 and then 100,000 people, 12 courses, every completion
// of last year expiring inside the renewal window, so one run issues 12 renewals a person (each
// with its "assigned" email queued in the outbox). Timed next to the floor the issue defines: the
// same number of assignment rows and notification rows inserted by bare prepared statements into
// tables holding only their primary keys and the unique (person, course, cycle) key, in one
// transaction. Aims: within 3× of the floor; the cost per renewal at 100,000 within 1.25× of that
// at 10,000; the process under 500 MB. BENCH_PEOPLE=10000,30000 picks other sizes.
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
import { assignedMail } from "../../app/notifications/templates.server";
import type { CaseOutcome } from "./support/types";
import { benchDb, measuredDatabase } from "./support/database";

export const description = "scheduler: one yearly run issuing refreshers for 10,000 and 100,000 people × 12 courses, against the floor";

const SIZES = (process.env.BENCH_PEOPLE ?? "10000,100000").split(",").map(Number);
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
function seed(file: string, people: number) {
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
    for (let p = 0; p < people; p++) {
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

/** The floor: as many assignment rows and notification rows (the same columns, a mail of the
 * same length), bare prepared statements, one transaction, no secondary index but the unique
 * (person, course, cycle) key. */
function floor(dir: string, rows: number, people: number): number {
  const db = new Database(path.join(dir, `floor-${rows}.sqlite`));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(`create table a (id text primary key, user_id text, course_id text, family text, cycle text, reason text, assigned_at text, due_at text, previous_expires_at text, unique (user_id, course_id, cycle));
    create table n (id text primary key, event_key text, kind text, user_id text, to_email text, assignment_id text, why text, subject text, body text, created_at text, status text, attempts integer, next_attempt_at text)`);
  const insertA = db.prepare("insert into a values (?, ?, ?, ?, ?, 'annual', ?, ?, ?)");
  const insertN = db.prepare("insert into n values (?, ?, 'assigned', ?, ?, ?, 'Assigned (annual)', ?, ?, ?, 'pending', 0, ?)");
  const mail = assignedMail({ personName: "Person 12345", courseTitle: "Course 12", courseUrl: "http://confidant.bench/courses/course-12", reason: "annual", dueAt: NOW });
  const started = process.hrtime.bigint();
  db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const id = `asg_${String(i).padStart(26, "0")}`;
      const user = `usr_${String(i % people).padStart(7, "0")}`;
      const course = `course-${String(1 + Math.floor(i / people)).padStart(2, "0")}`;
      insertA.run(id, user, course, course, "renewal-2027-12-01", NOW, NOW, NOW);
      insertN.run(`ntf_${String(i).padStart(26, "0")}`, `assigned:${id}`, user, `person${i % people}@bench.example`, id, mail.subject, mail.body, NOW, NOW);
    }
  })();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  db.close();
  return ms;
}

async function postgresFloor(db: Db, rows: number, people: number): Promise<number> {
  await sql`create table floor_t (id text primary key, user_id text, course_id text, cycle text, reason text, assigned_at text, due_at text)`.execute(db);
  const started = process.hrtime.bigint();
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows; i++) {
      await sql`insert into floor_t values (${`asg_${i}`}, ${`usr_${i % people}`}, ${`course-${i % COURSES}`}, 'renewal-2027-12-01', 'annual', ${NOW}, ${NOW})`.execute(trx);
    }
  });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

interface SizeResult {
  people: number;
  issued: number;
  queuedEmails: number;
  runMs: number;
  floorMs: number;
  ratio: number;
  usPerRenewal: number;
  peakMb: number;
}

async function measure(dir: string, people: number): Promise<SizeResult> {
  const file = path.join(dir, `bench-${people}.sqlite`);
  const db = createDb(`file:${file}`);
  await migrateToLatest(db);
  await db.destroy();
  const seedStart = Date.now();
  seed(file, people);
  console.log(`  ${people.toLocaleString()} people: seeded ${(people * COURSES).toLocaleString()} completed cycles in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);

  const catalog = twelveCourses();
  // On PostgreSQL (--db postgres) the seeded file is copied into a throwaway server first.
  const measured = await measuredDatabase(file);
  const scheduled = createDb(measured.url);
  global.gc?.();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const started = process.hrtime.bigint();
  const summary = await runScheduler(scheduled, { catalog, now: new Date(NOW), rules: DEFAULT_REMINDERS, origin: "http://confidant.bench" });
  const runMs = Number(process.hrtime.bigint() - started) / 1e6;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const issued = summary.issued.annual;
  const queuedEmails = Number((await scheduled.selectFrom("notifications").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst())?.n ?? 0);
  // The floor on the same database: on PostgreSQL, one parameterised INSERT a row, in one transaction.
  const floorMs = measured.db === "postgres" ? await postgresFloor(scheduled, issued, people) : floor(dir, issued, people);
  await scheduled.destroy();
  measured.close();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const result = { people, issued, queuedEmails, runMs, floorMs, ratio: runMs / floorMs, usPerRenewal: (runMs * 1000) / issued, peakMb: peakRss / 1024 / 1024 };
  console.log(`  scheduler run:   ${(runMs / 1000).toFixed(1)} s for ${issued.toLocaleString()} renewals (+ ${queuedEmails.toLocaleString()} queued emails, one audit entry per 10,000), ${result.usPerRenewal.toFixed(1)} µs a renewal`);
  console.log(`  floor:           ${(floorMs / 1000).toFixed(2)} s for ${issued.toLocaleString()} bare assignment + notification inserts in one transaction`);
  console.log(`  ratio:           ${result.ratio.toFixed(2)}× the floor (target ≤ 3×) — ${result.ratio <= 3 ? "OK" : "ABOVE TARGET"}`);
  console.log(`  peak memory:     ${result.peakMb.toFixed(0)} MB RSS (target < 500 MB) — ${result.peakMb < 500 ? "OK" : "ABOVE TARGET"}`);
  if (issued !== people * COURSES) throw new Error(`issued ${issued}, expected ${people * COURSES}`);
  return result;
}

export async function run(): Promise<CaseOutcome> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-bench-scheduler-"));
  try {
    const sizes: SizeResult[] = [];
    for (const people of SIZES) sizes.push(await measure(dir, people));
    const small = sizes[0];
    const large = sizes[sizes.length - 1];
    const growth = large.usPerRenewal / small.usPerRenewal;
    if (sizes.length > 1) {
      console.log(`  per-renewal cost ${large.people.toLocaleString()} / ${small.people.toLocaleString()}: ${growth.toFixed(2)}× (target ≤ 1.25×) — ${growth <= 1.25 ? "OK" : "ABOVE TARGET"}`);
    }
    const ok = sizes.every((r) => r.ratio <= 3 && r.peakMb < 500) && growth <= 1.25;
    const results = { case: "scheduler", db: benchDb(), at: new Date().toISOString(), courses: COURSES, sizes, perRenewalGrowth: growth, ok, machine: `${os.cpus().length} cores, Node ${process.version}, load ${os.loadavg()[0].toFixed(1)}` };
    fs.mkdirSync(path.resolve("data", "bench"), { recursive: true });
    const out = path.resolve("data", "bench", results.db === "postgres" ? "scheduler-postgres.json" : "scheduler.json");
    fs.writeFileSync(out, JSON.stringify(results, null, 2));
    return { ok, file: out, growth };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
