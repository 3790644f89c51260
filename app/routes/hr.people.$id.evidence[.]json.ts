import type { LoaderFunctionArgs } from "@remix-run/node";
import { evidenceDownload } from "~/evidence/evidence.server";

// The evidence pack as JSON: the records, the audit entries that cover them, and packSha256.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return evidenceDownload(request, context, params.id, "json");
}
