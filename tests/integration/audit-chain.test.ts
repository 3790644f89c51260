import path from "node:path";
import os from "node:os";
import fs from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import { sql } from "kysely";
import { afterEach, beforeEach, expect, test } from "vitest";
import { recordAudit, verifyAuditChain } from "../../app/audit/audit.server";
import { freshDb, type TestDb } from "../support/db";
import { fixedClock } from "../../app/clock";

let t: TestDb;
beforeEach(async () => {
  t = await freshDb();
  const clock = fixedClock("2027-01-01T00:00:00.000Z");
  for (let i = 1; i <= 6; i++) {
    await recordAudit(t.db, { actorId: `usr_${i}`, action: "test.event", subjectType: "thing", subjectId: String(i), data: { i } }, clock());
  }
});
afterEach(async () => {
  await t.close();
});

/** Tampering needs the immutability triggers out of the way, as an attacker with the file would. */
async function dropGuards() {
  await sql`drop trigger audit_log_no_update`.execute(t.db);
  await sql`drop trigger audit_log_no_delete`.execute(t.db);
}

test("an untouched chain verifies", async () => {
  const report = await verifyAuditChain(t.db);
  expect(report).toMatchObject({ ok: true, entries: 6 });
});

test("editing any field of an entry is detected at that entry", async () => {
  await dropGuards();
  await sql`update audit_log set data_json = '{"i":99}' where seq = 3`.execute(t.db);
  expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, seq: 3, problem: expect.stringMatching(/altered/) });
});

test("editing an entry and recomputing its hash is detected at the next entry", async () => {
  await dropGuards();
  const { entryHash } = await import("../../app/audit/audit.server");
  const row = await t.db.selectFrom("audit_log").selectAll().where("seq", "=", 2).executeTakeFirstOrThrow();
  const forged = { ...row, actor_id: "usr_mallory" };
  await t.db.updateTable("audit_log").set({ actor_id: "usr_mallory", hash: entryHash(forged) }).where("seq", "=", 2).execute();
  expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, seq: 3, problem: expect.stringMatching(/does not follow/) });
});

test("deleting an entry is detected", async () => {
  await dropGuards();
  await sql`delete from audit_log where seq = 4`.execute(t.db);
  expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, seq: 4, problem: expect.stringMatching(/missing/) });
});

test("reordering entries is detected", async () => {
  await dropGuards();
  // Swap the contents of entries 2 and 5, keeping their positions.
  await sql`update audit_log set seq = -2 where seq = 2`.execute(t.db);
  await sql`update audit_log set seq = 2 where seq = 5`.execute(t.db);
  await sql`update audit_log set seq = 5 where seq = -2`.execute(t.db);
  const report = await verifyAuditChain(t.db);
  expect(report.ok).toBe(false);
  if (!report.ok) expect(report.seq).toBe(2);
});

test("npm run audit:verify exits 0 on an intact chain and 1 naming the first broken entry", () => {
  // Its own data folder: no anchor file from another test's checkpoints.
  const env = { ...process.env, DATABASE_URL: t.url, ...ownDataDir() };
  const ok = execFileSync("node_modules/.bin/tsx", ["scripts/audit-verify.ts"], { env, encoding: "utf8" });
  expect(ok).toMatch(/intact: 6 entries/);
});

test("audit:verify fails with the broken entry's number after tampering", async () => {
  await dropGuards();
  await sql`delete from audit_log where seq = 5`.execute(t.db);
  const env = { ...process.env, DATABASE_URL: t.url, ...ownDataDir() };
  const run = spawnSync("node_modules/.bin/tsx", ["scripts/audit-verify.ts"], { env, encoding: "utf8" });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/BROKEN at entry 5/);
});

function ownDataDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-audit-"));
  return { DATA_DIR: dir, AUDIT_ANCHOR_FILE: path.join(dir, "audit-anchors.jsonl") };
}
