// The stored Merkle tree, signed checkpoints, proofs and timestamps, on a real database (SQLite, or
// PostgreSQL under CONFIDANT_TEST_DB=postgres).
import fs from "node:fs";
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from "vitest";
import { recordAudit } from "../../app/audit/audit.server";
import { checkpointFor, listCheckpoints, readAnchorFile, stampPending, takeCheckpoint } from "../../app/audit/anchors.server";
import { verifyCheckpointSignature } from "../../app/audit/checkpoint";
import { entryLeafHash } from "../../app/audit/entry";
import { toBase64, verifyConsistency, verifyInclusion } from "../../app/audit/merkle";
import { verifyTimestampToken } from "../../app/audit/timestamp";
import { consistencyProof, inclusionProofs, storedTreeSize } from "../../app/audit/tree.server";
import { freshDb, type TestDb } from "../support/db";
import { testAnchors } from "../support/anchors";
import { startTsa, type TestTsa } from "../support/tsa";

let t: TestDb;
let a: ReturnType<typeof testAnchors>;
let tsa: TestTsa;
const at = new Date("2027-01-01T00:00:00.000Z");

beforeAll(async () => {
  tsa = await startTsa();
});
afterAll(async () => {
  await tsa.stop();
});
beforeEach(async () => {
  t = await freshDb();
  a = testAnchors();
});
afterEach(async () => {
  await t.close();
  a.cleanup();
});

async function append(n: number) {
  for (let i = 0; i < n; i++) await recordAudit(t.db, { actorId: "usr_1", action: "test.event", subjectType: "thing", subjectId: String(i), data: { i } }, at);
}

test("a checkpoint covers the whole log, is signed by the instance key and goes to the anchor file", async () => {
  await append(37);
  const taken = await takeCheckpoint(t.db, { key: a.key, anchors: a.anchors, now: at });
  expect(taken).toMatchObject({ created: true, checkpoint: { treeSize: 37, timestamp: { status: "none" } } });
  expect(await storedTreeSize(t.db)).toBe(37);
  expect(verifyCheckpointSignature(taken!.checkpoint.note, a.key.publicKeyPem)).toMatchObject({ ok: true, checkpoint: { origin: "confidant.test/audit-log", treeSize: 37 } });
  // Nothing new: no new checkpoint.
  expect(await takeCheckpoint(t.db, { key: a.key, anchors: a.anchors, now: at })).toMatchObject({ created: false });
  const file = readAnchorFile(a.anchors.anchorFile);
  expect(file).toMatchObject({ ok: true, lines: [{ kind: "checkpoint", treeSize: 37, note: taken!.checkpoint.note }] });
});

test("every entry's inclusion proof verifies against the checkpoint; checkpoints prove consistency", async () => {
  await append(23);
  const first = (await takeCheckpoint(t.db, { key: a.key, anchors: a.anchors, now: at }))!.checkpoint;
  await append(41);
  const second = (await takeCheckpoint(t.db, { key: a.key, anchors: a.anchors, now: at }))!.checkpoint;
  expect(second.treeSize).toBe(64);
  const entries = await t.db.selectFrom("audit_log").selectAll().orderBy("seq").execute();
  const proofs = await inclusionProofs(t.db, entries.map((e) => e.seq), second);
  for (const [i, p] of proofs.entries()) {
    expect(p.leafHash).toBe(toBase64(entryLeafHash(entries[i])));
    expect(verifyInclusion({ leafIndex: p.leafIndex, treeSize: p.treeSize, leafHash: entryLeafHash(entries[i]), proof: p.proof, rootHash: second.rootHash })).toBe(true);
  }
  expect(await checkpointFor(t.db, { coverSeq: 20 })).toMatchObject({ treeSize: 64 });
  expect(await checkpointFor(t.db, { coverSeq: 65 })).toBeNull();
  const proof = await consistencyProof(t.db, first.treeSize, second.treeSize);
  expect(verifyConsistency({ size1: 23, size2: 64, root1: first.rootHash, root2: second.rootHash, proof })).toBe(true);
  await expect(inclusionProofs(t.db, [65], second)).rejects.toThrow(/not in the checkpoint/);
});

test("the tree is extended in chunks that resume where they stopped", async () => {
  await append(12);
  const { extendTree } = await import("../../app/audit/tree.server");
  expect(await extendTree(t.db, { chunk: 5 })).toBe(12);
  await append(3);
  expect(await extendTree(t.db, { chunk: 5 })).toBe(15);
  const nodes = await t.db.selectFrom("audit_tree_nodes").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  expect(Number(nodes.n)).toBe(15 + 7 + 3 + 1); // levels 0..3 of a 15-leaf tree
});

