// The manager's team page: who is late, everyone's assignments with HR's filters and the filter
// options, all scoped to the manager's own tree.
import type { Db } from "../../db/connection";
import type { Catalog } from "../courses/catalog.server";
import { describeFilters, type AssignmentFilters } from "../reports/filters.server";
import { LEADS_NAMED } from "./limits";
import { isTeamMember, teamAssignments, teamFilterOptions, teamOverview } from "./team.server";


/** A manager may filter by their own team or by a sub-team led by someone in their tree: naming
 * one outside it is asking about people the manager may not see. */
export async function maySeeSubTeam(db: Db, { managerId, subTeam }: { managerId: string; subTeam: string | undefined }): Promise<boolean> {
  if (!subTeam || subTeam === managerId) return true;
  return isTeamMember(db, { managerId, personId: subTeam });
}

/** The page, or null when the filters name a sub-team outside the manager's tree. */
export async function teamPage(
  db: Db,
  input: { managerId: string; catalog: Catalog; filters: AssignmentFilters; pages: { page: number; peoplePage: number; overduePage: number } },
  now: Date,
) {
  const { managerId, catalog, filters, pages } = input;
  if (!(await maySeeSubTeam(db, { managerId, subTeam: filters.manager }))) return null;
  const scope = { managerId, catalog };
  const [overview, rows, options] = await Promise.all([
    teamOverview(db, { ...scope, peoplePage: pages.peoplePage, overduePage: pages.overduePage }, now),
    teamAssignments(db, { ...scope, filters, page: pages.page }, now),
    teamFilterOptions(db, scope),
  ]);
  return {
    now: now.toISOString(),
    ...overview,
    // Only the sub-teams the opening line names; past that, how many there are.
    summary: { ...overview.summary, leads: overview.summary.leads.length > LEADS_NAMED ? [] : overview.summary.leads, leadCount: overview.summary.leads.length },
    rows,
    options,
    filtered: describeFilters(filters) !== "everyone",
  };
}
