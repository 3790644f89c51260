import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireHr } from "~/http/guards.server";
import { fileOr404 } from "~/http/download.server";
import { producedPackFile } from "~/evidence/produced.server";

// A produced pack's JSON or signed PDF, byte for byte as stored when it was produced. HR only.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  requireHr(request, context);
  const file = await producedPackFile(context.db, { personId: params.id ?? "", packId: params.pack ?? "", file: params.file ?? "" });
  return fileOr404(file, "There is no such file.");
}
