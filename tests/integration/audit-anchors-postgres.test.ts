// The anchored audit log on a real PostgreSQL: the tree, checkpoints, a real TSA's timestamps,
// audit:verify (intact, a row edit, truncation), pg_dump backups and a restore that verify
// reports as behind its last anchor.
import { spawnSync } from "node:child_process";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { fixedClock } from "../../app/clock";
import { recordAudit } from "../../app/audit/audit.server";
import { checkpointFor, stampPending, takeCheckpoint } from "../../app/audit/anchors.server";
import { verifyInclusion } from "../../app/audit/merkle";
import { entryLeafHash } from "../../app/audit/entry";
import { inclusionProofs } from "../../app/audit/tree.server";
import { anchoringStatus } from "../../app/audit/status.server";
import { seedDemo } from "../../scripts/seed";
import { realCatalog, SECRET } from "../support/world";
import { startPostgres } from "../support/postgres";
import { testAnchors } from "../support/anchors";
import { startTsa, type TestTsa } from "../support/tsa";
import { runScript } from "../support/tamper";

const clock = fixedClock("2027-03-01T09:00:00.000Z");
let pg: Awaited<ReturnType<typeof startPostgres>>;
let db: Db;
let tsa: TestTsa;
let a: ReturnType<typeof testAnchors>;
let env: Record<string, string>;

beforeAll(async () => {
  pg = await startPostgres();
  tsa = await startTsa();
  a = testAnchors({ tsaUrl: "", tsaCaFile: null });
  a.anchors.tsaUrl = tsa.url;
  a.anchors.tsaCaFile = tsa.caFile;
  db = createDb(pg.url);
  await migrateToLatest(db);
  await seedDemo(db, { catalog: realCatalog(), secret: SECRET, clock });
  env = { DATABASE_URL: pg.url, DATA_DIR: a.dir, AUDIT_ANCHOR_FILE: a.anchors.anchorFile, AUDIT_LOG_ORIGIN: a.anchors.origin, TSA_CA_FILE: tsa.caFile };
}, 120_000);
afterAll(async () => {
  await db?.destroy();
  pg?.stop();
  await tsa?.stop();
  a?.cleanup();
});

test("a checkpoint on PostgreSQL is signed, timestamped by the TSA, proves inclusion, and audit:verify says intact", async () => {
  const taken = await takeCheckpoint(db, { key: a.key, anchors: a.anchors, now: clock() });
  expect(taken?.created).toBe(true);
  expect(await stampPending(db, { anchors: a.anchors, now: clock() })).toMatchObject({ stamped: 1 });
  const cp = (await checkpointFor(db))!;
  expect(cp.timestamp.status).toBe("stamped");
  const entries = await db.selectFrom("audit_log").selectAll().where("seq", "in", [1, 2, cp.treeSize]).orderBy("seq").execute();
  const proofs = await inclusionProofs(db, entries.map((e) => e.seq), cp);
  proofs.forEach((p, i) => expect(verifyInclusion({ ...p, leafHash: entryLeafHash(entries[i]), rootHash: cp.rootHash })).toBe(true));
  expect(await anchoringStatus(db, { viewer: { is_hr: 1 }, tsaUrl: tsa.url, origin: a.anchors.origin })).toMatchObject({ latest: { treeSize: cp.treeSize, timestamp: "stamped" }, pending: { count: 0 } });
  expect(await anchoringStatus(db, { viewer: { is_hr: 0 }, tsaUrl: tsa.url, origin: a.anchors.origin })).toBeNull();
  const r = runScript("scripts/audit-verify.ts", env);
  expect(r.stdout).toMatch(/Audit log intact: \d+ entries/);
  expect(r.stdout).toMatch(/timestamp tokens valid: 1 in the database, 1 in the anchor file/);
  expect(r.stdout).toMatch(/rows cross-checked: [1-9]\d* attestations, [1-9]\d* quiz attempts/);
  expect(r.status).toBe(0);
}, 120_000);

test("a checkpoint row cannot be deleted or rewritten on PostgreSQL", async () => {
  await expect(sql`delete from audit_checkpoints`.execute(db)).rejects.toThrow(/immutable/);
  await expect(sql`update audit_checkpoints set root_hash = 'x'`.execute(db)).rejects.toThrow(/immutable/);
  await expect(sql`update audit_checkpoints set tsa_token = 'x'`.execute(db)).rejects.toThrow(/immutable/);
});

test("npm run backup (pg_dump), later signatures, restore of the backup: audit:verify says the database is behind its anchor", async () => {
  const backup = `${a.dir}/older.dump`;
  const made = runScript("scripts/backup.ts", env, ["--out", backup]);
  expect(made.stdout).toMatch(/Backup written: .*older\.dump \(postgres, \d+ bytes\)/);
  expect(made.status).toBe(0);
  expect(runScript("scripts/backup.ts", env, ["--out", backup]).status, "an existing file is never overwritten").toBe(1);
  const before = (await checkpointFor(db))!.treeSize;
  for (let i = 0; i < 7; i++) await recordAudit(db, { actorId: null, action: "test.later", data: { i } }, new Date("2027-03-04T10:00:00.000Z"));
  await takeCheckpoint(db, { key: a.key, anchors: a.anchors, now: new Date("2027-03-04T11:00:00.000Z") });
  await sql`create database restored`.execute(db);
  const restoredUrl = pg.url.replace(/\/postgres$/, "/restored");
  const restore = spawnSync("pg_restore", ["--no-owner", `--dbname=${restoredUrl}`, backup], { encoding: "utf8" });
  expect(restore.status, restore.stderr).toBe(0);
  const r = runScript("scripts/audit-verify.ts", { ...env, DATABASE_URL: restoredUrl });
  expect(r.stderr.split("\n")[0]).toMatch(new RegExp(`behind its last anchor by 7 entries: the anchor file's checkpoint taken 2027-03-04T11:00:00.000Z covers ${before + 7}, the database holds ${before}`));
  expect(r.status).toBe(1);
}, 120_000);

test("an attestation edited on PostgreSQL with the trigger dropped is named", async () => {
  await sql`drop trigger attestations_immutable on attestations`.execute(db);
  await sql`update attestations set ip = '198.51.100.1' where id = (select min(id) from attestations)`.execute(db);
  const r = runScript("scripts/audit-verify.ts", env);
  expect(r.stderr).toMatch(/^Audit log TAMPERED: attestation \S+ \([A-Z0-9-]+\) differs from what audit entry \d+ recorded \(row edited\)/);
  expect(r.status).toBe(1);
}, 120_000);
