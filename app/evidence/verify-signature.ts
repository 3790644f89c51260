// The instance key's signatures on a pack, checked offline. With a key the auditor obtained
// elsewhere (--public-key: the instance's published key), a valid signature shows the instance
// produced the pack. With only the key the pack carries, it shows the pack is consistent with
// itself — a forger can sign a forged pack with a key of their own — so the report says which.
import { createPublicKey, type KeyObject } from "node:crypto";
import { publicKeyFingerprint, verifyDetached } from "../keys/instance-key.server";
import { canonicalJson } from "./canonical";
import type { EvidencePack } from "./pack.server";
import { packManifest, packSigningInput, type PackManifest } from "./signature";
import { isObject, type Checks } from "./checks";

export interface SignatureCheck {
  /** "given": checked with the key the auditor supplied; "embedded": only with the pack's own key. */
  keySource: "given" | "embedded";
  fingerprint: string;
  publishedAt: string | null;
  valid: boolean;
}

/** Reads an Ed25519 public key from a PEM file or the instance's published key document; throws a one-line error. */
export function readPublicKey(text: string, file: string): string {
  let pem = text;
  if (text.trimStart().startsWith("{")) {
    try {
      const doc: unknown = JSON.parse(text);
      if (isObject(doc) && typeof doc.publicKeyPem === "string") pem = doc.publicKeyPem;
    } catch {
      throw new Error(`${file} is neither a PEM public key nor the instance's published key document`);
    }
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new Error(`${file} is not a PEM public key`);
  }
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`${file} is an ${key.asymmetricKeyType?.toUpperCase() ?? "unknown"} key; evidence packs are signed with Ed25519`);
  return key.export({ type: "spki", format: "pem" }).toString();
}

const KINDS: Array<[keyof PackManifest, string]> = [
  ["cycles", "training cycle"],
  ["quizAttempts", "quiz attempt"],
  ["attestations", "attestation"],
  ["auditEntries", "audit entry"],
];

/** Names each record that differs from the signed manifest. */
function checkManifest(checks: Checks, pack: EvidencePack, signed: PackManifest) {
  const actual = packManifest(pack);
  if (signed.generatedAt !== actual.generatedAt || signed.personId !== actual.personId) {
    checks.fail(`the pack's production time or person was altered after signing: the signed manifest says ${signed.personId} at ${signed.generatedAt}`);
  }
  if (signed.person !== actual.person) checks.fail(`the person's record (${pack.person.email}) was altered after signing: it differs from the signed manifest`);
  const codes = new Map(pack.attestations.map((t) => [t.id, t.verification_code]));
  for (const [kind, what] of KINDS) {
    const was = (signed[kind] ?? {}) as Record<string, string>;
    const now = actual[kind] as Record<string, string>;
    const name = (id: string) => (kind === "attestations" && codes.get(id) ? `${what} ${codes.get(id)}` : `${what} ${id}`);
    for (const [id, hash] of Object.entries(was)) {
      if (!(id in now)) checks.fail(`${name(id)} was removed after signing: it is in the signed manifest but not in the pack`);
      else if (now[id] !== hash) checks.fail(`${name(id)} was altered after signing: it differs from the signed manifest`);
    }
    for (const id of Object.keys(now)) if (!(id in was)) checks.fail(`${name(id)} was added after signing: it is not in the signed manifest`);
  }
}

function embeddedKey(checks: Checks, pack: EvidencePack): { key: KeyObject; fingerprint: string } | null {
  const sk = pack.signingKey;
  try {
    const key = createPublicKey(sk.publicKeyPem);
    const fingerprint = publicKeyFingerprint(key);
    if (key.asymmetricKeyType !== "ed25519") checks.fail(`the pack's signing key is ${key.asymmetricKeyType}, not Ed25519`);
    else if (fingerprint !== sk.fingerprint) checks.fail(`the pack's signing key does not have the fingerprint the pack states (${sk.fingerprint}; the key's is ${fingerprint})`);
    return { key, fingerprint };
  } catch {
    checks.fail("the pack's signing key is not a PEM public key");
    return null;
  }
}

export interface SigningKeyInUse {
  key: KeyObject;
  fingerprint: string;
  given: boolean;
}

/** The key to check with: the one given (named when the pack names another), else the pack's own. */
export function resolveKey(checks: Checks, pack: EvidencePack, givenKeyPem: string | null): SigningKeyInUse | null {
  const sk: unknown = pack.signingKey;
  if (!isObject(sk) || typeof sk.publicKeyPem !== "string") return null;
  const embedded = embeddedKey(checks, pack);
  if (!givenKeyPem) return embedded ? { ...embedded, given: false } : null;
  const key = createPublicKey(givenKeyPem);
  const fingerprint = publicKeyFingerprint(key);
  if (fingerprint !== sk.fingerprint) checks.fail(`the pack is not signed with the key given: it names key ${String(sk.fingerprint)}, the key given is ${fingerprint}`);
  return { key, fingerprint, given: true };
}

export function checkSignatures(checks: Checks, pack: EvidencePack, using: SigningKeyInUse | null): SignatureCheck | null {
  const sk: unknown = pack.signingKey;
  const sig: unknown = pack.signature;
  if (!isObject(sk) || !isObject(sig) || typeof sig.value !== "string" || typeof sig.manifest !== "string" || typeof sk.publicKeyPem !== "string") {
    checks.fail("the pack is not signed: it has no signing key and signature (packs before format version 2 were not signed)");
    return null;
  }
  if (!using) return null;
  const { key, fingerprint } = using;
  const before = checks.failures.length;
  if (!isObject(pack.manifest) || !verifyDetached(key, canonicalJson(pack.manifest), sig.manifest)) {
    checks.fail("the pack's signed manifest does not verify: the manifest was altered, or it was not signed with this key");
  } else {
    checks.held(`manifest: each of the pack's records matches the one the instance signed`, () => checkManifest(checks, pack, pack.manifest));
  }
  const whole = verifyDetached(key, packSigningInput(pack as unknown as Record<string, unknown>), sig.value);
  if (!whole) checks.fail("the pack's signature does not verify: the pack was changed after it was signed, or it was not signed with this key");
  const valid = checks.failures.length === before;
  if (valid) {
    checks.passed.push(
      using.given
        ? `signature: valid Ed25519 signature by the key given (${fingerprint}), which shows the pack is as that key's holder produced it`
        : `signature: valid Ed25519 signature by the key embedded in the pack (${fingerprint}); this shows only that the pack is consistent with itself — ` +
            `compare the fingerprint with the one the instance publishes${typeof sk.publishedAt === "string" ? ` at ${sk.publishedAt}` : ""}, or give --public-key`,
    );
  }
  return { keySource: using.given ? "given" : "embedded", fingerprint, publishedAt: typeof sk.publishedAt === "string" ? sk.publishedAt : null, valid };
}
