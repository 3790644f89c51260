import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireHr } from "~/http/guards.server";
import { fileOr404 } from "~/http/download.server";
import { evidenceFile } from "~/evidence/evidence.server";

// The evidence pack as a PDF for counsel: cover, training cycles, every receipt with its text. HR only.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = requireHr(request, context);
  const file = await evidenceFile(context.db, { viewer, id: params.id, format: "pdf", now: context.clock(), config: context.config });
  return fileOr404(file, "There is no such person.");
}
