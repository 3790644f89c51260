// Drafts and publishing (decision 024): the courses live at upgrade stay live; a new course folder
// is a draft that nobody is assigned or mailed until HR publishes it; publishing's preview is the
// scheduler's own count, and what it said is what the next run does.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { freshDb, type TestDb } from "../support/db";
import { SECRET } from "../support/world";
import { addDraftCourse, coursesCopy } from "../support/publishing";
import { boot } from "../../app/boot.server";
import { fixedClock } from "../../app/clock";
import { makePerson } from "../../app/demo/factories.server";
import { runOnce } from "../../app/scheduler/run.server";
import { runScheduler } from "../../app/scheduler/scheduler.server";
import { planPublication, publishCourse, recordBaseline } from "../../app/scheduler/publishing.server";
import { courseStates, liveCatalog } from "../../app/courses/live.server";
import { replaceCatalog } from "../../app/courses/reload.server";
import { loadCatalog } from "../../app/courses/catalog.server";
import type { Db } from "../../db/connection";

let t: TestDb;
let folder: ReturnType<typeof coursesCopy>;
let dataDir: string;
beforeEach(async () => {
  t = await freshDb();
  folder = coursesCopy();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-data-"));
});
afterEach(async () => {
  await t.close();
  folder.remove();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const env = () => ({ NODE_ENV: "test", APP_SECRET: SECRET, DATABASE_URL: t.url, COURSES_DIR: folder.dir, DATA_DIR: dataDir, LOG_LEVEL: "silent" }) as NodeJS.ProcessEnv;
const clock = fixedClock("2026-06-01T09:00:00.000Z");

async function people(db: Db, n: number) {
  for (let i = 0; i < n; i++) await makePerson(db, { email: `p${i}@test.example`, name: `Person ${String(i).padStart(2, "0")}`, startDate: "2026-01-05" }, clock);
}

async function issuedFor(db: Db, courseId: string) {
  const a = await db.selectFrom("assignments").select((eb) => eb.fn.countAll<number>().as("n")).where("course_id", "=", courseId).executeTakeFirstOrThrow();
  const n = await db
    .selectFrom("notifications as n")
    .innerJoin("assignments as a", "a.id", "n.assignment_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("a.course_id", "=", courseId)
    .executeTakeFirstOrThrow();
  return { assignments: Number(a.n), emails: Number(n.n) };
}

test("the courses live before the upgrade stay live after it: the first start records them as published and the scheduler assigns exactly what it did before", async () => {
  await people(t.db, 5);
  const other = await freshDb();
  try {
    await people(other.db, 5);
    const drafts = folder.load();
    // Before the upgrade, every course in the folder was live:
    await runScheduler(other.db, { catalog: drafts, now: clock(), rules: (await boot(env())).config.reminders, origin: "http://x" });
    const booted = await boot(env());
    expect([...booted.catalog.courses.keys()].sort()).toEqual([...drafts.courses.keys()].sort());
    await runScheduler(booted.db, { catalog: booted.catalog, now: clock(), rules: booted.config.reminders, origin: "http://x" });
    const rows = (db: Db) => db.selectFrom("assignments as a").innerJoin("users as u", "u.id", "a.user_id").select(["u.email", "a.course_id", "a.cycle", "a.due_at"]).orderBy("u.email").orderBy("a.course_id").execute();
    expect(await rows(booted.db)).toEqual(await rows(other.db));
    expect((await rows(booted.db)).length).toBeGreaterThan(0);
    // A second start records nothing more.
    expect(await recordBaseline(booted.db, drafts, clock())).toEqual([]);
    const audit = await booted.db.selectFrom("audit_log").select("action").where("action", "=", "course.baseline_published").execute();
    expect(audit).toHaveLength(1);
    await booted.db.destroy();
  } finally {
    await other.close();
  }
}, 120_000);

test("an open assignment from before the upgrade is pinned to the content live at upgrade", async () => {
  await people(t.db, 1);
  const drafts = folder.load();
  const course = drafts.courses.get("protecting-trade-secrets")!;
  const { assign } = await import("../../app/demo/factories.server");
  const user = await t.db.selectFrom("users").select("id").executeTakeFirstOrThrow();
  const a = await assign(t.db, { userId: user.id, course }, clock);
  await t.db.updateTable("assignments").set({ content_hash: null }).where("id", "=", a.id).execute(); // as written before 0017
  await recordBaseline(t.db, drafts, clock());
  expect((await t.db.selectFrom("assignments").select("content_hash").where("id", "=", a.id).executeTakeFirstOrThrow()).content_hash).toBe(course.contentHash);
});

test("a new course folder is a draft: after a restart the scheduler assigns and mails nobody; once HR publishes, the next run issues exactly what the preview said", async () => {
  await people(t.db, 12);
  const first = await boot(env());
  await first.db.destroy();
  addDraftCourse(folder.dir);
  const booted = await boot(env());
  expect(booted.drafts.courses.has("visitor-badges")).toBe(true);
  expect(booted.catalog.courses.has("visitor-badges")).toBe(false);
  const before = await runOnce(booted.db, { catalog: booted.catalog, config: booted.config, now: clock(), deliver: false });
  expect(before.ran).toBe(true);
  expect(await issuedFor(booted.db, "visitor-badges")).toEqual({ assignments: 0, emails: 0 });
  expect((await courseStates(booted.db, { live: booted.catalog, drafts: booted.drafts })).find((c) => c.id === "visitor-badges")?.state).toBe("draft");

  const hr = await booted.db.selectFrom("users").select("id").where("email", "=", "p0@test.example").executeTakeFirstOrThrow();
  const opts = { catalogs: { live: booted.catalog, drafts: booted.drafts }, courseId: "visitor-badges", restart: false, now: clock(), rules: booted.config.reminders, origin: booted.config.origin };
  const plan = await planPublication(booted.db, opts);
  if (typeof plan === "string") throw new Error(plan);
  expect(plan).toMatchObject({ issues: 12, emails: 12, byReason: { onboarding: 12 }, notStarted: 0, inProgress: 0 });
  expect(plan.people.map((p) => p.email)).toContain("p11@test.example");
  // The preview changed nothing.
  expect(await issuedFor(booted.db, "visitor-badges")).toEqual({ assignments: 0, emails: 0 });
  // A preview of other content is refused: the folder changed since.
  expect(await publishCourse(booted.db, { ...opts, contentHash: "0".repeat(16), actorId: hr.id })).toBe("changed_since_preview");
  const done = await publishCourse(booted.db, { ...opts, contentHash: plan.contentHash, actorId: hr.id });
  expect(done).toMatchObject({ plan: { issues: 12, emails: 12 } });
  expect(booted.catalog.courses.has("visitor-badges")).toBe(true);
  const entry = await booted.db.selectFrom("audit_log").select(["actor_id", "subject_id", "data_json"]).where("action", "=", "course.published").executeTakeFirstOrThrow();
  expect(entry.actor_id).toBe(hr.id);
  expect(entry.subject_id).toBe("visitor-badges");
  expect(JSON.parse(entry.data_json)).toMatchObject({ contentHash: plan.contentHash, assignments: 12, emails: 12, mode: "publish" });
  expect(await publishCourse(booted.db, { ...opts, contentHash: plan.contentHash, actorId: hr.id })).toBe("already_published");

  await runOnce(booted.db, { catalog: booted.catalog, config: booted.config, now: clock(), deliver: false });
  expect(await issuedFor(booted.db, "visitor-badges")).toEqual({ assignments: 12, emails: 12 });
  // After another restart it is still live, at the version published.
  await booted.db.destroy();
  const again = await boot(env());
  expect(again.catalog.courses.get("visitor-badges")?.contentHash).toBe(plan.contentHash);
  await again.db.destroy();
}, 120_000);

test("reloading the folder (npm run dev) replaces the drafts in place and reports what changed; the published version stays live", async () => {
  const drafts = folder.load();
  await recordBaseline(t.db, drafts, clock());
  const live = await liveCatalog(t.db, drafts);
  const liveHash = live.courses.get("protecting-trade-secrets")!.contentHash;
  addDraftCourse(folder.dir);
  const first = path.join(folder.dir, "protecting-trade-secrets", "01-what-is-a-trade-secret.mdx");
  fs.appendFileSync(first, "\nOne more sentence for the draft.\n");
  fs.rmSync(path.join(folder.dir, "exit-acknowledgement"), { recursive: true });
  const sameObject = drafts.courses;
  const report = replaceCatalog(drafts, loadCatalog(folder.dir));
  expect(report).toEqual({ added: ["visitor-badges"], changed: ["protecting-trade-secrets"], removed: ["exit-acknowledgement"], problems: 0 });
  expect(drafts.courses).toBe(sameObject);
  expect(drafts.courses.has("visitor-badges")).toBe(true);
  const { syncLiveCatalog } = await import("../../app/courses/live.server");
  await syncLiveCatalog(t.db, live, drafts);
  expect(live.courses.get("protecting-trade-secrets")!.contentHash).toBe(liveHash);
  expect(live.courses.has("visitor-badges")).toBe(false);
  expect(live.courses.has("exit-acknowledgement")).toBe(false); // its folder is gone
});
