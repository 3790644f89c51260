// An organisation on a fresh database at a given moment, the scheduler run "as if it were" a
// given time, and queries that read what it did: for the scheduler tests.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Db } from "../../db/connection";
import type { Assignment, Notification, NotificationKind, User, UserType } from "../../db/schema";
import { fixedClock } from "../../app/clock";
import { DEFAULT_REMINDERS, type ReminderRules } from "../../app/config.server";
import { loadCatalog, type Catalog } from "../../app/courses/catalog.server";
import { createPerson, endLeave, startLeave } from "../../app/people/people.server";
import { workThroughCourse } from "../../app/demo/factories.server";
import { runScheduler, type RunSummary } from "../../app/scheduler/scheduler.server";
import { passwordHash, PASSWORD, realCatalog, SECRET } from "./world";

export const ORIGIN = "http://confidant.test";
export const ONBOARDING = "protecting-trade-secrets";
export const REFRESHER = "annual-refresher";
export const MANAGERS = "leading-a-culture-of-confidentiality";
export const EXIT = "exit-acknowledgement";
export const AGREEMENT = "confidentiality-agreement";

// --- people ---------------------------------------------------------------------------------

export interface PersonSpec {
  name: string;
  /** Defaults to first.last@org.test from the name. */
  email?: string;
  startDate: string;
  endDate?: string | null;
  type?: UserType;
  manager?: User | null;
  hr?: boolean;
  /** Give them the test password (needed to sign an agreement). Default true. */
  canSign?: boolean;
}

export function emailFor(name: string) {
  return `${name.toLowerCase().replace(/[^a-z]+/g, ".")}@org.test`;
}

/** One person, entered into the roster at `at` through the real domain function. */
export async function hire(db: Db, spec: PersonSpec, at: string): Promise<User> {
  const hash = spec.canSign === false ? null : await passwordHash();
  return db.transaction().execute((trx) =>
    createPerson(
      trx,
      {
        name: spec.name,
        email: spec.email ?? emailFor(spec.name),
        startDate: spec.startDate,
        endDate: spec.endDate ?? null,
        type: spec.type ?? "employee",
        managerId: spec.manager?.id ?? null,
        isHr: spec.hr ?? false,
        passwordHash: hash,
      },
      null,
      fixedClock(at),
    ),
  );
}

/** Many people in one transaction: every `managersEvery`-th person manages the ones after them
 * (so about 1 in `managersEvery` is in the managers' audience); the first `hr` people are HR. */
export async function addPeople(
  db: Db,
  count: number,
  { at, startDate, managersEvery = 10, hr = 1, prefix = "p" }: { at: string; startDate: string; managersEvery?: number; hr?: number; prefix?: string },
): Promise<{ people: number; managers: number; hr: number }> {
  let managers = 0;
  await db.transaction().execute(async (trx) => {
    let manager: User | null = null;
    for (let i = 0; i < count; i++) {
      const isManager = i % managersEvery === 0;
      const person = await createPerson(
        trx,
        {
          name: `Person ${prefix}${i}`,
          email: `${prefix}${i}@org.test`,
          startDate,
          managerId: isManager ? null : (manager?.id ?? null),
          type: i % 7 === 3 ? "contractor" : "employee",
          isHr: i < hr,
        },
        null,
        fixedClock(at),
      );
      if (isManager) manager = person;
    }
  });
  // A manager counts once they have at least one report.
  const row = await db
    .selectFrom("users as u")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where((eb) => eb.exists(eb.selectFrom("users as r").select("r.id").whereRef("r.manager_id", "=", "u.id")))
    .executeTakeFirstOrThrow();
  managers = Number(row.n);
  return { people: count, managers, hr: Math.min(hr, count) };
}

/** HR records a last day (what the people screens and roster imports do to the row). */
export async function setEndDate(db: Db, userId: string, endDate: string, at: string) {
  await db.updateTable("users").set({ end_date: endDate, updated_at: at }).where("id", "=", userId).execute();
}

export async function goOnLeave(db: Db, userId: string, at: string) {
  return db.transaction().execute((trx) => startLeave(trx, { userId, actorId: null }, fixedClock(at)));
}

export async function returnFromLeave(db: Db, userId: string, at: string) {
  return db.transaction().execute((trx) => endLeave(trx, { userId, actorId: null }, fixedClock(at)));
}

export async function person(db: Db, userId: string): Promise<User> {
  return db.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirstOrThrow();
}

// --- the scheduler --------------------------------------------------------------------------

export interface RunOptions {
  catalog?: Catalog;
  dryRun?: boolean;
  rules?: ReminderRules;
}

/** One scheduler run as if it were `nowIso`, with the default reminder rules. */
export function run(db: Db, nowIso: string, opts: RunOptions = {}): Promise<RunSummary> {
  return runScheduler(db, {
    catalog: opts.catalog ?? realCatalog(),
    now: new Date(nowIso),
    dryRun: opts.dryRun,
    rules: opts.rules ?? DEFAULT_REMINDERS,
    origin: ORIGIN,
  });
}

