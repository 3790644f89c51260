import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";

/** A random identifier: 120 bits from the platform CSPRNG, base32 lower case. */
export function randomId(bytes = 15): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  return encodeBase32LowerCaseNoPadding(b);
}

const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"; // no 0/O, 1/I/L: read aloud, typed by hand

/** A human-friendly code such as 7QK4-M2PX-9HDA-3RTE (≈ 79 bits). */
export function verificationCode(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  const chars = Array.from(b, (x) => CODE_ALPHABET[x % CODE_ALPHABET.length]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join("")).join("-");
}
