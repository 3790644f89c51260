// The anchored audit log: (1) attestation signing throughput with checkpoints being taken all the
// while (every 200 ms and every second: 1,500 and 300 times as often as the scheduler's default)
// against none, in rounds of one run each way (which goes first alternates, so drift in the
// machine's load cancels), the median of the rounds' ratios compared; (2) in a log of
// 1,000,000 entries, the size of a pack's inclusion proofs per entry and the time to verify them
// offline (checkpoint signature + every proof), and what building the tree and a checkpoint cost.
//
//   npm run bench -- audit-log
//   BENCH_ENTRIES=100000 BENCH_SIGNATURES=30 npm run bench -- audit-log
//   BENCH_PART=signing BENCH_CHECKPOINT_MS=200 BENCH_ROUNDS=7 npm run bench -- audit-log
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { fixedClock } from "../../app/clock";
import { loadCatalog } from "../../app/courses/catalog.server";
import { hashPassword } from "../../app/auth/password.server";
import { assign, makePerson, workThroughCourse } from "../../app/demo/factories.server";
import { presentedToken, signAttestation } from "../../app/attestations/attestations.server";
import { fromPrivateKey } from "../../app/keys/instance-key.server";
import { takeCheckpoint } from "../../app/audit/anchors.server";
import { verifyCheckpointSignature } from "../../app/audit/checkpoint";
import { entryHash } from "../../app/audit/audit.server";
import { entryLeafHash } from "../../app/audit/entry";
import { verifyInclusion } from "../../app/audit/merkle";
import { extendTree, inclusionProofs } from "../../app/audit/tree.server";
import type { AuditAnchorConfig } from "../../app/config.server";
import { median, writeJson } from "./support/load";
import type { CaseOutcome } from "./support/types";

export const description = "signing with checkpoints on vs off; proofs in a log of 1,000,000 entries";

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 1_000_000);
const SIGNATURES = Number(process.env.BENCH_SIGNATURES ?? 40);
const PACK_ENTRIES = 60;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
/** Checkpoints meanwhile, this often (each rate its own case): the scheduler's default is one per 5 minutes. */
const CHECKPOINT_EVERY_MS = (process.env.BENCH_CHECKPOINT_MS ?? "200,1000").split(",").map(Number);
const PART = process.env.BENCH_PART ?? "all";
const PASSWORD = "correct horse battery";
const SECRET = "bench-secret-0123456789abcdef0123456789abcdef";
const key = fromPrivateKey(generateKeyPairSync("ed25519").privateKey);

function tmp(name: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `confidant-bench-${name}-`));
  return { dir, anchors: { origin: "bench.example/audit-log", anchorFile: path.join(dir, "anchors.jsonl"), tsaUrl: null, tsaCaFile: null } as AuditAnchorConfig };
}

interface SigningRun {
  rate: number;
  checkpoints: number;
  /** How long each checkpoint took, end to end (reads and hashing outside its short write transactions included). */
  checkpointMs: number[];
}

/** A database with SIGNATURES people who passed the quiz and are ready to sign, made once and copied for every run. */
async function readyToSign(): Promise<string> {
  const { dir } = tmp("template");
  const file = path.join(dir, "db.sqlite");
  const db = createDb(`file:${file}`);
  await migrateToLatest(db);
  const clock = fixedClock("2027-03-01T09:00:00.000Z");
  const hash = await hashPassword(PASSWORD);
  for (let i = 0; i < SIGNATURES; i++) {
    const user = await makePerson(db, { email: `p${i}@bench.example`, name: `Person ${i}`, startDate: "2027-01-01", passwordHash: hash }, clock);
    const assignment = await assign(db, { userId: user.id, course }, clock);
    await workThroughCourse(db, { user, assignment, course, catalog, upTo: "quiz", password: PASSWORD, secret: SECRET }, clock);
  }
  // As on a running instance, the tree and a checkpoint already cover the existing log: the runs
  // measure checkpoints of what is signed meanwhile, not one catching up with the setup's entries.
  await takeCheckpoint(db, { key, anchors: tmp("setup").anchors, now: new Date() });
  await db.destroy(); // closing the last connection folds the WAL into the file
  return file;
}

