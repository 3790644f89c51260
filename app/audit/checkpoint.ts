// Checkpoints of the audit log in the C2SP tlog-checkpoint format (c2sp.org/tlog-checkpoint),
// carried as a C2SP signed note (c2sp.org/signed-note) with an Ed25519 signature by the instance
// key:
//
//   <origin>\n<tree size>\n<root hash, base64>\n\n— <key name> <base64(key id ‖ signature)>\n
//
// The key id is the first 4 bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key), the
// signature covers the text before the blank line. Pure: no database, no files.
import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { hashBytes } from "./merkle";

export interface Checkpoint {
  origin: string;
  treeSize: number;
  /** Standard base64 of the 32-byte root hash. */
  rootHash: string;
}

const SIG_PREFIX = "\u2014 ";
const ED25519_SPKI_PREFIX = "302a300506032b6570032100";
const ALG_ED25519 = 0x01;

function rawEd25519(publicKey: KeyObject): Buffer {
  const der = publicKey.export({ type: "spki", format: "der" });
  if (der.length !== 44 || der.subarray(0, 12).toString("hex") !== ED25519_SPKI_PREFIX) throw new Error("not an Ed25519 public key");
  return der.subarray(12);
}

function keyId(name: string, publicKey: KeyObject): Buffer {
  return createHash("sha256")
    .update(Buffer.concat([Buffer.from(name, "utf8"), Buffer.from([0x0a, ALG_ED25519]), rawEd25519(publicKey)]))
    .digest()
    .subarray(0, 4);
}

/** The verifier key string of signed-note tooling: <name>+<key id hex>+<base64(0x01 ‖ key)>. */
export function verifierKey(name: string, publicKey: KeyObject): string {
  return `${name}+${keyId(name, publicKey).toString("hex")}+${Buffer.concat([Buffer.from([ALG_ED25519]), rawEd25519(publicKey)]).toString("base64")}`;
}

export function checkpointBody(c: Checkpoint): string {
  if (!c.origin || /[\n\u2014]/.test(c.origin) || c.origin.trim() !== c.origin) throw new Error("A checkpoint origin is one line without leading or trailing spaces.");
  return `${c.origin}\n${c.treeSize}\n${c.rootHash}\n`;
}

/** Signs a checkpoint with the instance key; the key name is the log's origin. */
export function signCheckpoint(c: Checkpoint, privateKey: KeyObject): string {
  const body = checkpointBody(c);
  const publicKey = createPublicKey(privateKey);
  const sig = sign(null, Buffer.from(body, "utf8"), privateKey);
  return `${body}\n${SIG_PREFIX}${c.origin} ${Buffer.concat([keyId(c.origin, publicKey), sig]).toString("base64")}\n`;
}

export type ParsedNote = { ok: true; checkpoint: Checkpoint; body: string; signatures: Array<{ name: string; blob: Buffer }> } | { ok: false; problem: string };

/** Splits a signed note into its checkpoint and signature lines, checking the format only. */
export function parseCheckpointNote(note: string): ParsedNote {
  const cut = note.lastIndexOf("\n\n");
  if (cut < 0 || !note.endsWith("\n")) return { ok: false, problem: "the checkpoint is not a signed note (no blank line before the signatures)" };
  const body = note.slice(0, cut + 1);
  const lines = body.split("\n");
  if (lines.length < 4) return { ok: false, problem: "the checkpoint has fewer than three lines" };
  const [origin, sizeText, rootText] = lines;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) return { ok: false, problem: `the checkpoint's tree size "${sizeText}" is not a number` };
  if (!origin || !hashBytes(rootText)) return { ok: false, problem: "the checkpoint's origin or root hash is malformed" };
  const signatures: Array<{ name: string; blob: Buffer }> = [];
  for (const line of note.slice(cut + 2, -1).split("\n")) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) return { ok: false, problem: "a signature line of the checkpoint is malformed" };
    signatures.push({ name: m[1], blob: Buffer.from(m[2], "base64") });
  }
  return { ok: true, body, checkpoint: { origin, treeSize: Number(sizeText), rootHash: rootText }, signatures };
}

export type CheckpointCheck = { ok: true; checkpoint: Checkpoint } | { ok: false; problem: string };

/**
 * Checks that a checkpoint note carries a valid signature by `publicKey` (PEM or KeyObject,
 * Ed25519) under the key name of its own origin (or `origin`, when given, which it must match).
 */
export function verifyCheckpointSignature(note: string, publicKey: KeyObject | string, opts: { origin?: string } = {}): CheckpointCheck {
  let key: KeyObject;
  try {
    key = typeof publicKey === "string" ? createPublicKey(publicKey) : publicKey;
    rawEd25519(key);
  } catch {
    return { ok: false, problem: "the public key is not an Ed25519 key" };
  }
  const parsed = parseCheckpointNote(note);
  if (!parsed.ok) return parsed;
  const origin = opts.origin ?? parsed.checkpoint.origin;
  if (parsed.checkpoint.origin !== origin) return { ok: false, problem: `the checkpoint is for log "${parsed.checkpoint.origin}", not "${origin}"` };
  const id = keyId(origin, key);
  for (const s of parsed.signatures) {
    if (s.name !== origin || s.blob.length !== 68 || !s.blob.subarray(0, 4).equals(id)) continue;
    if (verify(null, Buffer.from(parsed.body, "utf8"), key, s.blob.subarray(4))) return { ok: true, checkpoint: parsed.checkpoint };
    return { ok: false, problem: "the checkpoint's signature does not verify with this key" };
  }
  return { ok: false, problem: "the checkpoint carries no signature by this key" };
}
