import type { LoaderFunctionArgs } from "@remix-run/node";
import { evidenceDownload } from "~/evidence/evidence.server";

// The evidence pack as a PDF for counsel: cover, training cycles, every receipt with its text.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return evidenceDownload(request, context, params.id, "pdf");
}
