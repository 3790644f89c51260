// The live catalog and the folder's drafts from the load context (where no drafts were given,
// the folder is the live catalog).
import type { Catalogs } from "../courses/live.server";
import type { AppContext } from "./context";

export function catalogsOf(context: Pick<AppContext, "catalog" | "drafts">): Catalogs {
  return { live: context.catalog, drafts: context.drafts ?? context.catalog };
}
