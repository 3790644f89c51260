// The credential-change mark on a real PostgreSQL server: HR's invitation, the password set with
// the mailed link, a signature 5 hours later → marked in the receipt (page data and PDF), the
// signed evidence pack, its PDF and evidence:verify's output; a signature 24 hours and a minute
// later, or after a reset the person asked for, is not; an edited mark is named (exit 1).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, dialectOf, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import type { User } from "../../db/schema";
import { fixedClock } from "../../app/clock";
import { readConfig, type AppConfig } from "../../app/config.server";
import { receiptFor, receiptPdf } from "../../app/attestations/receipts.server";
import { assign, makePerson, workThroughCourse } from "../../app/demo/factories.server";
import { computePackSha256 } from "../../app/evidence/canonical";
import type { EvidencePack } from "../../app/evidence/pack.server";
import { produceSignedEvidence } from "../../app/evidence/produce.server";
import { COURSE_ID, realCatalog, SECRET } from "../support/world";
import { startPostgres } from "../support/postgres";
import { CHOSEN_PASSWORD, setPasswordThroughLink } from "../support/credential-change";
import { runScriptAsync } from "../support/tamper";

const SENTENCE = "Signed within 24 hours after the password was set through an invitation that Helen Harper";
const catalog = realCatalog();
const course = catalog.courses.get(COURSE_ID)!;
const clock = fixedClock("2027-03-01T09:00:00.000Z");
let pg: Awaited<ReturnType<typeof startPostgres>>;
let db: Db;
let config: AppConfig;
let tmp: string;
let hr: User;
const signed: Record<string, { user: User; code: string }> = {};

async function personWhoSigns(name: string, email: string, change: { startedBy: string | null; at: string }, signAt: string) {
  const user = await makePerson(db, { email, name, startDate: "2027-02-01" }, clock);
  await setPasswordThroughLink(db, { user, startedBy: change.startedBy, purpose: change.startedBy ? "invitation" : "reset", at: change.at });
  const assignment = await assign(db, { userId: user.id, course }, clock);
  await workThroughCourse(db, { user, assignment, course, catalog, upTo: "attested", password: CHOSEN_PASSWORD, secret: SECRET, at: signAt }, clock);
  const code = (await db.selectFrom("attestations").select("verification_code").where("user_id", "=", user.id).executeTakeFirstOrThrow()).verification_code;
  signed[name] = { user, code };
}

beforeAll(async () => {
  pg = await startPostgres();
  db = createDb(pg.url);
  await migrateToLatest(db);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-mark-pg-"));
  config = readConfig({ NODE_ENV: "test", DATABASE_URL: pg.url, DATA_DIR: tmp, APP_SECRET: SECRET, LOG_LEVEL: "silent" });
  hr = await makePerson(db, { email: "hr@test.example", name: "Helen Harper", startDate: "2025-01-01", isHr: true }, clock);
  await personWhoSigns("carol", "carol@test.example", { startedBy: hr.id, at: "2027-03-01T10:00:00.000Z" }, "2027-03-01T15:00:00.000Z");
  await personWhoSigns("dan", "dan@test.example", { startedBy: hr.id, at: "2027-03-01T10:00:00.000Z" }, "2027-03-02T10:01:00.000Z");
  await personWhoSigns("erin", "erin@test.example", { startedBy: null, at: "2027-03-01T10:00:00.000Z" }, "2027-03-01T11:00:00.000Z");
}, 180_000);
afterAll(async () => {
  await db?.destroy();
  pg?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function pdfText(pdf: Uint8Array, name: string) {
  const file = path.join(tmp, `${name}.pdf`);
  fs.writeFileSync(file, pdf);
  return execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
}

async function verifyCli(pack: unknown, name: string) {
  const file = path.join(tmp, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(pack, null, 2));
  return runScriptAsync("scripts/evidence-verify.ts", { DATABASE_URL: "file:/nonexistent/never.sqlite" }, [file]);
}

async function pack(user: User) {
  const produced = await produceSignedEvidence(db, config, { who: { personId: user.id }, generatedBy: { via: "command line", id: null, name: null, email: null }, now: new Date("2027-03-05T09:00:00.000Z"), formats: ["json", "pdf"] });
  return { pack: JSON.parse(produced!.json) as EvidencePack, pdf: produced!.pdf! };
}

test("signed 5 hours after HR's invitation on PostgreSQL: marked in the receipt, its PDF, the pack, the evidence PDF and evidence:verify", async () => {
  expect(dialectOf(db)).toBe("postgres");
  const { user, code } = signed.carol;
  const input = { viewer: { id: user.id, is_hr: 0 }, code, catalog, origin: "http://confidant.test" };
  expect((await receiptFor(db, input))?.credentialChange).toEqual({ at: "2027-03-01T10:00:00.000Z", kind: "invitation", startedByName: "Helen Harper" });
  expect(pdfText((await receiptPdf(db, input))!.body, "receipt")).toContain(`${SENTENCE} started (password set`);
  // Someone else asking for it gets nothing, as for a code that does not exist.
  expect(await receiptFor(db, { ...input, viewer: { id: signed.dan.user.id, is_hr: 0 } })).toBeNull();

  const { pack: p, pdf } = await pack(user);
  const entry = await db.selectFrom("audit_log").select("seq").where("action", "=", "person.password_changed").where("subject_id", "=", user.id).executeTakeFirstOrThrow();
  expect(p.attestations[0].credential_change).toEqual({ at: "2027-03-01T10:00:00.000Z", kind: "invitation", started_by: hr.id, started_by_name: "Helen Harper", audit_seq: Number(entry.seq), within_hours: 24 });
  expect(pdfText(pdf, "evidence")).toContain(`${SENTENCE} (user ${hr.id}) started`);
  const ok = await verifyCli(p, "carol");
  expect(ok.status).toBe(0);
  expect(ok.stdout).toContain(`attestation ${code}: MARKED. ${SENTENCE} (user ${hr.id}) started (password set 2027-03-01T10:00:00.000Z). Audit entry ${entry.seq}.`);

  const removed = { ...p, attestations: [{ ...p.attestations[0], credential_change: null }] };
  const bad = await verifyCli({ ...removed, packSha256: computePackSha256(removed as unknown as Record<string, unknown>) }, "carol-removed");
  expect(bad.status).toBe(1);
  expect(bad.stderr.split("\n")[0]).toMatch(new RegExp(`^Evidence pack FAILED verification: attestation ${code} credential-change mark was removed: audit entry ${entry.seq} records`));
}, 120_000);

test("on PostgreSQL, signed after 24 hours or after a reset the person asked for: no mark", async () => {
  for (const name of ["dan", "erin"]) {
    const { user, code } = signed[name];
    const input = { viewer: { id: user.id, is_hr: 0 }, code, catalog, origin: "http://confidant.test" };
    expect((await receiptFor(db, input))?.credentialChange).toBeNull();
    expect(pdfText((await receiptPdf(db, input))!.body, `receipt-${name}`)).not.toContain("Password history");
    const { pack: p } = await pack(user);
    expect(p.attestations[0].credential_change).toBeNull();
    const r = await verifyCli(p, name);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`attestation ${code}: not marked`);
  }
}, 120_000);
