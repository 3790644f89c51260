// What an evidence pack's signature covers, shared by the code that signs packs and the offline
// verifier: the instance key's Ed25519 signature over the RFC 8785 canonical JSON of the pack
// without its signature and packSha256 members. The public key and its fingerprint are inside
// what is signed, so they cannot be swapped without breaking the signature — but a pack signed
// by a forger's key checks out against that same embedded key: only a key obtained elsewhere
// (the instance's published key) says who signed it.
import { sha256Hex } from "../hash.server";
import { canonicalJson } from "./canonical";

export const PACK_SIGNATURE_ALGORITHM = "Ed25519";

export const PACK_SIGNATURE_COVERS =
  "Ed25519 signature (base64) over the UTF-8 bytes of the RFC 8785 canonical JSON of the pack without its signature and packSha256 members";

/** The path, under the instance's origin, where its public key is published. */
export const SIGNING_KEY_PATH = "/.well-known/confidant-signing-key";

export interface PackSigningKey {
  algorithm: typeof PACK_SIGNATURE_ALGORITHM;
  /** SPKI, PEM. */
  publicKeyPem: string;
  /** Hex SHA-256 of the public key's SPKI DER encoding. */
  fingerprint: string;
  /** Where the instance publishes this key (compare the fingerprint there). */
  publishedAt: string;
  /** Hex SHA-256 of the certificate the pack's PDF is signed with. */
  pdfCertificateSha256: string | null;
}

export interface PackSignature {
  covers: string;
  /** Ed25519 over the canonical JSON of the pack's manifest alone (base64). */
  manifest: string;
  /** Ed25519 over the whole pack as described in `covers` (base64). */
  value: string;
}

/** The exact text the pack's signature is over. */
export function packSigningInput(pack: Record<string, unknown>): string {
  const { signature: _signature, packSha256: _packSha256, ...rest } = pack;
  return canonicalJson(rest);
}

/**
 * What the pack holds, record by record: the SHA-256 (hex) of each record's canonical JSON (a
 * cycle without its quiz attempts, which are listed on their own) and each audit entry's hash.
 * It is signed on its own as well as inside the whole pack, so that when a record is edited or
 * removed the verifier can name it, not only say that the pack's signature fails.
 */
export interface PackManifest {
  generatedAt: string;
  personId: string;
  person: string;
  cycles: Record<string, string>;
  quizAttempts: Record<string, string>;
  attestations: Record<string, string>;
  auditEntries: Record<string, string>;
}

interface ManifestSource {
  generatedAt: string;
  person: { id: string };
  cycles: Array<{ id: string; quiz_attempts: Array<{ id: string }> }>;
  attestations: Array<{ id: string }>;
  audit: { entries: Array<{ seq: number; hash: string }> };
}

export function recordSha256(record: unknown): string {
  return sha256Hex(canonicalJson(record));
}

export function packManifest(pack: ManifestSource): PackManifest {
  return {
    generatedAt: pack.generatedAt,
    personId: pack.person.id,
    person: recordSha256(pack.person),
    cycles: Object.fromEntries(pack.cycles.map(({ quiz_attempts: _attempts, ...c }) => [c.id, recordSha256(c)])),
    quizAttempts: Object.fromEntries(pack.cycles.flatMap((c) => c.quiz_attempts.map((q) => [q.id, recordSha256(q)]))),
    attestations: Object.fromEntries(pack.attestations.map((t) => [t.id, recordSha256(t)])),
    auditEntries: Object.fromEntries(pack.audit.entries.map((e) => [String(e.seq), e.hash])),
  };
}