/** What a run did, without its time and mode: for comparing a dry run with a real one. */
export function counts(s: RunSummary) {
  const { now: _now, dryRun: _dryRun, ...rest } = s;
  return rest;
}

export function nothingDone(s: RunSummary): boolean {
  const c = counts(s);
  return (
    Object.values(c.issued).every((n) => n === 0) &&
    Object.values(c.reminders).every((n) => n === 0) &&
    c.escalations === 0 &&
    c.hrDigests === 0 &&
    c.expiries === 0 &&
    c.departures.deactivated === 0 &&
    c.departures.cancelled === 0
  );
}

// --- reading what happened ------------------------------------------------------------------

export function assignmentsOf(db: Db, userId: string, courseId?: string): Promise<Assignment[]> {
  let q = db.selectFrom("assignments").selectAll().where("user_id", "=", userId);
  if (courseId) q = q.where("course_id", "=", courseId);
  return q.orderBy("assigned_at").orderBy("course_id").orderBy("id").execute();
}

export async function assignmentOf(db: Db, userId: string, courseId: string, cycle: string): Promise<Assignment> {
  return db
    .selectFrom("assignments")
    .selectAll()
    .where("user_id", "=", userId)
    .where("course_id", "=", courseId)
    .where("cycle", "=", cycle)
    .executeTakeFirstOrThrow();
}

export interface NotificationFilter {
  userId?: string;
  toEmail?: string;
  kind?: NotificationKind;
  assignmentId?: string;
}

export function notifications(db: Db, f: NotificationFilter = {}): Promise<Notification[]> {
  let q = db.selectFrom("notifications").selectAll();
  if (f.userId) q = q.where("user_id", "=", f.userId);
  if (f.toEmail) q = q.where("to_email", "=", f.toEmail);
  if (f.kind) q = q.where("kind", "=", f.kind);
  if (f.assignmentId) q = q.where("assignment_id", "=", f.assignmentId);
  return q.orderBy("created_at").orderBy("event_key").execute();
}

export function notificationByKey(db: Db, eventKey: string): Promise<Notification | undefined> {
  return db.selectFrom("notifications").selectAll().where("event_key", "=", eventKey).executeTakeFirst();
}

/** Every mail to an address, one line each, by day: "2027-02-07 reminder_before protecting-trade-secrets/onboarding".
 * Overdue rounds end in "#<round>"; escalations name the person they are about. HR digests are
 * left out unless asked for. */
export async function mailLog(db: Db, toEmail: string, { digests = false }: { digests?: boolean } = {}): Promise<string[]> {
  const rows = await db
    .selectFrom("notifications as n")
    .leftJoin("assignments as a", "a.id", "n.assignment_id")
    .leftJoin("users as p", "p.id", "a.user_id")
    .select(["n.created_at", "n.kind", "n.event_key", "a.course_id", "a.cycle", "p.name as about"])
    .where("n.to_email", "=", toEmail)
    .$if(!digests, (q) => q.where("n.kind", "<>", "hr_digest"))
    .orderBy("n.created_at")
    .execute();
  return rows.map((r) => {
    const what = r.course_id ? ` ${r.course_id}/${r.cycle}` : "";
    const round = r.kind === "overdue" ? ` #${r.event_key.split(":").at(-1)}` : "";
    const about = r.kind === "escalation" ? ` (${r.about})` : "";
    return { at: r.created_at, line: `${r.created_at.slice(0, 10)} ${r.kind}${what}${round}${about}` };
  })
    .sort((a, b) => (a.at === b.at ? a.line.localeCompare(b.line) : a.at < b.at ? -1 : 1))
    .map((r) => r.line);
}

