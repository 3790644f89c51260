// The canonical JSON that packSha256 is computed over: anyone must be able to recompute it.
import { createHash } from "node:crypto";
import { expect, test } from "vitest";
import { canonicalJson, computePackSha256 } from "../../app/evidence/canonical";

test("members are sorted by name at every depth, with no whitespace, arrays kept in order", () => {
  expect(canonicalJson({ b: 1, a: [3, { d: null, c: true }], "é": "x", A: "y" })).toBe('{"A":"y","a":[3,{"c":true,"d":null}],"b":1,"é":"x"}');
});

test("strings and numbers are written as JSON.stringify writes them (RFC 8785 for these values)", () => {
  expect(canonicalJson({ s: 'quote " backslash \\ newline \n tab \t', n: [0, -1, 1.5, 1e21, 100] })).toBe(
    '{"n":[0,-1,1.5,1e+21,100],"s":"quote \\" backslash \\\\ newline \\n tab \\t"}',
  );
  // The RFC's own ordering example: keys compared as UTF-16 code units.
  expect(canonicalJson({ "\u20ac": 1, "\r": 2, "\ud83d\ude00": 3, "1": 4, "\u0080": 5, "\u00f6": 6 })).toBe(
    '{"\\r":2,"1":4,"\u0080":5,"ö":6,"€":1,"😀":3}',
  );
  expect(() => canonicalJson({ n: Number.NaN })).toThrow(/NaN/);
});

test("packSha256 covers everything except itself, and any change moves it", () => {
  const pack = { format: "confidant-evidence-pack", person: { name: "Alice" }, list: [1, 2] };
  const sha = computePackSha256(pack);
  expect(sha).toBe(createHash("sha256").update('{"format":"confidant-evidence-pack","list":[1,2],"person":{"name":"Alice"}}').digest("hex"));
  expect(computePackSha256({ ...pack, packSha256: sha })).toBe(sha);
  expect(computePackSha256({ ...pack, packSha256: "anything" })).toBe(sha);
  expect(computePackSha256({ ...pack, list: [2, 1] })).not.toBe(sha);
  expect(computePackSha256({ ...pack, person: { name: "Alicf" } })).not.toBe(sha);
  // Key order and indentation in the file do not matter.
  expect(computePackSha256(JSON.parse(JSON.stringify({ list: [1, 2], person: { name: "Alice" }, format: "confidant-evidence-pack" }, null, 2)))).toBe(sha);
});