const catalog = loadCatalog(path.resolve("courses"));
const course = catalog.courses.get("protecting-trade-secrets")!;
const policy = catalog.policies.get(course.meta.policy!)!;

/** Signatures per second for the people ready to sign in a copy of `template`, with checkpoints every `everyMs` meanwhile (none when null). */
async function signingRate(template: string, everyMs: number | null): Promise<SigningRun> {
  const { dir, anchors } = tmp("sign");
  fs.copyFileSync(template, path.join(dir, "db.sqlite"));
  const db = createDb(`file:${path.join(dir, "db.sqlite")}`);
  const clock = fixedClock("2027-03-01T09:00:00.000Z");
  const users = await db.selectFrom("users").selectAll().orderBy("email").execute();
  const assignments = await db.selectFrom("assignments").selectAll().execute();
  const ready = users.map((user) => ({ user, assignment: assignments.find((a) => a.user_id === user.id)! }));
  let stop = false;
  const checkpointMs: number[] = [];
  const checkpoints =
    everyMs !== null
      ? (async () => {
          while (!stop) {
            const t = performance.now();
            const taken = await takeCheckpoint(db, { key, anchors, now: new Date() });
            if (taken?.created) checkpointMs.push(performance.now() - t);
            await new Promise((r) => setTimeout(r, everyMs));
          }
        })()
      : Promise.resolve();
  const started = performance.now();
  for (const { user, assignment } of ready) {
    const presented = presentedToken(SECRET, { assignmentId: assignment.id, policyId: policy.id, version: policy.current.version, at: "2027-03-01T08:55:00.000Z" });
    const r = await signAttestation(db, { viewer: user, assignment, course, policy, form: { intent: "on", name: user.name, password: PASSWORD, presented }, ip: "127.0.0.1", userAgent: "bench", secret: SECRET, consentPolicy: null }, clock);
    if (!r.ok) throw new Error("signing failed");
  }
  const seconds = (performance.now() - started) / 1000;
  stop = true;
  await checkpoints;
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
  return { rate: SIGNATURES / seconds, checkpoints: checkpointMs.length, checkpointMs };
}

/** Rounds of one run without checkpoints and one with, the order alternating; the ratio is the median of the rounds'. */
async function signingCase(template: string, everyMs: number) {
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const onFirst = round % 2 === 1;
    const a = await signingRate(template, onFirst ? everyMs : null);
    const b = await signingRate(template, onFirst ? null : everyMs);
    const [off, on] = onFirst ? [b, a] : [a, b];
    rounds.push({ off: off.rate, on: on.rate, ratio: on.rate / off.rate, checkpoints: on.checkpoints, checkpointMedianMs: median(on.checkpointMs), checkpointMaxMs: Math.max(...on.checkpointMs) });
  }
  const ratio = median(rounds.map((r) => r.ratio));
  const ratios = rounds.map((r) => r.ratio);
  console.log(
    `  signing, a checkpoint every ${everyMs} ms (${ROUNDS} rounds of ${SIGNATURES} each way): ${median(rounds.map((r) => r.off)).toFixed(1)}/s without, ` +
      `${median(rounds.map((r) => r.on)).toFixed(1)}/s with (${median(rounds.map((r) => r.checkpoints))} checkpoints a round, ${median(rounds.map((r) => r.checkpointMedianMs)).toFixed(1)} ms each) ` +
      `→ ${ratio.toFixed(2)}× (rounds ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×; target ≥ 0.9×)`,
  );
  return { everyMs, ratio, rounds, signatures: SIGNATURES };
}

