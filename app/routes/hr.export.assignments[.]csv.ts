import type { LoaderFunctionArgs } from "@remix-run/node";
import { assignmentsExportResponse } from "~/reports/export.server";

// Every assignment matching the dashboard's filters, streamed as CSV. HR only.
export async function loader({ request, context }: LoaderFunctionArgs) {
  return assignmentsExportResponse(request, context);
}