export async function rowCounts(db: Db) {
  const n = async (table: "assignments" | "notifications" | "audit_log" | "sessions" | "attestations") =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
  const inactive = Number(
    (await db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n")).where("status", "=", "inactive").executeTakeFirstOrThrow()).n,
  );
  return {
    assignments: await n("assignments"),
    notifications: await n("notifications"),
    audit_log: await n("audit_log"),
    sessions: await n("sessions"),
    attestations: await n("attestations"),
    inactive,
  };
}

/** The invariants every run must keep, whatever happened: one assignment per person, course and
 * cycle, and one onboarding cycle per person and course family; one "assigned" mail per
 * assignment and none without its assignment; one notification per event key. Returns what
 * breaks them (all empty when nothing does). */
export async function duplicates(db: Db) {
  const assignments = await db
    .selectFrom("assignments")
    .select((eb) => ["user_id", "course_id", "cycle", eb.fn.countAll<number>().as("n")])
    .groupBy(["user_id", "course_id", "cycle"])
    .having((eb) => eb.fn.countAll(), ">", 1)
    .execute();
  const onboardingTwice = await db
    .selectFrom("assignments")
    .select((eb) => ["user_id", eb.fn.coalesce("family", "course_id").as("family"), eb.fn.countAll<number>().as("n")])
    .where("cycle", "=", "onboarding")
    .groupBy((eb) => ["user_id", eb.fn.coalesce("family", "course_id")])
    .having((eb) => eb.fn.countAll(), ">", 1)
    .execute();
  const assignedMails = await db
    .selectFrom("assignments as a")
    .select((eb) => [
      "a.id",
      eb.selectFrom("notifications as n").select((e) => e.fn.countAll<number>().as("n")).whereRef("n.assignment_id", "=", "a.id").where("n.kind", "=", "assigned").as("mails"),
    ])
    .execute();
  const orphanMails = await db
    .selectFrom("notifications as n")
    .select("n.id")
    .where("n.kind", "=", "assigned")
    .where((eb) => eb.not(eb.exists(eb.selectFrom("assignments as a").select("a.id").whereRef("a.id", "=", "n.assignment_id"))))
    .execute();
  const eventKeys = await db
    .selectFrom("notifications")
    .select((eb) => ["event_key", eb.fn.countAll<number>().as("n")])
    .groupBy("event_key")
    .having((eb) => eb.fn.countAll(), ">", 1)
    .execute();
  return {
    assignments,
    onboardingTwice,
    assignmentsWithoutOneAssignedMail: assignedMails.filter((r) => Number(r.mails) !== 1).map((r) => r.id),
    orphanMails: orphanMails.map((r) => r.id),
    eventKeys,
  };
}

export const NO_DUPLICATES = { assignments: [], onboardingTwice: [], assignmentsWithoutOneAssignedMail: [], orphanMails: [], eventKeys: [] };

// --- doing the courses ----------------------------------------------------------------------

/** The person works through the whole course (modules, quiz, signature) at `at`. */
export async function completeCourse(db: Db, catalog: Catalog, user: User, assignment: Assignment, at: string) {
  const course = catalog.courses.get(assignment.course_id);
  if (!course) throw new Error(`No course ${assignment.course_id}`);
  await workThroughCourse(
    db,
    { user, assignment, course, catalog, upTo: "attested", password: PASSWORD, secret: SECRET, at },
    fixedClock(at),
  );
  return db.selectFrom("assignments").selectAll().where("id", "=", assignment.id).executeTakeFirstOrThrow();
}

// --- a policy change ------------------------------------------------------------------------

export interface ChangedCatalog {
  catalog: Catalog;
  root: string;
  cleanup: () => void;
}

/** A copy of courses/ with some files changed (each `replace` must match exactly once). */
export function changedCatalog(edits: Array<{ file: string; replace?: [string, string]; append?: string; write?: string }>): ChangedCatalog {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-courses-"));
  fs.cpSync(path.resolve("courses"), root, { recursive: true });
  for (const e of edits) {
    const file = path.join(root, e.file);
    if (e.write !== undefined) fs.writeFileSync(file, e.write);
    if (e.replace) {
      const text = fs.readFileSync(file, "utf8");
      if (text.split(e.replace[0]).length !== 2) throw new Error(`${e.file} does not contain "${e.replace[0]}" exactly once`);
      fs.writeFileSync(file, text.replace(e.replace[0], e.replace[1]));
    }
    if (e.append !== undefined) fs.appendFileSync(file, e.append);
  }
  const catalog = loadCatalog(root);
  if (catalog.problems.length) throw new Error(`The changed courses are broken: ${JSON.stringify(catalog.problems)}`);
  return { catalog, root, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** A copy of courses/ in which the confidentiality agreement has a version 2, material or not. */
export function catalogWithAgreementV2({ material }: { material: boolean }): ChangedCatalog {
  const dir = path.join("policies", AGREEMENT);
  const v1 = fs.readFileSync(path.resolve("courses", dir, "v1.mdx"), "utf8");
  return changedCatalog([
    {
      file: path.join(dir, "v2.mdx"),
      write: `${v1}\n\n## Using AI tools\n\nDo not paste confidential information into an AI tool that the company has not approved for it.\n`,
    },
    {
      file: path.join(dir, "policy.yaml"),
      append: `  - version: 2\n    file: v2.mdx\n    published: 2027-05-31\n    material: ${material}\n    changes: ${material ? "A new section on AI tools." : "Typographical corrections."}\n`,
    },
  ]);
}

// --- the command line -----------------------------------------------------------------------

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `tsx scripts/scheduler.ts <args>` against a database file, as an operator would run it. */
export function startCli(args: string[], { databaseUrl, dataDir, env = {} }: { databaseUrl: string; dataDir: string; env?: Record<string, string> }) {
  const child: ChildProcess = spawn(path.resolve("node_modules/.bin/tsx"), ["scripts/scheduler.ts", ...args], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? os.tmpdir(),
      NODE_ENV: "test",
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
      APP_SECRET: SECRET,
      APP_ORIGIN: ORIGIN,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** The process ids whose parent is `pid` (Linux /proc). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid ...; comm may contain spaces, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** A temporary folder, in memory (/dev/shm) when there is one: the .eml files the command line
 * writes are each fsync'd, which costs nothing there, and their durability is not under test. */
export function tempDir(prefix: string) {
  const base = fs.existsSync("/dev/shm") && fs.statSync("/dev/shm").isDirectory() ? "/dev/shm" : os.tmpdir();
  return fs.mkdtempSync(path.join(base, prefix));
}
