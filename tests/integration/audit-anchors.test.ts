// Tampering as an insider would, on a copy of a database with real evidence in it; each time
// `npm run audit:verify` must name what was done (exit 1), and say "intact" (exit 0) only when
// nothing was.
import fs from "node:fs";
import { sql } from "kysely";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { recordAudit } from "../../app/audit/audit.server";
import { takeCheckpoint } from "../../app/audit/anchors.server";
import { workThroughCourse } from "../../app/demo/factories.server";
import { exemptAssignment, grantExtension } from "../../app/hr/actions.server";
import { signCheckpoint } from "../../app/audit/checkpoint";
import { extendTree, treeRoot } from "../../app/audit/tree.server";
import { toBase64, toHex } from "../../app/audit/merkle";
import { backupDatabase } from "../../db/backup";
import { assignCourse, makeWorld, PASSWORD, SECRET, type World } from "../support/world";
import { testAnchors } from "../support/anchors";
import { dropGuards, forgeAppend, rechain, runScript } from "../support/tamper";

// Each test spawns audit:verify, some twice: slower than the default on a busy machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let w: World;
let a: ReturnType<typeof testAnchors>;
let env: Record<string, string>;
let size: number;

beforeEach(async () => {
  w = await makeWorld();
  a = testAnchors();
  env = { DATABASE_URL: `file:${w.file}`, DATA_DIR: a.dir, AUDIT_ANCHOR_FILE: a.anchors.anchorFile, AUDIT_LOG_ORIGIN: a.anchors.origin };
  const alice = await assignCourse(w, w.alice);
  await workThroughCourse(w.db, { user: w.alice, assignment: alice, course: w.course, catalog: w.catalog, upTo: "attested", password: PASSWORD, secret: SECRET, failQuizFirst: true }, w.clock);
  const bob = await assignCourse(w, w.bob);
  await grantExtension(w.db, { viewer: w.hr, personId: w.bob.id, form: { assignment: bob.id, due: "2027-06-30", reason: "Parental leave" } }, w.clock);
  await exemptAssignment(w.db, { viewer: w.hr, personId: w.bob.id, form: { assignment: bob.id, reason: "Moved to a role without access" } }, w.clock);
  for (let i = 0; i < 240; i++) await recordAudit(w.db, { actorId: w.hr.id, action: "test.event", subjectType: "thing", subjectId: String(i), data: { i } }, w.clock());
  size = (await takeCheckpoint(w.db, { key: a.key, anchors: a.anchors, now: w.clock() }))!.checkpoint.treeSize;
});
afterEach(async () => {
  await w.close();
  a.cleanup();
});

function verify() {
  return runScript("scripts/audit-verify.ts", env);
}

function expectTampered(pattern: RegExp) {
  const r = verify();
  expect(r.stderr).toMatch(/^Audit log TAMPERED: /);
  expect(r.stderr.split("\n")[0]).toMatch(pattern);
  expect(r.status).toBe(1);
}

test("an untouched log with its evidence verifies: exit 0, every evidence row cross-checked", () => {
  const r = verify();
  expect(r.stdout).toMatch(new RegExp(`Audit log intact: ${size} entries`));
  expect(r.stdout).toMatch(/rows cross-checked: 1 attestations, 2 quiz attempts, 1 exemptions, 1 extensions/);
  expect(r.status).toBe(0);
});

for (const n of [5, 217]) {
  test(`deleting the newest ${n} entries is named as truncation below the last checkpoint`, async () => {
    await dropGuards(w.db);
    await sql`delete from audit_log where seq > ${size - n}`.execute(w.db);
    expectTampered(new RegExp(`truncated below its last checkpoint: it holds ${size - n} entries.*covers ${size} \\(${n} missing`));
  });
}

test("truncating the log and its checkpoints in the database is caught by the anchor file", async () => {
  await dropGuards(w.db);
  await sql`delete from audit_log where seq > ${size - 5}`.execute(w.db);
  await sql`delete from audit_checkpoints`.execute(w.db);
  await sql`delete from audit_tree_nodes`.execute(w.db);
  expectTampered(new RegExp(`behind its last anchor by 5 entries.*covers ${size}, the database holds ${size - 5}`));
  expect(verify().stderr).toMatch(/anchored head is missing from the database/);
});

test("a forged entry appended with a recomputed hash and backdated under the checkpoint is named", async () => {
  await dropGuards(w.db);
  const seq = await forgeAppend(w.db, { at: "2027-02-01T09:00:00.000Z", actor_id: w.alice.id, action: "test.event", subject_type: "thing", subject_id: "x", data: {} });
  expectTampered(new RegExp(`entry ${seq} is dated 2027-02-01T09:00:00.000Z, before the checkpoint of ${size} entries`));
});

test("a forged attestation entry appended after the checkpoint, without its row, is named", async () => {
  await dropGuards(w.db);
  const seq = await forgeAppend(w.db, { at: "2027-03-02T09:00:00.000Z", actor_id: w.bob.id, action: "attestation.signed", subject_type: "attestation", subject_id: "atn_forged", data: { rowSha256: "0".repeat(64) } });
  expectTampered(new RegExp(`attestation atn_forged recorded by audit entry ${seq} is missing from its table`));
});

