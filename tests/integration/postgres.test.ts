// The same migrations and domain code on a real PostgreSQL server (DATABASE_URL=postgres://…).
import { sql } from "kysely";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, dialectOf, type Db } from "../../db/connection";
import { MIGRATION_NAMES, migrateToLatest } from "../../db/migrate";
import { fixedClock } from "../../app/clock";
import { recordAudit, verifyAuditChain } from "../../app/audit/audit.server";
import { listMyAssignments } from "../../app/assignments/assignments.server";
import { assign, makePerson, workThroughCourse } from "../../app/demo/factories.server";
import { COURSE_ID, PASSWORD, passwordHash, realCatalog, SECRET } from "../support/world";
import { startPostgres } from "../support/postgres";

let pg: Awaited<ReturnType<typeof startPostgres>>;
let db: Db;
const clock = fixedClock("2027-03-01T09:00:00.000Z");

beforeAll(async () => {
  pg = await startPostgres();
  db = createDb(pg.url);
}, 120_000);
afterAll(async () => {
  await db?.destroy();
  pg?.stop();
});

test("migrations run on PostgreSQL, and a second run applies nothing", async () => {
  expect(dialectOf(db)).toBe("postgres");
  expect(await migrateToLatest(db)).toEqual(MIGRATION_NAMES);
  expect(await migrateToLatest(db)).toEqual([]);
});

test("a person completes the course and signs, with the same rules as on SQLite", async () => {
  const catalog = realCatalog();
  const course = catalog.courses.get(COURSE_ID)!;
  const person = await makePerson(db, { email: "pat@test.example", name: "Pat Quinn", startDate: "2027-02-01", passwordHash: await passwordHash() }, clock);
  const assignment = await assign(db, { userId: person.id, course }, clock);
  // Issuing the same cycle again is harmless.
  const again = await assign(db, { userId: person.id, course }, clock);
  expect(again.id).toBe(assignment.id);
  const code = await workThroughCourse(db, { user: person, assignment, course, catalog, upTo: "attested", failQuizFirst: true, password: PASSWORD, secret: SECRET }, clock);
  expect(code).toMatch(/^[2-9A-Z]{4}(-[2-9A-Z]{4}){3}$/);
  const [mine] = await listMyAssignments(db, { viewer: person, catalog }, clock);
  expect(mine).toMatchObject({ status: "completed", modulesDone: course.modules.length, modulesTotal: course.modules.length, receiptCode: code });
  const attempts = await db.selectFrom("quiz_attempts").select(["passed"]).orderBy("submitted_at").execute();
  expect(attempts.map((a) => a.passed).sort()).toEqual([0, 1]);
});

test("evidence tables refuse UPDATE and DELETE on PostgreSQL too", async () => {
  await expect(sql`update attestations set printed_name = 'x'`.execute(db)).rejects.toThrow(/immutable/);
  await expect(sql`delete from attestations`.execute(db)).rejects.toThrow(/immutable/);
  await expect(sql`delete from audit_log`.execute(db)).rejects.toThrow(/immutable/);
  await expect(sql`update quiz_attempts set score = 100`.execute(db)).rejects.toThrow(/immutable/);
});

test("two app instances appending to the audit log at once keep one valid chain", async () => {
  const other = createDb(pg.url);
  try {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => recordAudit(i % 2 ? db : other, { actorId: null, action: "test.concurrent", data: { i } }, clock())),
    );
  } finally {
    await other.destroy();
  }
  const report = await verifyAuditChain(db);
  expect(report.ok).toBe(true);
});
