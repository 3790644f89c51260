import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireViewer } from "~/http/guards.server";
import { fileOr404 } from "~/http/download.server";
import { receiptPdf } from "~/attestations/receipts.server";

// A receipt as a PDF: its signer's and HR's; everyone else is told there is no such receipt.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = requireViewer(request, context);
  const file = await receiptPdf(context.db, { viewer, code: params.code, catalog: context.catalog, origin: context.config.origin });
  return fileOr404(file, "There is no such receipt.");
}
