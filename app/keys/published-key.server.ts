// What the instance publishes at /.well-known/confidant-signing-key: its Ed25519 public key and
// fingerprint (what evidence packs and PDFs print), and the certificate its PDFs are signed
// with, tied to the instance key by an Ed25519 signature over the certificate's SHA-256. An
// auditor saves this document (or the .pem beside it) and checks packs against it offline.
import type { AppConfig } from "../config.server";
import { loadInstanceKey, signDetached } from "./instance-key.server";
import { loadPdfSigningCertificate } from "./pdf-certificate.server";

export const PUBLISHED_KEY_FORMAT = "confidant-signing-key";

export function pdfCertificateStatement(sha256: string): string {
  return `confidant pdf-signing-certificate sha256:${sha256}`;
}

export interface PublishedSigningKey {
  format: typeof PUBLISHED_KEY_FORMAT;
  origin: string;
  algorithm: "Ed25519";
  publicKeyPem: string;
  fingerprint: string;
  fingerprintAlgorithm: string;
  signs: string[];
  pdfSigningCertificate: { pem: string; sha256: string; statement: string; statementSignature: string };
}

export async function publishedSigningKey(config: AppConfig): Promise<PublishedSigningKey> {
  const key = loadInstanceKey({ dataDir: config.dataDir, pem: config.instanceKey.pem, file: config.instanceKey.file });
  const cert = await loadPdfSigningCertificate({ dataDir: config.dataDir, ...config.pdfSigning, origin: config.origin });
  const statement = pdfCertificateStatement(cert.sha256);
  return {
    format: PUBLISHED_KEY_FORMAT,
    origin: config.origin,
    algorithm: "Ed25519",
    publicKeyPem: key.publicKeyPem,
    fingerprint: key.fingerprint,
    fingerprintAlgorithm: "SHA-256 (hex) of the public key's SPKI DER encoding",
    signs: ["evidence packs (JSON: signature over the RFC 8785 canonical form)", "audit-log checkpoints"],
    pdfSigningCertificate: { pem: cert.certificatePem, sha256: cert.sha256, statement, statementSignature: signDetached(key, statement) },
  };
}
