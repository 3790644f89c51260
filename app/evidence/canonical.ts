// The canonical form an evidence pack is hashed in, so that anyone can recompute its
// packSha256 from the JSON file alone, with any JSON library: RFC 8785 (JSON Canonicalization
// Scheme) for the values a pack holds — objects with their members sorted by name (UTF-16 code
// units), no insignificant whitespace, strings and numbers as ECMAScript's JSON.stringify writes
// them. The packSha256 member itself is left out of what is hashed.
import { sha256Hex } from "../hash.server";

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("An evidence pack cannot hold NaN or Infinity.");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  throw new Error(`An evidence pack cannot hold a ${typeof value}.`);
}

/** SHA-256 (hex) of the canonical form of the pack without its packSha256 member. */
export function computePackSha256(pack: Record<string, unknown>): string {
  const { packSha256: _ignored, ...rest } = pack;
  return sha256Hex(canonicalJson(rest));
}
