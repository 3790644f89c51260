// The instance's signing key: Ed25519, signs audit-log checkpoints and evidence packs so that
// someone who distrusts the database can check them offline against the published public key.
// Created on first start into DATA_DIR (like the app secret), or given by INSTANCE_KEY_FILE /
// INSTANCE_KEY_PEM for operators who keep it elsewhere. Every instance of one deployment must
// use the same key.
import fs from "node:fs";
import path from "node:path";
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";

export interface InstanceKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI, PEM: what the well-known URL serves and packs print. */
  publicKeyPem: string;
  /** Hex SHA-256 of the public key's SPKI DER encoding. */
  fingerprint: string;
}

export interface InstanceKeySource {
  dataDir: string;
  /** A PKCS#8 PEM private key, taken as is. */
  pem?: string | null;
  /** A file holding that PEM. */
  file?: string | null;
}

export const INSTANCE_KEY_FILE = "instance-key.pem";

export function loadInstanceKey(source: InstanceKeySource): InstanceKey {
  const pem = source.pem ?? (source.file ? fs.readFileSync(source.file, "utf8") : localKeyPem(source.dataDir));
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error("The instance signing key is not a PEM private key (INSTANCE_KEY_PEM / INSTANCE_KEY_FILE).");
  }
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new Error(`The instance signing key must be Ed25519, not ${privateKey.asymmetricKeyType}.`);
  }
  return fromPrivateKey(privateKey);
}

export function fromPrivateKey(privateKey: KeyObject): InstanceKey {
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    fingerprint: publicKeyFingerprint(publicKey),
  };
}

export function publicKeyFingerprint(publicKey: KeyObject): string {
  return createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex");
}

/** Detached Ed25519 signature over `data`, base64. */
export function signDetached(key: InstanceKey, data: Uint8Array | string): string {
  return sign(null, typeof data === "string" ? Buffer.from(data, "utf8") : data, key.privateKey).toString("base64");
}

/** Checks a detached signature with a public key given as PEM or KeyObject; never throws on bad input. */
export function verifyDetached(publicKey: KeyObject | string, data: Uint8Array | string, signatureBase64: string): boolean {
  try {
    const key = typeof publicKey === "string" ? createPublicKey(publicKey) : publicKey;
    if (key.asymmetricKeyType !== "ed25519") return false;
    return verify(null, typeof data === "string" ? Buffer.from(data, "utf8") : data, key, Buffer.from(signatureBase64, "base64"));
  } catch {
    return false;
  }
}

/** A generated key kept in the data folder, created once (a second process racing us reads ours). */
function localKeyPem(dataDir: string): string {
  const file = path.resolve(dataDir, INSTANCE_KEY_FILE);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    try {
      fs.writeFileSync(file, pem, { mode: 0o600, flag: "wx" });
      return pem;
    } catch {
      return fs.readFileSync(file, "utf8");
    }
  }
}
