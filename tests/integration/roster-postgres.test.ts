// The roster import and the people list on a real PostgreSQL server: the same code as on SQLite,
// including two confirmations racing (one applies, the other finds it applied).
import fs from "node:fs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { fixedClock } from "../../app/clock";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { makePerson } from "../../app/demo/factories.server";
import { confirmImport, planFromText, readRosterBytes, storeImport } from "../../app/roster/import.server";
import { listPeople } from "../../app/roster/people-admin.server";
import { startPostgres } from "../support/postgres";

let pg: Awaited<ReturnType<typeof startPostgres>>;
let db: Db;
const clock = fixedClock("2027-03-01T09:00:00.000Z");

beforeAll(async () => {
  pg = await startPostgres();
  db = createDb(pg.url);
  await migrateToLatest(db);
}, 120_000);
afterAll(async () => {
  await db?.destroy();
  pg?.stop();
});

test("a roster previews, applies once under two racing confirmations, and the people list searches case-insensitively", async () => {
  const hr = await makePerson(db, { email: "hr@test.example", name: "Helen Harper", startDate: "2025-01-01", isHr: true }, clock);
  const read = readRosterBytes(new Uint8Array(fs.readFileSync("tests/fixtures/rosters/messy.csv")));
  if (!read.ok) throw new Error(read.message);
  const id = await storeImport(db, { fileName: "messy.csv", text: read.text, sha256: read.sha256, uploadedBy: hr.id }, clock);
  const { plan } = await planFromText(db, read.text, { deactivateMissing: false, actorId: hr.id }, clock);
  expect(plan.problems).toEqual([]);
  expect(plan.add).toHaveLength(6);
  expect(plan.missing.map((m) => m.email)).toEqual(["hr@test.example"]);

  const other = createDb(pg.url);
  try {
    const results = await Promise.all([
      confirmImport(db, { importId: id, actorId: hr.id, deactivateMissing: false, expectedDigest: plan.digest }, clock),
      confirmImport(other, { importId: id, actorId: hr.id, deactivateMissing: false, expectedDigest: plan.digest }, clock),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["already_applied", "applied"]);
  } finally {
    await other.destroy();
  }
  const people = await db.selectFrom("users").select(["email", "manager_id"]).execute();
  expect(people).toHaveLength(7);
  const imported = await db.selectFrom("audit_log").select("action").where("action", "=", "roster.imported").execute();
  expect(imported).toHaveLength(1);
  expect(await verifyAuditChain(db)).toMatchObject({ ok: true });

  const found = await listPeople(db, { q: "OKAFOR", page: 1 }, clock());
  expect(found.rows.map((r) => r.email)).toEqual(["sam.okafor@example.com"]);
  // The search also finds an employee ID and a department, whatever the case.
  expect((await listPeople(db, { q: "e003", page: 1 }, clock())).rows.map((r) => r.email)).toEqual(["priya.natarajan@example.com"]);
  expect((await listPeople(db, { q: "engineer", page: 1 }, clock())).total).toBe(3);
  expect(found.rows[0].training).toEqual({ state: "nothing" });
  const engineering = await listPeople(db, { department: "Engineering", page: 1 }, clock());
  expect(engineering.total).toBe(3);
  expect(engineering.rows.find((r) => r.email === "priya.natarajan@example.com")?.managerName).toBe("Sam Okafor");
});
