// Checkpoints of the audit log: taken each scheduler run and on demand, signed with the instance
// key, kept in audit_checkpoints and appended to an append-only file (AUDIT_ANCHOR_FILE, under
// DATA_DIR by default) that the operator ships elsewhere. Each gets an RFC 3161 timestamp from
// TSA_URL when one is configured; a TSA that is down, slow or answers garbage leaves it pending,
// retried on later runs. Nothing here runs inside a signature's or a request's transaction.
import fs from "node:fs";
import path from "node:path";
import { sql, type Kysely, type Selectable } from "kysely";
import { dialectOf } from "../../db/connection";
import type { AuditCheckpointsTable, DB } from "../../db/schema";
import type { AuditAnchorConfig } from "../config.server";
import type { InstanceKey } from "../keys/instance-key.server";
import { signCheckpoint } from "./checkpoint";
import { fromHex, toBase64, toHex } from "./merkle";
import { verifyTimestampToken } from "./timestamp";
import { extendTree, treeRoot } from "./tree.server";
import { requestTimestamp, TSA_TIMEOUT_MS } from "./tsa.server";

const CHECKPOINT_LOCK = 727276;
const MAX_RETRY_MINUTES = 60;

export interface CheckpointRecord {
  treeSize: number;
  /** Base64, as in the note. */
  rootHash: string;
  /** The C2SP signed note (tlog-checkpoint body + Ed25519 signature line). */
  note: string;
  createdAt: string;
  timestamp: {
    status: "none" | "pending" | "stamped";
    /** Base64 DER of the RFC 3161 token over SHA-256(note). */
    token: string | null;
    genTime: string | null;
    attempts: number;
    lastError: string | null;
    nextAttemptAt: string | null;
  };
}

/** One line of the anchor file (JSON Lines). */
export type AnchorLine =
  | { kind: "checkpoint"; treeSize: number; rootHash: string; createdAt: string; note: string }
  | { kind: "timestamp"; treeSize: number; token: string; genTime: string };

export class AnchorError extends Error {}

function toRecord(row: Selectable<AuditCheckpointsTable>): CheckpointRecord {
  return {
    treeSize: Number(row.tree_size),
    rootHash: toBase64(fromHex(row.root_hash)),
    note: row.note,
    createdAt: row.created_at,
    timestamp: {
      status: row.tsa_status,
      token: row.tsa_token,
      genTime: row.tsa_gen_time,
      attempts: row.tsa_attempts,
      lastError: row.tsa_last_error,
      nextAttemptAt: row.tsa_next_attempt_at,
    },
  };
}

