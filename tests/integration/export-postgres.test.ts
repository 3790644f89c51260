// The export and the evidence pack on a real PostgreSQL server: the same keyset pages, the same
// CSV, and a pack (read in a repeatable-read snapshot) that verifies offline.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, dialectOf, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { fixedClock } from "../../app/clock";
import { assign, makePerson, workThroughCourse } from "../../app/demo/factories.server";
import { deactivatePerson } from "../../app/people/people.server";
import { assignmentExportPages, assignmentsCsv } from "../../app/reports/export.server";
import { produceEvidence } from "../../app/evidence/pack.server";
import { verifyPack } from "../../app/evidence/verify";
import { COURSE_ID, PASSWORD, passwordHash, realCatalog, SECRET } from "../support/world";
import { testSigner } from "../support/signing";
import { testAnchors } from "../support/anchors";
import { checkpointNow } from "../../app/evidence/anchor.server";
import { startPostgres } from "../support/postgres";

let pg: Awaited<ReturnType<typeof startPostgres>>;
let db: Db;
const NOW = new Date("2027-06-01T09:00:00.000Z");

beforeAll(async () => {
  pg = await startPostgres();
  db = createDb(pg.url);
  await migrateToLatest(db);
  const catalog = realCatalog();
  const course = catalog.courses.get(COURSE_ID)!;
  const hash = await passwordHash();
  for (let i = 0; i < 7; i++) {
    const clock = fixedClock("2027-03-01T09:00:00.000Z");
    const p = await makePerson(db, { email: `p${i}@test.example`, name: `Person ${i}, "P"`, startDate: "2027-01-01", department: i % 2 ? "Sales" : "Research", passwordHash: hash }, clock);
    const a = await assign(db, { userId: p.id, course }, clock);
    if (i < 3) {
      await workThroughCourse(db, { user: p, assignment: a, course, catalog, upTo: "attested", failQuizFirst: i === 0, password: PASSWORD, secret: SECRET, at: `2027-03-1${i}T09:00:00.000Z` }, clock);
    }
    if (i === 0) await db.transaction().execute((trx) => deactivatePerson(trx, { userId: p.id, actorId: null, reason: "Left" }, fixedClock("2027-05-01T00:00:00.000Z")));
  }
}, 120_000);
afterAll(async () => {
  await db?.destroy();
  pg?.stop();
});

test("keyset pages and the CSV work the same on PostgreSQL", async () => {
  expect(dialectOf(db)).toBe("postgres");
  const sizes: number[] = [];
  const ids: string[] = [];
  for await (const page of assignmentExportPages(db, { filters: {}, now: NOW, pageSize: 3 })) {
    sizes.push(page.length);
    ids.push(...page.map((r) => r.id));
  }
  expect(sizes).toEqual([3, 3, 1]);
  expect(new Set(ids).size).toBe(7);

  let csv = "";
  for await (const chunk of assignmentsCsv(db, { filters: { status: "completed" }, now: NOW, pageSize: 2 })) csv += chunk;
  const lines = csv.trim().split("\n");
  expect(lines).toHaveLength(4);
  const first = lines.find((l) => l.startsWith("p0@test.example"))!;
  expect(first).toBe(`p0@test.example,"Person 0, ""P""",,Research,,${COURSE_ID},onboarding,onboarding,completed,2027-03-01T09:00:00.000Z,2027-03-31T09:00:00.000Z,2027-03-10T09:00:00.000Z,true,100,2027-03-10T09:00:00.000Z,1`);
  let overdue = 0;
  for await (const page of assignmentExportPages(db, { filters: { status: "overdue" }, now: NOW })) overdue += page.length;
  expect(overdue).toBe(4);
});

test("an evidence pack for someone who left is produced on PostgreSQL and verifies offline", async () => {
  const signer = testSigner();
  const { anchors, cleanup } = testAnchors();
  await checkpointNow(db, { key: signer.key, anchors, now: NOW });
  cleanup();
  const produced = await produceEvidence(db, { who: { email: "p0@test.example" }, generatedBy: { via: "command line", id: null, name: null, email: null }, now: NOW, formats: ["json"], signer });
  expect(produced).not.toBeNull();
  const pack = JSON.parse(produced!.json);
  expect(pack.person.status).toBe("inactive");
  expect(pack.cycles[0].quiz_attempts).toHaveLength(2);
  expect(pack.attestations[0].policy_text.body.length).toBeGreaterThan(1000);
  expect(verifyPack(pack)).toMatchObject({ ok: true, failures: [] });
  const last = await db.selectFrom("audit_log").select(["action", "data_json"]).orderBy("seq", "desc").limit(1).executeTakeFirstOrThrow();
  expect(last.action).toBe("evidence.produced");
  expect(JSON.parse(last.data_json).jsonSha256).toBe(produced!.jsonSha256);
});
