import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { badRequest } from "~/http/guards.server";
import { requireManager } from "~/http/manager.server";
import { streamResponse } from "~/http/download.server";
import { postOnly } from "~/http/post-only";
import { parseFilters } from "~/reports/filters.server";
import { startAssignmentsExport } from "~/reports/export.server";

// A manager's team as CSV: the same columns as HR's export, only the people below them in the
// reporting tree, with the team page's filters. A POST, because each export is audited.
export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireManager(request, context);
  const filters = parseFilters(new URL(request.url).searchParams);
  if (!filters) throw badRequest("That filter is not valid. Clear the filters and try again.");
  const { fileName, chunks } = await startAssignmentsExport(context.db, { actorId: viewer.id, filters, via: "web", now: context.clock(), scopeManagerId: viewer.id });
  return streamResponse(chunks, { fileName: fileName.replace("confidant-assignments", "confidant-team"), contentType: "text/csv; charset=utf-8", signal: request.signal, drained: context.drained });
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireManager(request, context);
  return postOnly();
}
