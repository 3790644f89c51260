// The signature record on PostgreSQL: consent, a refusal kept beside the later signature (the
// partial unique index), a paper original's scan stored as bytea, HR's list of refusals, the
// overdue list's "declined" mark, and a pack with all three that verifies offline.
import { sql } from "kysely";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { fixedClock } from "../../app/clock";
import { assign, makePerson } from "../../app/demo/factories.server";
import { produceEvidence } from "../../app/evidence/pack.server";
import { verifyPack } from "../../app/evidence/verify";
import { sha256Hex } from "../../app/hash.server";
import { listStandingDeclines } from "../../app/reports/declines.server";
import { listOverdue } from "../../app/reports/overdue.server";
import { parseFilters } from "../../app/reports/filters.server";
import { getPaperScan } from "../../app/attestations/paper.server";
import { COURSE_ID, passwordHash, realCatalog } from "../support/world";
import { startPostgres } from "../support/postgres";
import { agreementOf, consent, consentPolicy, decline, PDF_SCAN, readyToSign, recordPaper, sign, signingInput } from "../support/signature";

let pg: Awaited<ReturnType<typeof startPostgres>>;
let db: Db;
const T0 = "2027-03-01T09:00:00.000Z";
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

beforeAll(async () => {
  pg = await startPostgres();
  db = createDb(pg.url);
  await migrateToLatest(db);
}, 120_000);
afterAll(async () => {
  await db?.destroy();
  pg?.stop();
});

test("consent, declined then signed, and a paper original, on PostgreSQL; the pack verifies offline", async () => {
  const catalog = realCatalog();
  const course = catalog.courses.get(COURSE_ID)!;
  const clock = fixedClock("2027-01-01T09:00:00.000Z");
  const hash = await passwordHash();
  const hr = await makePerson(db, { email: "hr@pg.example", name: "Hana Ruiz", startDate: "2025-01-01", isHr: true, passwordHash: hash }, clock);
  const pat = await makePerson(db, { email: "pat@pg.example", name: "Pat Quinn", startDate: "2027-01-15", passwordHash: hash }, clock);
  const cp = consentPolicy(catalog);
  const policy = agreementOf(catalog, course);
  const first = await readyToSign(db, { user: pat, course, catalog, at: T0 });
  const input = signingInput({ user: pat, assignment: first, course, policy, consent: cp, shownAt: at(1) });

  expect(await sign(db, input, at(2))).toMatchObject({ ok: false, status: 409 });
  expect((await consent(db, { user: pat, policy: cp, shownAt: at(0), at: at(1) })).ok).toBe(true);
  expect((await decline(db, input, "Not like this.", at(3))).ok).toBe(true);
  expect(await listStandingDeclines(db, { viewer: hr })).toMatchObject([{ personId: pat.id, reason: "Not like this." }]);
  const overdue = await listOverdue(db, { filters: parseFilters(new URLSearchParams())!, now: new Date("2027-04-20T09:00:00.000Z"), limit: 50 });
  expect(overdue.rows.find((r) => r.personId === pat.id)?.declinedAt).toBe(at(3));

  expect((await sign(db, input, at(9))).ok).toBe(true);
  expect(await listStandingDeclines(db, { viewer: hr })).toEqual([]);
  // The database keeps one signed record per assignment and version, declines aside.
  const [signed] = await db.selectFrom("attestations").selectAll().where("outcome", "=", "signed").execute();
  await expect(db.insertInto("attestations").values({ ...signed, id: "sig_copy", verification_code: "COPY-COPY-COPY-COPY" }).execute()).rejects.toThrow(/attestations_signed_once/);
  expect(await sign(db, input, at(10))).toMatchObject({ ok: true, alreadySigned: true });

  const exit = catalog.courses.get("exit-acknowledgement")!;
  const second = await assign(db, { userId: pat.id, course: exit, cycle: "leaving-2027-04-30", reason: "leaving", dueAt: "2027-04-30T23:59:59.000Z" }, fixedClock(at(20)));
  const paper = await recordPaper(db, { hr, person: pat, assignment: second, catalog, at: at(30) });
  expect(paper.ok).toBe(true);
  const scan = await getPaperScan(db, { viewer: hr, code: paper.ok ? paper.code : "" });
  expect(scan?.body).toEqual(PDF_SCAN);
  expect(scan?.sha256).toBe(sha256Hex(PDF_SCAN));
  expect(await getPaperScan(db, { viewer: pat, code: paper.ok ? paper.code : "" })).toBeNull();

  const rows = await db.selectFrom("attestations").select(["outcome", "recorded_by", "seconds_on_text", "auth_strength"]).where("user_id", "=", pat.id).orderBy("signed_at").execute();
  expect(rows).toEqual([
    { outcome: "declined", recorded_by: null, seconds_on_text: 120, auth_strength: null },
    { outcome: "signed", recorded_by: null, seconds_on_text: 480, auth_strength: "password_reentered" },
    { outcome: "signed", recorded_by: hr.id, seconds_on_text: null, auth_strength: null },
  ]);
  await expect(sql`update electronic_consents set printed_name = 'x'`.execute(db)).rejects.toThrow(/immutable/);
  await expect(sql`delete from paper_scans`.execute(db)).rejects.toThrow(/immutable/);

  const produced = await produceEvidence(db, { who: { personId: pat.id }, generatedBy: { via: "web", id: hr.id, name: hr.name, email: hr.email }, now: new Date(at(60)), formats: ["json"] });
  expect(produced!.pack.attestations.map((t) => t.outcome)).toEqual(["declined", "signed", "signed"]);
  expect(verifyPack(JSON.parse(produced!.json))).toMatchObject({ ok: true, failures: [] });
}, 120_000);
