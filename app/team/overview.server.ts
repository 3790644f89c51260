// The team at a glance: a manager's headline figures, a page of their people and a page of the
// overdue assignments to chase. A small team is counted live; a large one from the reporting
// rollup and the stored tree (rows.server.ts says how a team is found and scoped).
import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema";
import type { Catalog } from "../courses/catalog.server";
import { teamIds } from "../people/org.server";
import { getOverview } from "../reports/overview.server";
import {
  assignmentsById, byUrgency, overdueWalk, pageFrom, pageOf, PERSON_RANK, placeOf, raiseState, remindedToday, statesOf, storedMembers,
  storedTeam, TEAM_LARGE_FROM, TEAM_PAGE_SIZE, teamAssignmentQuery, teamPerson, toTeamAssignment,
  type PersonState, type StoredTeam, type TeamAssignment, type TeamPage, type TeamPerson,
} from "./rows.server";

export interface TeamSummary {
  people: number;
  direct: number;
  /** Sub-teams: the people who report to the viewer and have reports of their own. */
  leads: Array<{ id: string; name: string; size: number }>;
  /** People by their most pressing assignment; null for a large team (see storedOverview). */
  byState: Record<PersonState, number> | null;
  overdueAssignments: number;
  assignments: AssignmentCounts;
}

/** The team's assignments, counted by what they show on the page (cancelled ones left out). */
export interface AssignmentCounts {
  overdue: number;
  inProgress: number;
  notStarted: number;
  completed: number;
  exempt: number;
}

export interface TeamOverview {
  summary: TeamSummary;
  overdue: TeamPage<TeamAssignment>;
  people: TeamPage<TeamPerson>;
  /** "live": counted now from the records; "stored": a large team, counted from the reporting
   * rollup and the stored tree as of `asOf`, people's states read for the page shown only. */
  source: "live" | "stored";
  asOf: string;
}

export interface TeamOverviewInput {
  managerId: string;
  catalog: Catalog;
  peoplePage?: number;
  overduePage?: number;
  /** Teams at least this large are read from the stored tree and the rollup (tests lower it). */
  largeFrom?: number;
}

/** The team at a glance, a page of the people and a page of the overdue assignments to chase.
 * Unaffected by the filters, so the headline figures always describe the whole team. */
export async function teamOverview(db: Kysely<DB>, input: TeamOverviewInput, now: Date): Promise<TeamOverview> {
  const { managerId, catalog, largeFrom = TEAM_LARGE_FROM } = input;
  const stored = await storedTeam(db, { managerId, catalog, largeFrom, now });
  if (stored) return storedOverview(db, stored, input, now);
  return liveOverview(db, input, now);
}

/** The sub-teams worth showing (someone below the lead), by the lead's name. */
function subTeams(leads: TeamSummary["leads"]): TeamSummary["leads"] {
  return leads.filter((l) => l.size > 0).sort((a, b) => a.name.localeCompare(b.name));
}

async function liveOverview(db: Kysely<DB>, { managerId, catalog, peoplePage = 1, overduePage = 1 }: TeamOverviewInput, now: Date): Promise<TeamOverview> {
  const people = await db
    .selectFrom("users as u")
    .leftJoin("users as m", "m.id", "u.manager_id")
    .select((eb) => [
      "u.id",
      "u.name",
      "u.title",
      "u.status",
      "m.name as manager_name",
      "u.manager_id",
      eb.exists(eb.selectFrom("users as r").select("r.id").whereRef("r.manager_id", "=", "u.id").where("r.status", "<>", "inactive")).as("is_lead"),
    ])
    .where("u.id", "in", teamIds(db, managerId))
    .where("u.status", "<>", "inactive")
    .execute();
  const rows = await teamAssignmentQuery(db, managerId).where("u.status", "<>", "inactive").where("a.cancelled_at", "is", null).execute();
  const overdueIds = rows.filter((r) => !r.completed_at && !r.exempted_at && Date.parse(r.due_at) < now.getTime()).map((r) => r.id);
  const reminded = await remindedToday(db, overdueIds, now);
  const all = rows.map((r) => toTeamAssignment(r, managerId, catalog, now, reminded));

  const stateOf = new Map<string, PersonState>();
  for (const p of people) stateOf.set(p.id, "up_to_date");
  const assignments: AssignmentCounts = { overdue: 0, inProgress: 0, notStarted: 0, completed: 0, exempt: 0 };
  for (const a of all) {
    raiseState(stateOf, a.personId, a.status);
    if (a.status === "overdue") assignments.overdue++;
    else if (a.status === "in_progress") assignments.inProgress++;
    else if (a.status === "not_started") assignments.notStarted++;
    else if (a.status === "completed") assignments.completed++;
    else if (a.status === "exempt") assignments.exempt++;
  }
  const byState: Record<PersonState, number> = { overdue: 0, in_progress: 0, not_started: 0, up_to_date: 0 };
  for (const s of stateOf.values()) byState[s]++;

  // Sub-team sizes from the tree we already have, rather than one query per lead.
  const children = new Map<string, string[]>();
  for (const p of people) if (p.manager_id) children.set(p.manager_id, [...(children.get(p.manager_id) ?? []), p.id]);
  const sizeBelow = (id: string, seen = new Set<string>()): number =>
    (children.get(id) ?? []).reduce((n, c) => (seen.has(c) ? n : (seen.add(c), n + 1 + sizeBelow(c, seen))), 0);
  const leads = subTeams(people.filter((p) => p.manager_id === managerId && Boolean(Number(p.is_lead))).map((p) => ({ id: p.id, name: p.name, size: sizeBelow(p.id) })));

  return {
    summary: {
      people: people.length,
      direct: people.filter((p) => p.manager_id === managerId).length,
      leads,
      byState,
      overdueAssignments: assignments.overdue,
      assignments,
    },
    overdue: pageFrom(all.filter((a) => a.status === "overdue").sort(byUrgency), overduePage),
    people: pageFrom(
      people
        .map((p) => teamPerson(p, managerId, stateOf))
        .sort((a, b) => PERSON_RANK[a.state] - PERSON_RANK[b.state] || a.name.localeCompare(b.name)),
      peoplePage,
    ),
    source: "live",
    asOf: now.toISOString(),
  };
}

