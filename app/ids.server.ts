import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";
import { sql, type RawBuilder } from "kysely";

/** A random identifier: 120 bits from the platform CSPRNG, base32 lower case. */
export function randomId(bytes = 15): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  return encodeBase32LowerCaseNoPadding(b);
}

// RFC 4648's base32 characters (lower case), ordered as ASCII orders them — digits first — so
// that ids written with them sort by the time they begin with (RFC 4648's own order does not).
const SORTABLE = "234567abcdefghijklmnopqrstuvwxyz";

function sortableRandom(chars: number): string {
  const b = new Uint8Array(chars);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => SORTABLE[x & 31]).join("");
}

/** The time part of a time-ordered id: milliseconds since 1970 in 10 sortable characters. */
export function timePart(at: Date): string {
  let ms = at.getTime();
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = SORTABLE[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/**
 * A time-ordered identifier in the manner of ULID / UUIDv7: 10 characters of the creation time
 * (ms) then 80 random bits (16 characters). New rows of a table that uses it land at the end of
 * its primary-key B-tree instead of on a random page, so a large run touches few pages.
 */
export function timeOrderedId(at: Date = new Date()): string {
  return timePart(at) + sortableRandom(16);
}

/**
 * The shared beginning of the ids one set-based statement writes: the time, then 30 random bits
 * that tell this statement's rows from another's in the same millisecond. The statement appends
 * 64 random bits per row in SQL (randomSuffixSql), so every id it writes lies between `prefix`
 * and `prefix + "~"`.
 */
export function timeOrderedPrefix(at: Date = new Date()): string {
  return timePart(at) + sortableRandom(6);
}

const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"; // no 0/O, 1/I/L: read aloud, typed by hand

/** A human-friendly code such as 7QK4-M2PX-9HDA-3RTE (≈ 79 bits). */
export function verificationCode(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  const chars = Array.from(b, (x) => CODE_ALPHABET[x % CODE_ALPHABET.length]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join("")).join("-");
}

/** 64 random bits per row in the SQL of the given database: 16 hexadecimal digits with 0, 1, 8
 * and 9 written w, x, y, z, so that every id keeps to the characters of randomId(). The per-row
 * end of an id that begins with timeOrderedPrefix(). */
export function randomSuffixSql(dialect: "sqlite" | "postgres"): RawBuilder<string> {
  const hex = dialect === "postgres" ? sql<string>`substr(md5(gen_random_uuid()::text), 1, 16)` : sql<string>`lower(hex(randomblob(8)))`;
  return sql<string>`replace(replace(replace(replace(${hex}, '0', 'w'), '1', 'x'), '8', 'y'), '9', 'z')`;
}
