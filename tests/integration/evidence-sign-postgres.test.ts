// Producing a signed pack on a real PostgreSQL server: the pack anchored in a checkpoint of the
// log there, stored in evidence_packs (append-only there too), its PDF digitally signed, and
// the JSON verified offline with the instance's key.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, dialectOf, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { fixedClock } from "../../app/clock";
import { readConfig, type AppConfig } from "../../app/config.server";
import { assign, makePerson, workThroughCourse } from "../../app/demo/factories.server";
import { produceSignedEvidence } from "../../app/evidence/produce.server";
import { evidencePackFile, listEvidencePacks } from "../../app/evidence/stored-packs.server";
import { verifyPackOffline } from "../../app/evidence/verify";
import { sha256Hex } from "../../app/hash.server";
import { publishedSigningKey } from "../../app/keys/published-key.server";
import { COURSE_ID, PASSWORD, passwordHash, realCatalog, SECRET } from "../support/world";
import { startPostgres } from "../support/postgres";

let pg: Awaited<ReturnType<typeof startPostgres>>;
let db: Db;
let config: AppConfig;
let tmp: string;
const NOW = new Date("2027-06-01T09:00:00.000Z");

beforeAll(async () => {
  pg = await startPostgres();
  db = createDb(pg.url);
  await migrateToLatest(db);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-sign-pg-"));
  config = readConfig({ NODE_ENV: "test", DATABASE_URL: pg.url, DATA_DIR: tmp, APP_SECRET: SECRET, LOG_LEVEL: "silent" });
  const catalog = realCatalog();
  const course = catalog.courses.get(COURSE_ID)!;
  const clock = fixedClock("2027-03-01T09:00:00.000Z");
  const p = await makePerson(db, { email: "pat@test.example", name: "Pat Postgres", startDate: "2027-01-01", passwordHash: await passwordHash() }, clock);
  const a = await assign(db, { userId: p.id, course }, clock);
  await workThroughCourse(db, { user: p, assignment: a, course, catalog, upTo: "attested", failQuizFirst: true, password: PASSWORD, secret: SECRET, at: "2027-03-10T09:00:00.000Z" }, clock);
}, 120_000);
afterAll(async () => {
  await db?.destroy();
  pg?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test("a signed pack is produced, anchored and stored on PostgreSQL, and verifies offline with the published key", async () => {
  expect(dialectOf(db)).toBe("postgres");
  const produced = await produceSignedEvidence(db, config, { who: { email: "pat@test.example" }, generatedBy: { via: "command line", id: null, name: null, email: null }, now: NOW, formats: ["json", "pdf"] });
  expect(produced).not.toBeNull();
  const { pack } = produced!;
  expect(pack.anchor.checkpoint!.treeSize).toBeGreaterThanOrEqual(Math.max(...pack.audit.entries.map((e) => e.seq)));

  const [stored] = await listEvidencePacks(db, { personId: pack.person.id });
  expect(stored).toMatchObject({ id: produced!.id, pack_sha256: pack.packSha256, json_sha256: sha256Hex(produced!.json), pdf_sha256: produced!.pdfSha256, via: "command line" });
  const json = await evidencePackFile(db, { personId: pack.person.id, packId: produced!.id, format: "json" });
  expect(json).toBe(produced!.json);
  const pdf = (await evidencePackFile(db, { personId: pack.person.id, packId: produced!.id, format: "pdf" })) as Uint8Array;
  expect(sha256Hex(pdf)).toBe(produced!.pdfSha256);
  expect(await evidencePackFile(db, { personId: "usr_other", packId: produced!.id, format: "json" })).toBeNull();

  const file = path.join(tmp, "pack.pdf");
  fs.writeFileSync(file, pdf);
  const sig = execFileSync("pdfsig", [file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  expect(sig).toContain("Signature is Valid");
  expect(sig).toContain("Total document signed");

  const key = await publishedSigningKey(config);
  const report = await verifyPackOffline(JSON.parse(json as string), { publicKeyPem: key.publicKeyPem });
  expect(report.failures).toEqual([]);
  expect(report.signature).toMatchObject({ keySource: "given", fingerprint: key.fingerprint, valid: true });

  await expect(sql`update evidence_packs set json = '{}'`.execute(db)).rejects.toThrow(/immutable/);
  await expect(sql`delete from evidence_packs`.execute(db)).rejects.toThrow(/immutable/);
});