test("a middle entry edited with every later hash recomputed is named as changed under the checkpoint", async () => {
  await dropGuards(w.db);
  await sql`update audit_log set data_json = '{"i":999}' where seq = 40`.execute(w.db);
  await rechain(w.db, 40);
  expect((await w.db.selectFrom("audit_log").select("seq").execute()).length).toBe(size);
  expectTampered(new RegExp(`an entry among the first ${size} was changed under the checkpoint of ${size} entries`));
});

test("a rewrite checkpointed again with the instance key is named as inconsistent with its predecessor", async () => {
  await dropGuards(w.db);
  await sql`update audit_log set actor_id = 'usr_mallory' where seq = 12`.execute(w.db);
  await rechain(w.db, 12);
  await recordAudit(w.db, { actorId: w.hr.id, action: "test.event", data: {} }, w.clock());
  await sql`delete from audit_tree_nodes`.execute(w.db);
  await extendTree(w.db);
  const root = await treeRoot(w.db, size + 1);
  const note = signCheckpoint({ origin: a.anchors.origin, treeSize: size + 1, rootHash: toBase64(root) }, a.key.privateKey);
  await w.db.insertInto("audit_checkpoints").values({ tree_size: size + 1, root_hash: toHex(root), note, created_at: w.clock().toISOString(), tsa_status: "none", tsa_token: null, tsa_gen_time: null, tsa_last_error: null, tsa_next_attempt_at: null }).execute();
  const r = verify();
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`changed under the checkpoint of ${size} entries`));
  expect(r.stderr).toMatch(new RegExp(`checkpoint of ${size + 1} entries .* is not consistent with its predecessor of ${size} entries`));
});

test("editing an attestation row directly (triggers dropped) is named", async () => {
  await dropGuards(w.db);
  await sql`update attestations set printed_name = 'Someone Else'`.execute(w.db);
  expectTampered(/attestation sig_\w+ \([A-Z0-9-]+\) differs from what audit entry \d+ recorded \(row edited\)/);
});

test("editing a quiz attempt's score directly is named", async () => {
  await dropGuards(w.db);
  await sql`update quiz_attempts set score = 100, passed = 1 where passed = 0`.execute(w.db);
  expectTampered(/quiz attempt \w+ differs from what audit entry \d+ recorded/);
});

test("deleting a failed quiz attempt is named", async () => {
  await dropGuards(w.db);
  await sql`delete from quiz_attempts where passed = 0`.execute(w.db);
  expectTampered(/quiz attempt \w+ recorded by audit entry \d+ is missing from its table \(row deleted\)/);
});

test("editing an exemption's date or an extension's due date directly is named", async () => {
  await sql`update assignments set exempted_at = '2027-01-15T00:00:00.000Z' where user_id = ${w.bob.id}`.execute(w.db);
  expectTampered(/the exemption of assignment \w+ differs from what audit entry \d+ recorded/);
  await sql`update assignments set exempted_at = ${w.clock().toISOString()}, due_at = '2027-12-31T23:59:59.999Z' where user_id = ${w.bob.id}`.execute(w.db);
  expectTampered(/the extension of assignment \w+ differs from what audit entry \d+ recorded/);
});

test("a database restored from an older backup is reported behind its last anchor, with how many entries and since when", async () => {
  const backup = `${a.dir}/older.sqlite`;
  await backupDatabase(`file:${w.file}`, backup);
  for (let i = 0; i < 12; i++) await recordAudit(w.db, { actorId: w.hr.id, action: "test.later", data: { i } }, new Date("2027-03-05T10:00:00.000Z"));
  await takeCheckpoint(w.db, { key: a.key, anchors: a.anchors, now: new Date("2027-03-05T11:00:00.000Z") });
  expect(verify().status).toBe(0);
  await w.db.destroy();
  for (const f of [w.file, `${w.file}-wal`, `${w.file}-shm`]) fs.rmSync(f, { force: true });
  fs.copyFileSync(backup, w.file);
  const r = verify();
  expect(r.stderr.split("\n")[0]).toMatch(new RegExp(`behind its last anchor by 12 entries: the anchor file's checkpoint taken 2027-03-05T11:00:00.000Z covers ${size + 12}, the database holds ${size}; the log ends at entry ${size} \\(2027-03-01T09:00:00.000Z\\)`));
  expect(r.status).toBe(1);
  const { createDb } = await import("../../db/connection");
  w.db = createDb(`file:${w.file}`);
});

test("npm run backup writes an online backup and refuses to overwrite a file", () => {
  const out = `${a.dir}/b.sqlite`;
  const ok = runScript("scripts/backup.ts", env, ["--out", out]);
  expect(ok.stdout).toMatch(/Backup written: .*b\.sqlite \(sqlite, \d+ bytes\)/);
  expect(ok.status).toBe(0);
  const again = runScript("scripts/backup.ts", env, ["--out", out]);
  expect(again.stderr).toMatch(/already exists/);
  expect(again.status).toBe(1);
  expect(runScript("scripts/backup.ts", env).status).toBe(2);
});

test("audit:verify exits 2 when it cannot check: the anchor file gone while checkpoints exist", () => {
  fs.rmSync(a.anchors.anchorFile);
  const r = verify();
  expect(r.stderr).toMatch(/could not check: the anchor file .* does not exist, though the database holds 1 checkpoints/);
  expect(r.status).toBe(2);
});
