// The stored Merkle tree over the audit log: the hash of every perfect subtree, appended as the
// log grows (by extendTree, which checkpoints call; signing never waits for it: see extendTree). Proofs read
// O(log n) stored hashes in one query. The stored tree is a cache that anyone can recompute from
// the entries; what binds it is the signed checkpoint its root goes into.
import { sql, type Kysely } from "kysely";
import { dialectOf } from "../../db/connection";
import type { DB } from "../../db/schema";
import { entryLeafHash } from "./entry";
import {
  CompactRange,
  consistencyPath,
  fromHex,
  inclusionPath,
  nodesNeeded,
  rangeHash,
  toBase64,
  toHex,
  type Bytes,
  type NodeRef,
  type PerfectHash,
} from "./merkle";

const TREE_LOCK = 727275;
const INSERT_ROWS = 500;

/** Leaves the stored tree holds (entries 1..n are leaves 0..n−1). */
export async function storedTreeSize(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom("audit_tree_nodes").select((eb) => eb.fn.max("idx").as("last")).where("level", "=", 0).executeTakeFirst();
  return row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
}

/** Hashes of the given perfect subtrees, as a lookup that fails loudly on a node not stored. */
export async function readNodes(db: Kysely<DB>, refs: NodeRef[]): Promise<PerfectHash> {
  const found = new Map<string, Bytes>();
  const byLevel = new Map<number, number[]>();
  for (const r of refs) byLevel.set(r.level, [...(byLevel.get(r.level) ?? []), r.index]);
  // One query per 500 nodes, every level at once: a proof or a root is one round trip.
  const batches: Array<Array<[number, number[]]>> = [[]];
  let inBatch = 0;
  for (const [level, all] of byLevel) {
    for (let i = 0; i < all.length; i += 500) {
      const part = all.slice(i, i + 500);
      if (inBatch + part.length > 500) {
        batches.push([]);
        inBatch = 0;
      }
      batches[batches.length - 1].push([level, part]);
      inBatch += part.length;
    }
  }
  for (const batch of batches.filter((b) => b.length > 0)) {
    const rows = await db
      .selectFrom("audit_tree_nodes")
      .select(["level", "idx", "hash"])
      .where((eb) => eb.or(batch.map(([level, idxs]) => eb.and([eb("level", "=", level), eb("idx", "in", idxs)]))))
      .execute();
    for (const row of rows) found.set(`${Number(row.level)}:${Number(row.idx)}`, fromHex(row.hash));
  }
  return (node) => {
    const hash = found.get(`${node.level}:${node.index}`);
    if (!hash) throw new Error(`The audit log's tree has no node ${node.level}:${node.index}; run npm run audit:checkpoint to extend it.`);
    return hash;
  };
}

/** Runs `make` with the stored nodes it needs, fetched in one go. */
async function withNodes<T>(db: Kysely<DB>, make: (perfect: PerfectHash) => T): Promise<T> {
  return make(await readNodes(db, nodesNeeded(make)));
}

/** The root over the first `size` entries, from stored nodes. */
export async function treeRoot(db: Kysely<DB>, size: number): Promise<Bytes> {
  return withNodes(db, (perfect) => rangeHash(0, size, perfect));
}

/**
 * Adds the entries the stored tree lacks, `chunk` entries at a time. Each chunk is read and
 * hashed outside any transaction; only its insert runs in a write transaction, which first checks
 * that no other process extended the tree meanwhile (serialised between processes). So a write
 * transaction here holds the database's write lock (SQLite) for one chunk's insert at most — a
 * constant — and never takes the audit log's lock (PostgreSQL): signing never waits for the tree.
 * Stops before a gap in the sequence numbers: a log with a hole is not extended. Returns the
 * stored tree size.
 */
export async function extendTree(db: Kysely<DB>, { chunk = 1000 }: { chunk?: number } = {}): Promise<number> {
  for (;;) {
    const size = await storedTreeSize(db);
    const entries = await db
      .selectFrom("audit_log")
      .select(["seq", "at", "actor_id", "action", "subject_type", "subject_id", "data_json", "prev_hash"])
      .where("seq", ">", size)
      .orderBy("seq", "asc")
      .limit(chunk)
      .execute();
    if (entries.length === 0) return size;
    const frontierRefs = CompactRange.frontierOf(size);
    const frontier = await readNodes(db, frontierRefs);
    const range = new CompactRange(size, frontierRefs.map((r) => ({ level: r.level, hash: frontier(r) })));
    const rows: Array<{ level: number; idx: number; hash: string }> = [];
    for (const e of entries) {
      if (Number(e.seq) !== range.size + 1) break;
      for (const n of range.push(entryLeafHash(e))) rows.push({ level: n.level, idx: n.index, hash: toHex(n.hash) });
    }
    if (range.size === size) return size; // a gap right after the stored tree
    const written = await db.transaction().execute(async (trx) => {
      if (dialectOf(trx) === "postgres") await sql`select pg_advisory_xact_lock(${TREE_LOCK})`.execute(trx);
      if ((await storedTreeSize(trx)) !== size) return false; // another process got there first
      for (let i = 0; i < rows.length; i += INSERT_ROWS) await trx.insertInto("audit_tree_nodes").values(rows.slice(i, i + INSERT_ROWS)).execute();
      return true;
    });
    if (written && (entries.length < chunk || range.size !== size + entries.length)) return range.size;
  }
}

export interface InclusionProof {
  /** The entry's sequence number; its leaf index is seq − 1. */
  seq: number;
  leafIndex: number;
  treeSize: number;
  /** Base64 leaf hash, SHA-256(0x00 ‖ entry's canonical bytes). */
  leafHash: string;
  /** Base64 hashes, leaf end first (RFC 9162 2.1.3.1). */
  proof: string[];
}

/** Inclusion proofs of the given entries in the tree of a checkpoint (one query for all nodes). */
export async function inclusionProofs(db: Kysely<DB>, seqs: number[], checkpoint: { treeSize: number }): Promise<InclusionProof[]> {
  const size = checkpoint.treeSize;
  const wanted = [...new Set(seqs)].sort((a, b) => a - b);
  const outside = wanted.find((s) => !(Number.isSafeInteger(s) && s >= 1 && s <= size));
  if (outside !== undefined) throw new Error(`Entry ${outside} is not in the checkpoint of ${size} entries.`);
  return withNodes(db, (perfect) =>
    wanted.map((seq) => ({
      seq,
      leafIndex: seq - 1,
      treeSize: size,
      leafHash: toBase64(perfect({ level: 0, index: seq - 1 })),
      proof: inclusionPath(seq - 1, size, perfect).map(toBase64),
    })),
  );
}

/** A consistency proof (base64) that the tree of size2 extends the tree of size1. */
export async function consistencyProof(db: Kysely<DB>, size1: number, size2: number): Promise<string[]> {
  return withNodes(db, (perfect) => consistencyPath(size1, size2, perfect).map(toBase64));
}
