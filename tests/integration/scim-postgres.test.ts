// SCIM provisioning on a real PostgreSQL server: the same Okta and Entra sequences and the same
// refusals as on SQLite, through the real app, and two identity-provider workers creating the
// same person at once make one person and one 409.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { fixedClock } from "../../app/clock";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { createSession } from "../../app/auth/session.server";
import { makePerson } from "../../app/demo/factories.server";
import { createScimToken, revokeScimToken } from "../../app/roster/scim-tokens.server";
import { startPostgres } from "../support/postgres";
import { startTestServer, type TestServer } from "../support/server";
import { realCatalog } from "../support/world";
import { CORE, entraSequence, oktaSequence, refusals, scimClient } from "../support/scim";

const clock = fixedClock("2027-03-01T09:00:00.000Z");
let pg: Awaited<ReturnType<typeof startPostgres>>;
let db: Db;
let server: TestServer;

beforeAll(async () => {
  pg = await startPostgres();
  db = createDb(pg.url);
  await migrateToLatest(db);
  server = await startTestServer({ db, catalog: realCatalog(), clock });
}, 180_000);
afterAll(async () => {
  await server?.close();
  await db?.destroy();
  pg?.stop();
});

test("Okta's and Entra's sequences, the refusals and a revoked token behave as on SQLite", async () => {
  const hr = await makePerson(db, { email: "hr@test.example", name: "Helen Harper", startDate: "2025-01-01", isHr: true }, clock);
  const manager = await makePerson(db, { email: "manager@test.example", name: "Mark Mendes", startDate: "2025-01-01" }, clock);
  const report = await makePerson(db, { email: "alice@test.example", name: "Alice Archer", startDate: "2025-01-01", managerId: manager.id }, clock);
  const person = await makePerson(db, { email: "pat@test.example", name: "Pat Park", startDate: "2025-01-01" }, clock);
  const made = await createScimToken(db, { name: "Okta", actorId: hr.id }, clock);
  const other = await createScimToken(db, { name: "Entra", actorId: hr.id }, clock);
  if (!made.ok || !other.ok) throw new Error("no token");
  const scim = scimClient(server.url, made.token);
  await oktaSequence(db, scim, async (userId) => {
    await createSession(db, { userId, ip: null, userAgent: null }, clock);
  });
  await entraSequence(db, scim, manager.id);
  expect(await revokeScimToken(db, { id: other.id, actorId: hr.id }, clock)).toBe(true);
  await refusals(db, scim, { person: person.id, manager: manager.id, report: report.id }, [other.token, "not-a-token"], server.url);
  expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
}, 120_000);

test("two workers creating the same person at once: one 201, one 409, one person", async () => {
  const hr = await db.selectFrom("users").select("id").where("email", "=", "hr@test.example").executeTakeFirstOrThrow();
  const made = await createScimToken(db, { name: "Parallel", actorId: hr.id }, clock);
  if (!made.ok) throw new Error("no token");
  const scim = scimClient(server.url, made.token);
  const body = { schemas: [CORE], userName: "twice@example.com", name: { formatted: "Twice Made" } };
  const answers = await Promise.all([scim.call("POST", "/Users", body), scim.call("POST", "/Users", body)]);
  expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
  expect(await db.selectFrom("users").select("id").where("email", "=", "twice@example.com").execute()).toHaveLength(1);
});
