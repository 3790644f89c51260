import type { LoaderFunctionArgs } from "@remix-run/node";
import { receiptPdf } from "~/attestations/receipts.server";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const pdf = await receiptPdf(request, context, params.code);
  return new Response(new Uint8Array(pdf), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `attachment; filename="confidant-receipt-${params.code}.pdf"`,
      "Cache-Control": "private, no-store",
    },
  });
}