test("a checkpoint gets a timestamp from the TSA that verifies against the TSA's CA, and the token goes to the anchor file", async () => {
  tsa.mode = "ok";
  const anchors = { ...a.anchors, tsaUrl: tsa.url, tsaCaFile: tsa.caFile };
  await append(5);
  const cp = (await takeCheckpoint(t.db, { key: a.key, anchors, now: at }))!.checkpoint;
  expect(cp.timestamp.status).toBe("pending");
  expect(await stampPending(t.db, { anchors, now: at })).toMatchObject({ stamped: 1, failed: 0 });
  const stored = (await checkpointFor(t.db))!;
  expect(stored.timestamp).toMatchObject({ status: "stamped", attempts: 1, lastError: null });
  expect(await verifyTimestampToken({ token: stored.timestamp.token!, data: stored.note, trustAnchorsPem: fs.readFileSync(tsa.caFile, "utf8") })).toMatchObject({ ok: true });
  const file = readAnchorFile(anchors.anchorFile);
  expect(file.ok && file.lines.map((l) => l.kind)).toEqual(["checkpoint", "timestamp"]);
});

test("a TSA that is slow, down or answers garbage leaves the timestamp pending with the reason, retried later", async () => {
  const anchors = { ...a.anchors, tsaUrl: tsa.url, tsaCaFile: tsa.caFile };
  await append(5);
  await takeCheckpoint(t.db, { key: a.key, anchors, now: at });
  tsa.mode = "slow";
  expect(await stampPending(t.db, { anchors, now: at, timeoutMs: 300 })).toMatchObject({ stamped: 0, failed: 1 });
  let cp = (await checkpointFor(t.db))!;
  expect(cp.timestamp).toMatchObject({ status: "pending", attempts: 1, lastError: expect.stringMatching(/did not answer/) });
  // Not due again yet: nothing is asked (the cut-off request has reached the TSA by now).
  await new Promise((r) => setTimeout(r, 200));
  const before = tsa.requests;
  expect(await stampPending(t.db, { anchors, now: at })).toMatchObject({ stamped: 0, failed: 0 });
  expect(tsa.requests).toBe(before);
  tsa.mode = "garbage";
  const later = new Date(at.getTime() + 2 * 60_000);
  expect(await stampPending(t.db, { anchors, now: later })).toMatchObject({ failed: 1 });
  cp = (await checkpointFor(t.db))!;
  expect(cp.timestamp).toMatchObject({ status: "pending", attempts: 2, lastError: expect.stringMatching(/not an RFC 3161 response/) });
  expect(await stampPending(t.db, { anchors: { ...anchors, tsaUrl: "http://127.0.0.1:1/tsa" }, now: new Date(later.getTime() + 3 * 60_000) })).toMatchObject({ failed: 1 });
  tsa.mode = "ok";
  expect(await stampPending(t.db, { anchors, now: new Date(later.getTime() + 60 * 60_000) })).toMatchObject({ stamped: 1 });
  expect((await listCheckpoints(t.db))[0].timestamp).toMatchObject({ status: "stamped", attempts: 4, lastError: null });
});

test("a token that does not chain to the configured CA is not stored", async () => {
  tsa.mode = "ok";
  const anchors = { ...a.anchors, tsaUrl: tsa.url, tsaCaFile: tsa.otherCaFile };
  await append(2);
  await takeCheckpoint(t.db, { key: a.key, anchors, now: at });
  expect(await stampPending(t.db, { anchors, now: at })).toMatchObject({ stamped: 0, failed: 1, problems: [expect.stringMatching(/does not verify/)] });
  expect((await checkpointFor(t.db))!.timestamp.token).toBeNull();
});

