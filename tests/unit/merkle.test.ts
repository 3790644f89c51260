// RFC 9162 / RFC 6962 Merkle tree hashing and proofs, checked against the test vectors the
// Certificate Transparency implementations share (the eight leaves of RFC 6962's reference tests).
import { expect, test } from "vitest";
import {
  CompactRange,
  EMPTY_ROOT,
  consistencyPath,
  inclusionPath,
  leafHash,
  rangeHash,
  toHex,
  fromHex,
  verifyConsistency,
  verifyInclusion,
  type Bytes,
  type NodeRef,
} from "../../app/audit/merkle";

const LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map(fromHex);

const ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

const INCLUSION: Array<{ index: number; size: number; path: string[] }> = [
  { index: 0, size: 1, path: [] },
  {
    index: 0,
    size: 8,
    path: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  { index: 2, size: 3, path: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
  {
    index: 1,
    size: 5,
    path: [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];

const CONSISTENCY: Array<{ size1: number; size2: number; path: string[] }> = [
  { size1: 1, size2: 1, path: [] },
  {
    size1: 1,
    size2: 8,
    path: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    size1: 6,
    size2: 8,
    path: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  {
    size1: 2,
    size2: 5,
    path: ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
  },
];

/** The stored perfect subtrees of a tree, as the database keeps them. */
function store(leaves: Bytes[]) {
  const nodes = new Map<string, Bytes>();
  const range = new CompactRange();
  for (const l of leaves) for (const n of range.push(leafHash(l))) nodes.set(`${n.level}:${n.index}`, n.hash);
  return {
    range,
    perfect: (n: NodeRef) => {
      const h = nodes.get(`${n.level}:${n.index}`);
      if (!h) throw new Error(`node ${n.level}:${n.index} not stored`);
      return h;
    },
  };
}

test("the empty tree's root is SHA-256 of nothing", () => {
  expect(toHex(EMPTY_ROOT)).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

test("roots of the first 1..8 leaves match RFC 6962's test vectors, from stored subtrees and from the compact range", () => {
  for (let n = 1; n <= 8; n++) {
    const { range, perfect } = store(LEAVES.slice(0, n));
    expect(toHex(rangeHash(0, n, perfect))).toBe(ROOTS[n - 1]);
    expect(toHex(range.root())).toBe(ROOTS[n - 1]);
  }
});

test("inclusion proofs match the test vectors and verify; a wrong leaf, index, size or root does not", () => {
  const { perfect } = store(LEAVES);
  for (const v of INCLUSION) {
    const path = inclusionPath(v.index, v.size, perfect);
    expect(path.map(toHex)).toEqual(v.path);
    const args = { leafIndex: v.index, treeSize: v.size, leafHash: leafHash(LEAVES[v.index]), proof: path, rootHash: fromHex(ROOTS[v.size - 1]) };
    expect(verifyInclusion(args)).toBe(true);
    expect(verifyInclusion({ ...args, leafHash: leafHash(fromHex("ff")) })).toBe(false);
    expect(verifyInclusion({ ...args, rootHash: fromHex(ROOTS[(v.size % 8)]) })).toBe(false);
    if (v.size > 1) {
      expect(verifyInclusion({ ...args, leafIndex: (v.index + 1) % v.size })).toBe(false);
      expect(verifyInclusion({ ...args, proof: path.slice(1) })).toBe(false);
    }
    expect(verifyInclusion({ ...args, treeSize: v.size + 8 })).toBe(false);
  }
});

test("every leaf of every tree up to 70 leaves proves its inclusion", () => {
  const leaves = Array.from({ length: 70 }, (_, i) => new TextEncoder().encode(`entry ${i}`));
  const { perfect } = store(leaves);
  for (let size = 1; size <= 70; size++) {
    const root = rangeHash(0, size, perfect);
    for (let i = 0; i < size; i++) {
      expect(verifyInclusion({ leafIndex: i, treeSize: size, leafHash: leafHash(leaves[i]), proof: inclusionPath(i, size, perfect), rootHash: root })).toBe(true);
    }
  }
});

test("consistency proofs match the test vectors and verify; a changed old tree does not", () => {
  const { perfect } = store(LEAVES);
  for (const v of CONSISTENCY) {
    const path = consistencyPath(v.size1, v.size2, perfect);
    expect(path.map(toHex)).toEqual(v.path);
    const args = { size1: v.size1, size2: v.size2, root1: fromHex(ROOTS[v.size1 - 1]), root2: fromHex(ROOTS[v.size2 - 1]), proof: path };
    expect(verifyConsistency(args)).toBe(true);
    if (v.size1 !== v.size2) {
      expect(verifyConsistency({ ...args, root1: fromHex(ROOTS[v.size1]) })).toBe(false);
      expect(verifyConsistency({ ...args, proof: path.slice(0, -1) })).toBe(false);
    }
  }
});

test("every pair of sizes up to 40 leaves proves consistency, and a rewritten leaf breaks it", () => {
  const leaves = Array.from({ length: 40 }, (_, i) => new TextEncoder().encode(`entry ${i}`));
  const { perfect } = store(leaves);
  const forged = store(leaves.map((l, i) => (i === 3 ? new TextEncoder().encode("forged") : l)));
  for (let a = 1; a <= 40; a++) {
    for (let b = a; b <= 40; b++) {
      const args = { size1: a, size2: b, root1: rangeHash(0, a, perfect), root2: rangeHash(0, b, perfect), proof: consistencyPath(a, b, perfect) };
      expect(verifyConsistency(args)).toBe(true);
      if (a > 3 && b > a) {
        const rewritten = { size1: a, size2: b, root1: args.root1, root2: rangeHash(0, b, forged.perfect), proof: consistencyPath(a, b, forged.perfect) };
        expect(verifyConsistency(rewritten)).toBe(false);
      }
    }
  }
});

test("the compact range's frontier names the subtrees on the right edge", () => {
  expect(CompactRange.frontierOf(0)).toEqual([]);
  expect(CompactRange.frontierOf(6)).toEqual([{ level: 2, index: 0 }, { level: 1, index: 2 }]);
  expect(CompactRange.frontierOf(7)).toEqual([{ level: 2, index: 0 }, { level: 1, index: 2 }, { level: 0, index: 6 }]);
});
