// A throwaway instance key for tests that produce packs without the app's configuration.
import { generateKeyPairSync } from "node:crypto";
import { fromPrivateKey } from "../../app/keys/instance-key.server";
import type { PackSigner } from "../../app/evidence/pack.server";

export function testSigner(): PackSigner {
  return {
    key: fromPrivateKey(generateKeyPairSync("ed25519").privateKey),
    publishedAt: "http://localhost:3000/.well-known/confidant-signing-key",
    pdfCertificateSha256: null,
  };
}