test("audit:verify checks every timestamp token: a changed token is named, no trust anchor means could-not-check", async () => {
  const { verifyAuditLog } = await import("../../app/audit/verify.server");
  const { dropTokenGuard } = await import("../support/tamper");
  tsa.mode = "ok";
  const anchors = { ...a.anchors, tsaUrl: tsa.url, tsaCaFile: tsa.caFile };
  await append(9);
  await takeCheckpoint(t.db, { key: a.key, anchors, now: at });
  await stampPending(t.db, { anchors, now: at });
  const ca = fs.readFileSync(tsa.caFile, "utf8");
  const opts = { publicKey: a.key.publicKeyPem, anchorFile: anchors.anchorFile, trustAnchorsPem: ca };
  expect(await verifyAuditLog(t.db, opts)).toMatchObject({ status: 0 });
  expect(await verifyAuditLog(t.db, { ...opts, trustAnchorsPem: null })).toMatchObject({ status: 2, unchecked: [expect.stringMatching(/no TSA trust anchor/)] });
  const wrongCa = await verifyAuditLog(t.db, { ...opts, trustAnchorsPem: fs.readFileSync(tsa.otherCaFile, "utf8") });
  expect(wrongCa.status).toBe(1);
  expect(wrongCa.problems).toEqual([expect.stringMatching(/token of the checkpoint of 9 entries \(database\) is not valid/), expect.stringMatching(/token of the checkpoint of 9 entries \(anchor file\) is not valid/)]);
  await dropTokenGuard(t.db);
  const { tsa_token } = await t.db.selectFrom("audit_checkpoints").select("tsa_token").executeTakeFirstOrThrow();
  const bytes = Buffer.from(tsa_token!, "base64");
  bytes[bytes.length - 20] ^= 0x01;
  await t.db.updateTable("audit_checkpoints").set({ tsa_token: bytes.toString("base64") }).execute();
  const report = await verifyAuditLog(t.db, opts);
  expect(report.status).toBe(1);
  expect(report.problems[0]).toMatch(/timestamp token of the checkpoint of 9 entries \(database\) is not valid/);
  // A checkpoint signed by another key is named too.
  const other = testAnchors();
  expect((await verifyAuditLog(t.db, { ...opts, publicKey: other.key.publicKeyPem })).problems[0]).toMatch(/is not validly signed: the checkpoint carries no signature by this key/);
  other.cleanup();
});

test("npm run audit:checkpoint signs a checkpoint on demand, prints it, and asks the TSA for its timestamp", async () => {
  const { runScript, runScriptAsync } = await import("../support/tamper");
  await append(4);
  const env = { DATABASE_URL: t.url, DATA_DIR: a.dir, AUDIT_ANCHOR_FILE: a.anchors.anchorFile, AUDIT_LOG_ORIGIN: a.anchors.origin };
  const first = runScript("scripts/audit-checkpoint.ts", env);
  expect(first.stdout).toMatch(/Checkpoint of 4 entries signed and appended to .*audit-anchors\.jsonl:\nconfidant\.test\/audit-log\n4\n[A-Za-z0-9+/]{43}=\n\n— confidant\.test\/audit-log /);
  expect(first.stdout).toMatch(/No TSA_URL: the checkpoint is signed but not timestamped\./);
  expect(first.status).toBe(0);
  expect(verifyCheckpointSignature((await checkpointFor(t.db))!.note, a.key.publicKeyPem).ok).toBe(true);
  tsa.mode = "ok";
  const again = await runScriptAsync("scripts/audit-checkpoint.ts", { ...env, TSA_URL: tsa.url, TSA_CA_FILE: tsa.caFile });
  expect(again.stdout).toMatch(/No new entries; the last checkpoint .* stands/);
  expect(again.stdout).toMatch(/Timestamps: 0 received, 0 pending after a failed attempt\./);
  await append(1);
  const stamped = await runScriptAsync("scripts/audit-checkpoint.ts", { ...env, TSA_URL: tsa.url, TSA_CA_FILE: tsa.caFile });
  expect(stamped.stdout).toMatch(/Checkpoint of 5 entries signed/);
  expect(stamped.stdout).toMatch(/Timestamps: 1 received, 0 pending/);
}, 120_000);

test("audit:verify checks checkpoints with the key given by --public-key, and never makes a key of its own", async () => {
  const { runScript } = await import("../support/tamper");
  await append(3);
  await takeCheckpoint(t.db, { key: a.key, anchors: a.anchors, now: at });
  const env = { DATABASE_URL: t.url, DATA_DIR: a.dir, AUDIT_ANCHOR_FILE: a.anchors.anchorFile };
  const pub = `${a.dir}/instance.pub`;
  fs.writeFileSync(pub, a.key.publicKeyPem);
  const given = runScript("scripts/audit-verify.ts", { ...env, DATA_DIR: `${a.dir}/elsewhere` }, ["--public-key", pub]);
  expect(given.stdout).toMatch(/Audit log intact: 3 entries/);
  expect(given.status).toBe(0);
  const other = testAnchors();
  fs.writeFileSync(pub, other.key.publicKeyPem);
  const wrong = runScript("scripts/audit-verify.ts", env, ["--public-key", pub]);
  expect(wrong.stderr).toMatch(/^Audit log TAMPERED: the checkpoint of 3 entries in the database .* is not validly signed/);
  expect(wrong.status).toBe(1);
  other.cleanup();
  const keyless = runScript("scripts/audit-verify.ts", { ...env, DATA_DIR: `${a.dir}/elsewhere` });
  expect(keyless.stderr).toMatch(/could not check: the database holds 1 checkpoints but there is no instance public key/);
  expect(keyless.status).toBe(2);
  expect(fs.existsSync(`${a.dir}/elsewhere/instance-key.pem`)).toBe(false);
}, 120_000);