export function appendAnchor(file: string, line: AnchorLine) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${JSON.stringify(line)}\n`, { flag: "a" });
}

/** The anchor file's lines; a missing file is `missing`, an unreadable line a problem. */
export function readAnchorFile(file: string): { ok: true; lines: AnchorLine[] } | { ok: false; missing: boolean; problem: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return { ok: false, missing: true, problem: `the anchor file ${file} does not exist` };
  }
  const lines: AnchorLine[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    if (!raw.trim()) continue;
    try {
      const line = JSON.parse(raw) as AnchorLine;
      if ((line.kind !== "checkpoint" && line.kind !== "timestamp") || !Number.isSafeInteger(line.treeSize)) throw new Error("not an anchor");
      lines.push(line);
    } catch {
      return { ok: false, missing: false, problem: `line ${i + 1} of the anchor file ${file} is not an anchor record` };
    }
  }
  return { ok: true, lines };
}

/**
 * Extends the tree and signs a checkpoint of the whole log, unless the newest checkpoint already
 * covers it. Refuses to sign a log that is shorter than, or no longer matches, its last checkpoint.
 * The root is read and the note signed before any write transaction; the write itself is one
 * short insert (after checking no newer checkpoint was taken meanwhile), so a checkpoint never
 * holds the database's write lock for longer than a constant, whatever the log's size, and never
 * takes the audit log's lock (docs/decisions/020-credential-change-mark-and-short-checkpoints.md).
 */
export async function takeCheckpoint(
  db: Kysely<DB>,
  { key, anchors, now }: { key: InstanceKey; anchors: AuditAnchorConfig; now: Date },
): Promise<{ checkpoint: CheckpointRecord; created: boolean } | null> {
  const size = await extendTree(db);
  const last = await newestCheckpoint(db);
  if (last && Number(last.tree_size) > size) {
    throw new AnchorError(`The audit log holds ${size} entries but its last checkpoint (${last.created_at}) covers ${last.tree_size}; no checkpoint taken. Run npm run audit:verify.`);
  }
  if (last && toHex(await treeRoot(db, Number(last.tree_size))) !== last.root_hash) {
    throw new AnchorError(`The audit log no longer matches its checkpoint of ${last.tree_size} entries; no checkpoint taken. Run npm run audit:verify.`);
  }
  if (last && Number(last.tree_size) === size) return { checkpoint: toRecord(last), created: false };
  if (size === 0) return null;
  const root = await treeRoot(db, size);
  const row = {
    tree_size: size,
    root_hash: toHex(root),
    note: signCheckpoint({ origin: anchors.origin, treeSize: size, rootHash: toBase64(root) }, key.privateKey),
    created_at: now.toISOString(),
    tsa_status: anchors.tsaUrl ? ("pending" as const) : ("none" as const),
    tsa_token: null,
    tsa_gen_time: null,
    tsa_attempts: 0,
    tsa_last_error: null,
    tsa_next_attempt_at: anchors.tsaUrl ? now.toISOString() : null,
  };
  const result = await db.transaction().execute(async (trx) => {
    if (dialectOf(trx) === "postgres") await sql`select pg_advisory_xact_lock(${CHECKPOINT_LOCK})`.execute(trx);
    // Another process may have signed one meanwhile, from the same stored tree: keep the newest.
    const newest = await newestCheckpoint(trx);
    if (newest && Number(newest.tree_size) >= size) return { row: newest, created: false };
    await trx.insertInto("audit_checkpoints").values(row).execute();
    return { row, created: true };
  });
  const checkpoint = toRecord(result.row);
  // After the commit: a line in the file always names a checkpoint the database has.
  if (result.created) appendAnchor(anchors.anchorFile, { kind: "checkpoint", treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash, createdAt: checkpoint.createdAt, note: checkpoint.note });
  return { checkpoint, created: result.created };
}

function newestCheckpoint(db: Kysely<DB>) {
  return db.selectFrom("audit_checkpoints").selectAll().orderBy("tree_size", "desc").limit(1).executeTakeFirst();
}

export interface StampOutcome {
  stamped: number;
  failed: number;
  problems: string[];
}

/** Asks the TSA for a token for each checkpoint whose timestamp is due; failures wait and retry. */
export async function stampPending(
  db: Kysely<DB>,
  { anchors, now, timeoutMs = TSA_TIMEOUT_MS, limit = 10 }: { anchors: AuditAnchorConfig; now: Date; timeoutMs?: number; limit?: number },
): Promise<StampOutcome> {
  const outcome: StampOutcome = { stamped: 0, failed: 0, problems: [] };
  if (!anchors.tsaUrl) return outcome;
  const due = await db
    .selectFrom("audit_checkpoints")
    .select(["tree_size", "note", "tsa_attempts"])
    .where("tsa_status", "=", "pending")
    .where("tsa_next_attempt_at", "<=", now.toISOString())
    .orderBy("tree_size", "asc")
    .limit(limit)
    .execute();
  const trustAnchorsPem = anchors.tsaCaFile ? readTrustAnchors(anchors.tsaCaFile) : null;
  for (const c of due) {
    const got = await requestTimestamp(anchors.tsaUrl, c.note, { timeoutMs });
    let problem = got.ok ? null : got.problem;
    if (got.ok && trustAnchorsPem) {
      const check = await verifyTimestampToken({ token: got.token, data: c.note, trustAnchorsPem });
      if (!check.ok) problem = `the TSA's token does not verify: ${check.problem}`;
    }
    if (got.ok && !problem) {
      const token = Buffer.from(got.token).toString("base64");
      const genTime = got.genTime.toISOString();
      await db
        .updateTable("audit_checkpoints")
        .set({ tsa_status: "stamped", tsa_token: token, tsa_gen_time: genTime, tsa_attempts: c.tsa_attempts + 1, tsa_last_error: null, tsa_next_attempt_at: null })
        .where("tree_size", "=", c.tree_size)
        .where("tsa_token", "is", null)
        .execute();
      appendAnchor(anchors.anchorFile, { kind: "timestamp", treeSize: Number(c.tree_size), token, genTime });
      outcome.stamped++;
      continue;
    }
    const attempts = c.tsa_attempts + 1;
    const waitMinutes = Math.min(MAX_RETRY_MINUTES, 2 ** Math.min(attempts - 1, 6));
    await db
      .updateTable("audit_checkpoints")
      .set({ tsa_attempts: attempts, tsa_last_error: problem, tsa_next_attempt_at: new Date(now.getTime() + waitMinutes * 60_000).toISOString() })
      .where("tree_size", "=", c.tree_size)
      .where("tsa_status", "=", "pending")
      .execute();
    outcome.failed++;
    outcome.problems.push(`checkpoint of ${c.tree_size} entries: ${problem}`);
  }
  return outcome;
}

function readTrustAnchors(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

/** The newest checkpoint that covers entry `coverSeq` (any, when 0), with its timestamp token. */
export async function checkpointFor(db: Kysely<DB>, { coverSeq = 0 }: { coverSeq?: number } = {}): Promise<CheckpointRecord | null> {
  const row = await db.selectFrom("audit_checkpoints").selectAll().where("tree_size", ">=", coverSeq).orderBy("tree_size", "desc").limit(1).executeTakeFirst();
  return row ? toRecord(row) : null;
}

/** Every checkpoint, oldest first. */
export async function listCheckpoints(db: Kysely<DB>): Promise<CheckpointRecord[]> {
  return (await db.selectFrom("audit_checkpoints").selectAll().orderBy("tree_size", "asc").execute()).map(toRecord);
}

export interface AnchorRun {
  /** The log's size in the newest checkpoint, or null when none could be taken. */
  treeSize: number | null;
  created: boolean;
  stamped: number;
  pending: number;
  problem: string | null;
}

/** What a scheduler run does: a checkpoint, then the timestamps that are due. Never throws. */
export async function anchorAuditLog(db: Kysely<DB>, { key, anchors, now }: { key: () => InstanceKey; anchors: AuditAnchorConfig; now: Date }): Promise<AnchorRun> {
  const run: AnchorRun = { treeSize: null, created: false, stamped: 0, pending: 0, problem: null };
  try {
    const taken = await takeCheckpoint(db, { key: key(), anchors, now });
    run.treeSize = taken?.checkpoint.treeSize ?? null;
    run.created = taken?.created ?? false;
  } catch (e) {
    run.problem = e instanceof Error ? e.message : String(e);
  }
  try {
    const stamped = await stampPending(db, { anchors, now });
    run.stamped = stamped.stamped;
    run.pending = stamped.failed;
    if (stamped.problems.length && !run.problem) run.problem = stamped.problems[0];
  } catch (e) {
    run.problem ??= e instanceof Error ? e.message : String(e);
  }
  return run;
}
