// Receipts as plain data: who may see one (its signer and HR; anyone else gets null, as for a
// code that does not exist), and its PDF.
import type { Db } from "../../db/connection";
import type { Catalog } from "../courses/catalog.server";
import { getReceipt, getSignedPolicyText } from "./attestations.server";
import { renderReceiptPdf } from "./receipt-pdf.server";
import { recentCredentialChange } from "../auth/credential-history.server";
import { CREDENTIAL_CHANGE_HOURS } from "../audit/credential-change";

const CODE = /^[0-9A-Za-z-]{4,40}$/;

interface ReceiptInput {
  viewer: { id: string; is_hr: number };
  code: string | undefined;
  catalog: Catalog;
  origin: string;
}

export async function receiptFor(db: Db, { viewer, code, catalog, origin }: ReceiptInput) {
  if (!code || !CODE.test(code)) return null;
  const receipt = await getReceipt(db, { viewer, code, origin, courseTitle: (id) => catalog.courses.get(id)?.meta.title ?? null });
  if (!receipt) return null;
  // A paper original recorded by HR used no credential of the signer's: no mark.
  const change = receipt.attestation.recorded_by ? null : await recentCredentialChange({ db, userId: receipt.attestation.user_id, before: new Date(receipt.signedAt), withinHours: CREDENTIAL_CHANGE_HOURS });
  const startedBy = change ? await db.selectFrom("users").select("name").where("id", "=", change.startedBy).executeTakeFirst() : null;
  return { ...receipt, credentialChange: change ? { at: change.at, kind: change.kind, startedByName: startedBy?.name ?? "another person" } : null };
}

/** The receipt's PDF, with the policy text that was signed, or null as `receiptFor`. */
export async function receiptPdf(db: Db, input: ReceiptInput) {
  const receipt = await receiptFor(db, input);
  if (!receipt) return null;
  const signed = await getSignedPolicyText(db, receipt.policyId, receipt.policyVersion);
  const { attestation: _a, courseId: _c, ...view } = receipt;
  return { fileName: `confidant-receipt-${input.code}.pdf`, contentType: "application/pdf", body: await renderReceiptPdf({ ...view, policyText: signed?.body }) };
}
