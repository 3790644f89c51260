// Publishing and content versions on PostgreSQL: the same journey as course-versions.test.ts
// (a live course edited, restarted, published, then published restarting in-progress learners),
// and a new course that is a draft until published, with the count preview the run then matches.
import { afterAll, beforeAll, expect, test } from "vitest";
import { sql } from "kysely";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { fixedClock } from "../../app/clock";
import { readConfig } from "../../app/config.server";
import { makePerson } from "../../app/demo/factories.server";
import { liveCatalog } from "../../app/courses/live.server";
import { planPublication, publishCourse, recordBaseline } from "../../app/scheduler/publishing.server";
import { runScheduler } from "../../app/scheduler/scheduler.server";
import { startPostgres } from "../support/postgres";
import { strandingJourney } from "../support/publishing-journey";
import { addDraftCourse, coursesCopy } from "../support/publishing";
import { SECRET } from "../support/world";

let pg: Awaited<ReturnType<typeof startPostgres>>;
const dbs: Db[] = [];
beforeAll(async () => {
  pg = await startPostgres();
}, 120_000);
afterAll(async () => {
  for (const db of dbs) await db.destroy();
  pg?.stop();
});

async function freshPg(name: string): Promise<Db> {
  const admin = createDb(pg.url);
  await sql.raw(`create database ${name}`).execute(admin);
  await admin.destroy();
  const db = createDb(pg.url.replace(/\/[^/]*$/, `/${name}`));
  dbs.push(db);
  await migrateToLatest(db);
  return db;
}

test("on PostgreSQL: a live course edited, restarted and published strands nobody, and history is exact", async () => {
  const db = await freshPg("versions_journey");
  const { v2, people } = await strandingJourney(db);
  const ann = await db.selectFrom("assignments").select(["content_hash", "content_since"]).where("user_id", "=", people.ann.id).executeTakeFirstOrThrow();
  expect(ann).toEqual({ content_hash: v2.contentHash, content_since: "2027-03-03T09:00:00.000Z" });
}, 120_000);

test("on PostgreSQL: a new course is a draft nobody is assigned until published, and the run issues what the preview said", async () => {
  const db = await freshPg("versions_draft");
  const folder = coursesCopy();
  try {
    const clock = fixedClock("2027-03-01T09:00:00.000Z");
    for (let i = 0; i < 7; i++) await makePerson(db, { email: `p${i}@test.example`, name: `Person ${i}`, startDate: "2027-01-04" }, clock);
    await recordBaseline(db, folder.load(), clock());
    addDraftCourse(folder.dir);
    const drafts = folder.load();
    const live = await liveCatalog(db, drafts);
    const rules = readConfig({ NODE_ENV: "test", APP_SECRET: SECRET }).reminders;
    const count = async () => Number((await db.selectFrom("assignments").select((eb) => eb.fn.countAll<number>().as("n")).where("course_id", "=", "visitor-badges").executeTakeFirstOrThrow()).n);
    await runScheduler(db, { catalog: live, now: clock(), rules, origin: "http://x" });
    expect(await count()).toBe(0);
    const opts = { catalogs: { live, drafts }, courseId: "visitor-badges", restart: false, now: clock(), rules, origin: "http://x" };
    const plan = await planPublication(db, opts);
    if (typeof plan === "string") throw new Error(plan);
    expect(plan).toMatchObject({ issues: 7, emails: 7 });
    expect(await count()).toBe(0);
    expect(await publishCourse(db, { ...opts, contentHash: plan.contentHash, actorId: null })).toMatchObject({ plan: { issues: 7 } });
    await runScheduler(db, { catalog: live, now: clock(), rules, origin: "http://x" });
    expect(await count()).toBe(7);
  } finally {
    folder.remove();
  }
}, 120_000);
