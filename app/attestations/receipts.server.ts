// Receipts for routes: who may see one (its signer and HR), and its PDF.
import type { AppContext } from "../http/context";
import { notFound, requireViewer } from "../http/guards.server";
import { getReceipt, getSignedPolicyText } from "./attestations.server";
import { renderReceiptPdf } from "./receipt-pdf.server";

export async function receiptFor(request: Request, context: AppContext, code: string | undefined) {
  const viewer = requireViewer(request, context);
  if (!code || !/^[0-9A-Za-z-]{4,40}$/.test(code)) throw notFound("There is no such receipt.");
  const receipt = await getReceipt(context.db, {
    viewer,
    code,
    origin: context.config.origin,
    courseTitle: (id) => context.catalog.courses.get(id)?.meta.title ?? null,
  });
  if (!receipt) throw notFound("There is no such receipt.");
  return receipt;
}

export async function receiptPdf(request: Request, context: AppContext, code: string | undefined) {
  const receipt = await receiptFor(request, context, code);
  const signed = await getSignedPolicyText(context.db, receipt.policyId, receipt.policyVersion);
  const { attestation: _a, courseId: _c, ...view } = receipt;
  return renderReceiptPdf({ ...view, policyText: signed?.body });
}
