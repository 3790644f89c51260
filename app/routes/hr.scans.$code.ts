import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireHr } from "~/http/guards.server";
import { fileOr404 } from "~/http/download.server";
import { getPaperScan } from "~/attestations/paper.server";

// The scan of a paper original, for HR only (everything under /hr is 404 to anyone else).
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = requireHr(request, context);
  if (!params.code || !/^[0-9A-Za-z-]{4,40}$/.test(params.code)) throw notFound("There is no such scan.");
  return fileOr404(await getPaperScan(context.db, { viewer, code: params.code }), "There is no such scan.");
}