/** A log of `n` entries written straight into the table, hashes chained as the app chains them. */
function fillLog(file: string, n: number) {
  const h = new Database(file);
  h.pragma("journal_mode = WAL");
  const insert = h.prepare("insert into audit_log (seq, at, actor_id, action, subject_type, subject_id, data_json, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  let prev = "0".repeat(64);
  const at = Date.parse("2027-01-01T00:00:00.000Z");
  h.transaction(() => {
    for (let seq = 1; seq <= n; seq++) {
      const e = { seq, at: new Date(at + seq * 1000).toISOString(), actor_id: `usr_${seq % 5000}`, action: seq % 3 ? "module.completed" : "quiz.attempted", subject_type: "assignment", subject_id: `asg_${seq % 90000}`, data_json: `{"n":${seq}}`, prev_hash: prev };
      const hash = entryHash(e);
      insert.run(e.seq, e.at, e.actor_id, e.action, e.subject_type, e.subject_id, e.data_json, e.prev_hash, hash);
      prev = hash;
    }
  })();
  h.close();
}

async function proofsAtScale() {
  const { dir, anchors } = tmp("tree");
  const file = path.join(dir, "db.sqlite");
  const db: Db = createDb(`file:${file}`);
  await migrateToLatest(db);
  let t = performance.now();
  fillLog(file, ENTRIES);
  const fillSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  await extendTree(db, { chunk: 20_000 });
  const treeSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const cp = (await takeCheckpoint(db, { key, anchors, now: new Date() }))!.checkpoint;
  const checkpointMs = performance.now() - t;
  const seqs = Array.from({ length: PACK_ENTRIES }, (_, i) => 1 + Math.floor(((i + 0.5) / PACK_ENTRIES) * ENTRIES));
  t = performance.now();
  const proofs = await inclusionProofs(db, seqs, cp);
  const proveMs = performance.now() - t;
  const entries = await db.selectFrom("audit_log").selectAll().where("seq", "in", seqs).orderBy("seq").execute();
  const bytesPerEntry = Buffer.byteLength(JSON.stringify(proofs)) / proofs.length;
  const verifyRuns: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    const signed = verifyCheckpointSignature(cp.note, key.publicKeyPem);
    const all = proofs.every((p, i) => verifyInclusion({ ...p, leafHash: entryLeafHash(entries[i]), rootHash: cp.rootHash }));
    if (!signed.ok || !all) throw new Error("a proof did not verify");
    verifyRuns.push(performance.now() - start);
  }
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
  return { entries: ENTRIES, fillSeconds, treeSeconds, checkpointMs, packEntries: PACK_ENTRIES, proveMs, bytesPerEntry, verifyMs: median(verifyRuns), hashesPerProof: proofs[0].proof.length };
}

export async function run(): Promise<CaseOutcome> {
  const signing = [];
  if (PART !== "scale") {
    const template = await readyToSign();
    for (const everyMs of CHECKPOINT_EVERY_MS) signing.push(await signingCase(template, everyMs));
    fs.rmSync(path.dirname(template), { recursive: true, force: true });
  }
  const ratio = signing.length ? Math.min(...signing.map((c) => c.ratio)) : 1;
  let scale: Awaited<ReturnType<typeof proofsAtScale>> | null = null;
  if (PART !== "signing") {
    scale = await proofsAtScale();
    console.log(`  log of ${scale.entries.toLocaleString("en")} entries: written in ${scale.fillSeconds.toFixed(1)} s, tree built in ${scale.treeSeconds.toFixed(1)} s, checkpoint signed in ${scale.checkpointMs.toFixed(0)} ms`);
    console.log(`  pack of ${scale.packEntries} entries: proofs made in ${scale.proveMs.toFixed(0)} ms, ${scale.bytesPerEntry.toFixed(0)} bytes of proof per entry (${scale.hashesPerProof} hashes; target < 2048), verified offline in ${scale.verifyMs.toFixed(1)} ms (target < 1000)`);
  }
  const ok = ratio >= 0.9 && (!scale || (scale.bytesPerEntry < 2048 && scale.verifyMs < 1000));
  const file = writeJson("audit-log", { signing, scale });
  return { ok, file, ratio, ...(scale ?? {}) };
}
