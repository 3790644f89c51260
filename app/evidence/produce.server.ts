// Producing a signed evidence pack with this instance's keys: the JSON signed by the instance
// key (Ed25519), the PDF rendered from the same pack, stating the JSON's SHA-256 and the key's
// fingerprint, and itself digitally signed with the instance's PDF signing certificate.
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import type { AppConfig } from "../config.server";
import { loadInstanceKey } from "../keys/instance-key.server";
import { loadPdfSigningCertificate, type PdfSigningCertificate } from "../keys/pdf-certificate.server";
import { signPdf } from "../pdf/sign.server";
import { evidencePersonId, produceEvidence, type PackProducer, type PackSigner, type ProducedEvidence } from "./pack.server";
import { renderEvidencePdf } from "./pdf.server";
import { checkpointNow } from "./anchor.server";
import { SIGNING_KEY_PATH } from "./signature";

export async function evidenceSigning(config: AppConfig): Promise<{ signer: PackSigner; pdfCertificate: PdfSigningCertificate }> {
  const key = loadInstanceKey({ dataDir: config.dataDir, pem: config.instanceKey.pem, file: config.instanceKey.file });
  const pdfCertificate = await loadPdfSigningCertificate({ dataDir: config.dataDir, ...config.pdfSigning, origin: config.origin });
  return { signer: { key, publishedAt: `${config.origin}${SIGNING_KEY_PATH}`, pdfCertificateSha256: pdfCertificate.sha256 }, pdfCertificate };
}

export async function produceSignedEvidence(
  db: Kysely<DB>,
  config: AppConfig,
  input: { who: { personId: string } | { email: string }; generatedBy: PackProducer; now: Date; formats: Array<"json" | "pdf"> },
): Promise<ProducedEvidence | null> {
  // Unknown person: nothing is produced, and no checkpoint taken.
  if (!(await evidencePersonId(db, input.who))) return null;
  const { signer, pdfCertificate } = await evidenceSigning(config);
  await checkpointNow(db, { key: signer.key, anchors: config.audit, now: input.now });
  return produceEvidence(db, {
    ...input,
    signer,
    anchors: config.audit,
    renderPdf: async (pack, { jsonSha256, jsonFileName }) => {
      const pdf = await renderEvidencePdf(pack, { origin: config.origin, jsonFileName, jsonSha256 });
      return signPdf(pdf, pdfCertificate, {
        reason: `Evidence pack ${pack.packSha256}`,
        contactInfo: pack.signingKey.publishedAt,
        location: config.origin,
        signingTime: new Date(pack.generatedAt),
      });
    },
  });
}
