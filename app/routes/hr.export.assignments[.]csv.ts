import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { badRequest, requireHr } from "~/http/guards.server";
import { streamResponse } from "~/http/download.server";
import { postOnly } from "~/http/post-only";
import { parseFilters } from "~/reports/filters.server";
import { startAssignmentsExport } from "~/reports/export.server";

// Every assignment matching the dashboard's filters (in the address), streamed as CSV. HR only
// (404 otherwise), 400 on a bad filter, otherwise the CSV streamed as it is read. A POST, because
// each export is audited (the download button on the dashboard).
export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireHr(request, context);
  const filters = parseFilters(new URL(request.url).searchParams);
  if (!filters) {
    throw badRequest("That filter is not valid. Check the department, manager, course, cycle, status and type, or clear the filters.");
  }
  const { fileName, chunks } = await startAssignmentsExport(context.db, { actorId: viewer.id, filters, via: "web", now: context.clock() });
  return streamResponse(chunks, { fileName, contentType: "text/csv; charset=utf-8", signal: request.signal, drained: context.drained });
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireHr(request, context);
  return postOnly();
}
