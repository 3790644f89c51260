import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { postOnly } from "~/http/post-only";
import { notFound, requireHr } from "~/http/guards.server";
import { fileOr404 } from "~/http/download.server";
import { evidenceFile, evidenceSubject } from "~/evidence/evidence.server";

// The evidence pack as a PDF for counsel: cover, training cycles, every receipt with its text. HR only.
export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = requireHr(request, context);
  const file = await evidenceFile(context.db, { viewer, id: params.id, format: "pdf", now: context.clock(), config: context.config });
  return fileOr404(file, "There is no such person.");
}

// Producing a pack is audited, so it takes a POST (the download button on the evidence page).
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  requireHr(request, context);
  if (!(await evidenceSubject(context.db, params.id))) throw notFound("There is no such person.");
  return postOnly();
}
