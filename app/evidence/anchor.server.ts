// What ties a pack's audit entries to the anchored log: the newest signed checkpoint that covers
// them, an RFC 9162 inclusion proof of each entry against it, the checkpoint's RFC 3161
// timestamp token (with the TSA trust anchor the instance is configured with), and consistency
// proofs from earlier checkpoints to it, so an auditor who kept one of those can show the log
// only grew since. Read inside the pack's snapshot transaction.
import fs from "node:fs";
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema";
import type { AuditAnchorConfig } from "../config.server";
import type { InstanceKey } from "../keys/instance-key.server";
import { AnchorError, checkpointFor, listCheckpoints, stampPending, takeCheckpoint, type CheckpointRecord } from "../audit/anchors.server";
import { consistencyProof, inclusionProofs } from "../audit/tree.server";
import type { Kysely } from "kysely";

/** How many earlier checkpoints get a consistency proof: the newest ones, then the last of each day. */
const RECENT_CHECKPOINTS = 50;
const DAILY_CHECKPOINTS = 400;
/** A pack waits this long at most for a fresh checkpoint's timestamp. */
const TSA_WAIT_MS = 10_000;

export const ANCHOR_ABOUT =
  "checkpoint: a C2SP signed note (tlog-checkpoint) of the audit log's RFC 9162 Merkle tree, signed by the instance key; " +
  "inclusionProofs: for each audit entry in the pack, the RFC 9162 inclusion proof (base64 hashes) of its leaf " +
  "(SHA-256 of 0x00 and the UTF-8 JSON array [seq, at, actor_id, action, subject_type, subject_id, data_json, prev_hash]; leaf index seq - 1) " +
  "against the checkpoint's root; timestamp: the RFC 3161 token (base64 DER) over SHA-256 of the checkpoint note; " +
  "consistencyProofs: RFC 9162 consistency proofs from earlier checkpoints (tree size, root) to this one";

export interface PackAnchor {
  about: string;
  checkpoint: { note: string; treeSize: number; rootHash: string; createdAt: string } | null;
  inclusionProofs: Array<{ seq: number; proof: string[] }>;
  timestamp: { status: CheckpointRecord["timestamp"]["status"]; token: string | null; genTime: string | null; tsaTrustAnchorPem: string | null };
  consistencyProofs: Array<{ treeSize: number; rootHash: string; proof: string[] }>;
}

/**
 * A checkpoint of the log as it is now, and its timestamp when the TSA answers within 10 s, so
 * the pack can prove every entry it holds. A log that no longer matches its last checkpoint gets
 * none (the pack then shows which entries are anchored, and audit:verify says why).
 */
export async function checkpointNow(db: Kysely<DB>, { key, anchors, now }: { key: InstanceKey; anchors: AuditAnchorConfig; now: Date }): Promise<void> {
  try {
    const taken = await takeCheckpoint(db, { key, anchors, now });
    if (taken?.created) await stampPending(db, { anchors, now, timeoutMs: TSA_WAIT_MS, limit: 3 });
  } catch (e) {
    if (!(e instanceof AnchorError)) throw e;
  }
}

function earlierCheckpoints(all: CheckpointRecord[], current: CheckpointRecord): CheckpointRecord[] {
  const earlier = all.filter((c) => c.treeSize < current.treeSize);
  const chosen = new Map<number, CheckpointRecord>();
  for (const c of earlier.slice(-RECENT_CHECKPOINTS)) chosen.set(c.treeSize, c);
  const lastOfDay = new Map<string, CheckpointRecord>();
  for (const c of earlier) lastOfDay.set(c.createdAt.slice(0, 10), c);
  for (const c of [...lastOfDay.values()].slice(-DAILY_CHECKPOINTS)) chosen.set(c.treeSize, c);
  return [...chosen.values()].sort((a, b) => a.treeSize - b.treeSize);
}

function trustAnchorPem(file: string | null): string | null {
  if (!file) return null;
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

/** The anchor for the given entries, read in the pack's transaction. */
export async function readAnchor(trx: Transaction<DB>, seqs: number[], anchors: AuditAnchorConfig | null): Promise<PackAnchor> {
  const maxSeq = seqs.length ? Math.max(...seqs) : 0;
  const current = (await checkpointFor(trx, { coverSeq: maxSeq })) ?? (await checkpointFor(trx));
  const tsaTrustAnchorPem = trustAnchorPem(anchors?.tsaCaFile ?? null);
  if (!current) {
    return { about: ANCHOR_ABOUT, checkpoint: null, inclusionProofs: [], timestamp: { status: "none", token: null, genTime: null, tsaTrustAnchorPem }, consistencyProofs: [] };
  }
  const covered = seqs.filter((s) => s <= current.treeSize);
  const proofs = covered.length ? await inclusionProofs(trx, covered, current) : [];
  const consistencyProofs = [];
  for (const c of earlierCheckpoints(await listCheckpoints(trx), current)) {
    consistencyProofs.push({ treeSize: c.treeSize, rootHash: c.rootHash, proof: await consistencyProof(trx, c.treeSize, current.treeSize) });
  }
  return {
    about: ANCHOR_ABOUT,
    checkpoint: { note: current.note, treeSize: current.treeSize, rootHash: current.rootHash, createdAt: current.createdAt },
    inclusionProofs: proofs.map((p) => ({ seq: p.seq, proof: p.proof })),
    timestamp: { status: current.timestamp.status, token: current.timestamp.token, genTime: current.timestamp.genTime, tsaTrustAnchorPem },
    consistencyProofs,
  };
}
