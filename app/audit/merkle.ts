// The audit log as an RFC 9162 (Certificate Transparency v2) Merkle tree: leaf hash
// SHA-256(0x00 || entry), node hash SHA-256(0x01 || left || right), the tree over n leaves split
// at the largest power of two below n. Inclusion and consistency proofs are made from "perfect"
// subtrees (2^k leaves starting at a multiple of 2^k), which is what the database stores, so a
// proof reads O(log n) stored hashes and never the leaves.
//
// Pure: no database, no file system; only hashing and base64. Offline verifiers (evidence:verify,
// an auditor's own script) use this file as is.
import { createHash } from "node:crypto";

export type Bytes = Uint8Array;
/** A hash given as bytes or as standard base64 (the form packs and checkpoints carry). */
export type HashInput = Bytes | string;

export const EMPTY_ROOT: Bytes = sha256(new Uint8Array(0));

export function sha256(...parts: Bytes[]): Bytes {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

export function leafHash(data: Bytes | string): Bytes {
  return sha256(LEAF_PREFIX, typeof data === "string" ? new TextEncoder().encode(data) : data);
}

export function nodeHash(left: Bytes, right: Bytes): Bytes {
  return sha256(NODE_PREFIX, left, right);
}

export function toBase64(b: Bytes): string {
  return Buffer.from(b).toString("base64");
}

export function toHex(b: Bytes): string {
  return Buffer.from(b).toString("hex");
}

export function fromHex(hex: string): Bytes {
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** Base64 (or bytes) to bytes; a malformed or non-32-byte value gives null. */
export function hashBytes(h: HashInput): Bytes | null {
  if (typeof h !== "string") return h.length === 32 ? h : null;
  if (!/^[A-Za-z0-9+/]{43}=$/.test(h)) return null;
  return new Uint8Array(Buffer.from(h, "base64"));
}

function equal(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The largest power of two strictly below n (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A perfect subtree, by level (its size is 2^level) and index (its first leaf is index·2^level). */
export interface NodeRef {
  level: number;
  index: number;
}

/** Returns the stored hash of a perfect subtree. */
export type PerfectHash = (node: NodeRef) => Bytes;

/** MTH(D[start:end]) from perfect subtrees: the range is cut as RFC 9162 cuts it. */
export function rangeHash(start: number, end: number, perfect: PerfectHash): Bytes {
  const n = end - start;
  if (n <= 0) return EMPTY_ROOT;
  if ((n & (n - 1)) === 0 && start % n === 0) return perfect({ level: Math.log2(n), index: start / n });
  const k = splitPoint(n);
  return nodeHash(rangeHash(start, start + k, perfect), rangeHash(start + k, end, perfect));
}

/** RFC 9162 2.1.3.1: PATH(m, D[0:n]), leaf first. */
export function inclusionPath(index: number, size: number, perfect: PerfectHash): Bytes[] {
  if (!(index >= 0 && index < size)) throw new Error(`Leaf ${index} is not in a tree of ${size}.`);
  const path: Bytes[] = [];
  const walk = (start: number, end: number) => {
    if (end - start === 1) return;
    const k = splitPoint(end - start);
    if (index < start + k) {
      walk(start, start + k);
      path.push(rangeHash(start + k, end, perfect));
    } else {
      walk(start + k, end);
      path.push(rangeHash(start, start + k, perfect));
    }
  };
  walk(0, size);
  return path;
}

/** RFC 9162 2.1.4.1: PROOF(m, D[0:n]) for 0 < m <= n. */
export function consistencyPath(size1: number, size2: number, perfect: PerfectHash): Bytes[] {
  if (!(size1 > 0 && size1 <= size2)) throw new Error(`No consistency proof from ${size1} to ${size2}.`);
  const path: Bytes[] = [];
  const sub = (m: number, start: number, end: number, whole: boolean) => {
    const n = end - start;
    if (m === n) {
      if (!whole) path.push(rangeHash(start, end, perfect));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, start, start + k, whole);
      path.push(rangeHash(start + k, end, perfect));
    } else {
      sub(m - k, start + k, end, false);
      path.push(rangeHash(start, start + k, perfect));
    }
  };
  if (size1 < size2) sub(size1, 0, size2, true);
  return path;
}

/** The perfect subtrees a set of proofs will read, so the caller can fetch them in one query. */
export function nodesNeeded(make: (perfect: PerfectHash) => unknown): NodeRef[] {
  const seen = new Map<string, NodeRef>();
  make((node) => {
    seen.set(`${node.level}:${node.index}`, node);
    return EMPTY_ROOT;
  });
  return [...seen.values()];
}

/** RFC 9162 2.1.3.2. */
export function verifyInclusion(p: { leafIndex: number; treeSize: number; leafHash: HashInput; proof: HashInput[]; rootHash: HashInput }): boolean {
  const leaf = hashBytes(p.leafHash);
  const root = hashBytes(p.rootHash);
  const proof = p.proof.map(hashBytes);
  if (!leaf || !root || proof.some((x) => x === null)) return false;
  if (!Number.isSafeInteger(p.leafIndex) || !Number.isSafeInteger(p.treeSize) || p.leafIndex < 0 || p.leafIndex >= p.treeSize) return false;
  let fn = BigInt(p.leafIndex);
  let sn = BigInt(p.treeSize - 1);
  let r = leaf;
  for (const step of proof as Bytes[]) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(step, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = nodeHash(r, step);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(r, root);
}

/** RFC 9162 2.1.4.2: does the tree of size2 extend the tree of size1? */
export function verifyConsistency(p: { size1: number; size2: number; root1: HashInput; root2: HashInput; proof: HashInput[] }): boolean {
  const root1 = hashBytes(p.root1);
  const root2 = hashBytes(p.root2);
  const proof = p.proof.map(hashBytes);
  if (!root1 || !root2 || proof.some((x) => x === null)) return false;
  if (!Number.isSafeInteger(p.size1) || !Number.isSafeInteger(p.size2) || p.size1 < 0 || p.size1 > p.size2) return false;
  if (p.size1 === p.size2) return proof.length === 0 && equal(root1, root2);
  if (p.size1 === 0) return proof.length === 0 && equal(root1, EMPTY_ROOT);
  const path = proof as Bytes[];
  if (path.length === 0) return false;
  if ((p.size1 & (p.size1 - 1)) === 0) path.unshift(root1);
  let fn = BigInt(p.size1 - 1);
  let sn = BigInt(p.size2 - 1);
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(fr, root1) && equal(sr, root2);
}

/**
 * The right edge of a growing tree (a "compact range"): one perfect subtree per set bit of the
 * size. Appending a leaf yields the perfect subtrees it completes, which is what gets stored;
 * root() gives MTH of all leaves so far. Used to extend the stored tree and by audit:verify to
 * recompute every checkpoint's root in one pass over the log.
 */
export class CompactRange {
  /** Perfect subtrees, largest (leftmost) first. */
  private stack: Array<{ level: number; hash: Bytes }> = [];
  constructor(public size = 0, frontier: Array<{ level: number; hash: Bytes }> = []) {
    this.stack = frontier.slice();
  }

  /** The perfect subtrees a tree of `size` leaves keeps on its right edge, left to right. */
  static frontierOf(size: number): NodeRef[] {
    const refs: NodeRef[] = [];
    let start = 0;
    for (let level = 52; level >= 0; level--) {
      const width = 2 ** level;
      if (Math.floor(size / width) % 2 === 1) {
        refs.push({ level, index: start / width });
        start += width;
      }
    }
    return refs;
  }

  /** Adds a leaf; returns the nodes it completed (level 0 first), with their indexes. */
  push(leaf: Bytes): Array<NodeRef & { hash: Bytes }> {
    const index = this.size;
    const made: Array<NodeRef & { hash: Bytes }> = [{ level: 0, index, hash: leaf }];
    let hash = leaf;
    let level = 0;
    while (this.stack.length && this.stack[this.stack.length - 1].level === level) {
      hash = nodeHash(this.stack.pop()!.hash, hash);
      level++;
      made.push({ level, index: Math.floor(index / 2 ** level), hash });
    }
    this.stack.push({ level, hash });
    this.size++;
    return made;
  }

  root(): Bytes {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let r = this.stack[this.stack.length - 1].hash;
    for (let i = this.stack.length - 2; i >= 0; i--) r = nodeHash(this.stack[i].hash, r);
    return r;
  }
}