/** A large team: figures from the rollup (getOverview, as HR's dashboard) and from the stored
 * tree; people in tree order (each sub-team together), their states read for the page shown; the
 * overdue assignments walked in due order, a page at a time. People's states are not totalled:
 * that would read every open assignment of the team. */
async function storedOverview(db: Kysely<DB>, t: StoredTeam, { managerId, catalog, peoplePage = 1, overduePage = 1 }: TeamOverviewInput, now: Date): Promise<TeamOverview> {
  const [counted, direct, leadRows, overview] = await Promise.all([
    storedMembers(db, t)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirst(),
    db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("manager_id", "=", managerId)
      .where("status", "<>", "inactive")
      .executeTakeFirst(),
    db
      .selectFrom("users as u")
      .innerJoin("person_scores as s", (j) => j.onRef("s.user_id", "=", "u.id").on("s.generation", "=", t.generation))
      .select((eb) => [
        "u.id",
        "u.name",
        eb
          .selectFrom("person_scores as b")
          .select((e) => e.fn.countAll<number>().as("n"))
          .where("b.generation", "=", t.generation)
          .whereRef("b.tree_position", ">", "s.tree_position")
          .where((e) => e("b.tree_position", "<=", sql<number>`s.tree_position + s.team_size`))
          .as("size"),
      ])
      .where("u.manager_id", "=", managerId)
      .where("u.status", "<>", "inactive")
      .where("s.team_size", ">", 0)
      .execute(),
    getOverview(db, { filters: { manager: managerId }, now }),
  ]);
  const people = Number(counted?.n ?? 0);
  const totals = overview.totals;
  const assignments: AssignmentCounts = { overdue: totals.overdue, inProgress: totals.inProgress, notStarted: totals.notStarted, completed: totals.completed, exempt: totals.exempt };
  const leads = subTeams(leadRows.map((l) => ({ id: l.id, name: l.name, size: Number(l.size ?? 0) })));

  const peoplePlace = placeOf(people, peoplePage);
  const members = await storedMembers(db, t)
    .innerJoin("users as u", "u.id", "s.user_id")
    .leftJoin("users as m", "m.id", "u.manager_id")
    .select(["u.id", "u.name", "u.title", "u.status", "u.manager_id", "m.name as manager_name"])
    .orderBy("s.tree_position")
    .limit(TEAM_PAGE_SIZE)
    .offset(peoplePlace.offset)
    .execute();
  const states = await statesOf(db, members.map((p) => p.id), now);

  const overduePlace = placeOf(assignments.overdue, overduePage);
  const overdueIds = await overdueWalk(db, t, now).limit(TEAM_PAGE_SIZE).offset(overduePlace.offset).execute();
  const overdue = await assignmentsById(db, { managerId, catalog, ids: overdueIds.map((r) => r.id) }, now);

  return {
    summary: { people, direct: Number(direct?.n ?? 0), leads, byState: null, overdueAssignments: assignments.overdue, assignments },
    people: pageOf(members.map((p) => teamPerson(p, managerId, states)), people, peoplePlace),
    overdue: pageOf(overdue, assignments.overdue, overduePlace),
    source: "stored",
    asOf: overview.asOf,
  };
}
