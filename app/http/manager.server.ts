// Who may open the manager pages: anyone with at least one (active) report. Everyone else is told
// the page does not exist, like HR's pages.
import type { AppContext, Viewer } from "./context";
import { notFound, requireViewer } from "./guards.server";
import { hasReports } from "../people/org.server";

export async function requireManager(request: Request, context: AppContext): Promise<Viewer> {
  const viewer = requireViewer(request, context);
  if (!(await hasReports(context.db, viewer.id))) throw notFound();
  return viewer;
}

/** A person id from a URL: anything else is a page that does not exist. */
export function personIdParam(value: string | undefined | null): string {
  if (!value || !/^usr_[a-z0-9]{1,64}$/.test(value)) throw notFound("There is no such person in your team.");
  return value;
}
