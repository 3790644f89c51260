// "My team": a manager's view of everyone below them (direct and indirect reports) and where each
// person stands. Every query is scoped by the manager's tree in its WHERE clause, so a person
// outside it is never read, whatever the URL or filters say. Managers see course results (status,
// dates, scores), never individual quiz answers.
import { sql, type Kysely, type SelectQueryBuilder } from "kysely";
import { dialectOf } from "../../db/connection";
import type { AssignmentReason, DB, UserStatus } from "../../db/schema";
import type { Catalog } from "../courses/catalog.server";
import { courseTitle, recordedTitle } from "../courses/titles.server";
import { assignmentStatus, completedOnTime, type AssignmentStatus } from "../assignments/status";
import { applyAssignmentFilters, type AssignmentFilters } from "../reports/filters.server";
import { membersOf, teamIds } from "../people/org.server";
import { pageNumberOr400 } from "../http/guards.server";
import { getOverview } from "../reports/overview.server";
import { currentRun, isSeriesOfMany, isStale, notAnIndex, SCOPE_MIN_TEAM, teamSizeOf } from "../reports/rollup.server";
import { currentScoreRun, refreshScoresInBackground, storedTeamRange } from "../recognition/scores-refresh.server";
import { nudgeEventKey } from "./nudge.server";

const DAY_MS = 86_400_000;

export interface TeamAssignment {
  id: string;
  personId: string;
  personName: string;
  personStatus: UserStatus;
  managerName: string | null;
  direct: boolean;
  courseId: string;
  courseTitle: string;
  cycle: string;
  reason: AssignmentReason;
  dueAt: string;
  completedAt: string | null;
  onTime: boolean | null;
  status: AssignmentStatus;
  /** Whole days past the due date (0 unless overdue). */
  daysOverdue: number;
  remindedToday: boolean;
}

/** Where a person stands overall: their most pressing assignment decides it. */
export type PersonState = "overdue" | "in_progress" | "not_started" | "up_to_date";

export interface TeamPerson {
  id: string;
  name: string;
  title: string | null;
  managerName: string | null;
  direct: boolean;
  onLeave: boolean;
  state: PersonState;
}

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

/** Assignments with what the pages show; callers scope them to the team. */
function assignmentColumns(db: Kysely<DB>) {
  return db
    .selectFrom("assignments as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .leftJoin("users as m", "m.id", "u.manager_id")
    .select((eb) => [
      "a.id",
      "a.user_id",
      "a.course_id",
      "a.cycle",
      "a.reason",
      "a.due_at",
      "a.completed_at",
      "a.exempted_at",
      "a.cancelled_at",
      "u.name as person_name",
      "u.status as person_status",
      "u.manager_id",
      "m.name as manager_name",
      eb.exists(eb.selectFrom("module_progress as p").select("p.module").whereRef("p.assignment_id", "=", "a.id")).as("started"),
      recordedTitle(eb),
    ]);
}

/** The viewer's team's assignments with what the pages show. */
function teamAssignmentQuery(db: Kysely<DB>, managerId: string) {
  return assignmentColumns(db).where("u.id", "in", teamIds(db, managerId));
}

type Row = Awaited<ReturnType<ReturnType<typeof assignmentColumns>["execute"]>>[number];

function toTeamAssignment(r: Row, managerId: string, catalog: Catalog, now: Date, reminded: Set<string>): TeamAssignment {
  const status = assignmentStatus({ ...r, started: Boolean(Number(r.started)) }, now);
  return {
    id: r.id,
    personId: r.user_id,
    personName: r.person_name,
    personStatus: r.person_status,
    managerName: r.manager_name,
    direct: r.manager_id === managerId,
    courseId: r.course_id,
    courseTitle: courseTitle(catalog, r.course_id, r.recorded_title),
    cycle: r.cycle,
    reason: r.reason,
    dueAt: r.due_at,
    completedAt: r.completed_at,
    onTime: completedOnTime(r),
    status,
    daysOverdue: status === "overdue" ? Math.floor((now.getTime() - Date.parse(r.due_at)) / DAY_MS) : 0,
    remindedToday: reminded.has(r.id),
  };
}

/** Which of these assignments already had a nudge today (UTC): the once-a-day limit, shown. */
async function remindedToday(db: Kysely<DB>, assignmentIds: string[], now: Date): Promise<Set<string>> {
  if (assignmentIds.length === 0) return new Set();
  const keys = assignmentIds.map((id) => nudgeEventKey(id, now));
  const found = new Set<string>();
  // In chunks: SQLite caps the number of bound parameters.
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await db
      .selectFrom("notifications")
      .select("assignment_id")
      .where("event_key", "in", keys.slice(i, i + 500))
      .execute();
    for (const r of rows) if (r.assignment_id) found.add(r.assignment_id);
  }
  return found;
}

const STATE_ORDER: Record<AssignmentStatus, number> = {
  overdue: 0,
  in_progress: 1,
  not_started: 2,
  completed: 3,
  exempt: 4,
  cancelled: 5,
};

/** Most urgent first: the longest overdue, then the soonest due, then the latest completed. */
function byUrgency(a: TeamAssignment, b: TeamAssignment) {
  const s = STATE_ORDER[a.status] - STATE_ORDER[b.status];
  if (s !== 0) return s;
  if (a.status === "completed" || a.status === "exempt" || a.status === "cancelled") {
    return (b.completedAt ?? b.dueAt).localeCompare(a.completedAt ?? a.dueAt) || a.personName.localeCompare(b.personName);
  }
  return a.dueAt.localeCompare(b.dueAt) || a.personName.localeCompare(b.personName);
}

export const TEAM_PAGE_SIZE = 50;

/** From this many people below a manager (not counting people who have left), the team pages read
 * the stored reporting tree and the reporting rollup instead of walking the whole tree live: the
 * same threshold as the rollup's per-manager scopes. */
export const TEAM_LARGE_FROM = SCOPE_MIN_TEAM;

/** One page of a list, and what its pager says ("X–Y of Z"). */
export interface TeamPage<T> {
  rows: T[];
  total: number;
  /** The page shown: the one asked for, or the last one when that was past the end. */
  page: number;
  pageCount: number;
  pageSize: number;
}

function placeOf(total: number, asked: number) {
  const pageCount = Math.max(1, Math.ceil(total / TEAM_PAGE_SIZE));
  const page = Math.min(Math.max(1, asked), pageCount);
  return { page, pageCount, pageSize: TEAM_PAGE_SIZE, offset: (page - 1) * TEAM_PAGE_SIZE };
}

function pageFrom<T>(all: T[], asked: number): TeamPage<T> {
  const { offset, ...place } = placeOf(all.length, asked);
  return { rows: all.slice(offset, offset + TEAM_PAGE_SIZE), total: all.length, ...place };
}

/** The pages the team page's address asks for (`?page=` for the assignments, `?peoplePage=`,
 * `?overduePage=`; the first page without). Anything but a whole number from 1 is a 400. */
export function teamPagesOr400(params: URLSearchParams): { page: number; peoplePage: number; overduePage: number } {
  return { page: pageNumberOr400(params), peoplePage: pageNumberOr400(params, "peoplePage"), overduePage: pageNumberOr400(params, "overduePage") };
}

/** A large team as its range of the stored reporting tree (person_scores, kept with the boards'
 * scores): everyone below the manager who had not left at the refresh is at (after, upTo]. */
interface StoredTeam {
  generation: number;
  asOf: string;
  after: number;
  upTo: number;
  /** People in the organisation at the refresh, to choose how to walk. */
  orgPeople: number;
}

/** The stored range for this manager's team when it has at least `largeFrom` people below, else
 * null: counted live (a small team, no stored tree yet, a manager new since the refresh, or a
 * loop in the reporting lines). Asks for a refresh in the background when the stored tree is
 * missing for a large team, or old. */
async function storedTeam(db: Kysely<DB>, { managerId, catalog, largeFrom, now }: { managerId: string; catalog: Catalog; largeFrom: number; now: Date }): Promise<StoredTeam | null> {
  const run = await currentScoreRun(db);
  if (!run) {
    const known = await teamSizeOf(db, await currentRun(db), managerId);
    if (known !== null && known >= largeFrom) refreshScoresInBackground(db, { catalog, now });
    return null;
  }
  if (isStale(run, now)) refreshScoresInBackground(db, { catalog, now });
  const range = await storedTeamRange(db, run, managerId);
  if (!range || range.size < largeFrom) return null;
  return { generation: run.generation, asOf: run.asOf, after: range.after, upTo: range.upTo, orgPeople: run.people };
}

/** "This person (the assignment's, `a.user_id`) is in the stored team": one look-up by key. */
function inStoredTeam(t: StoredTeam) {
  return sql<boolean>`exists (select 1 from person_scores s where s.generation = ${t.generation} and s.user_id = a.user_id and s.tree_position > ${t.after} and s.tree_position <= ${t.upTo})`;
}

/** The people of a stored team, in tree order. */
function storedMembers(db: Kysely<DB>, t: StoredTeam) {
  return db
    .selectFrom("person_scores as s")
    .where("s.generation", "=", t.generation)
    .where("s.tree_position", ">", t.after)
    .where("s.tree_position", "<=", t.upTo);
}

const PERSON_RANK: Record<PersonState, number> = { overdue: 0, in_progress: 1, not_started: 2, up_to_date: 3 };

/** A person's state from one of their assignments (null: it does not make them owe anything). */
function personStateOf(status: AssignmentStatus): PersonState | null {
  return status === "overdue" || status === "in_progress" || status === "not_started" ? status : null;
}

function teamPerson(
  p: { id: string; name: string; title: string | null; manager_name: string | null; manager_id: string | null; status: UserStatus },
  managerId: string,
  states: Map<string, PersonState>,
): TeamPerson {
  return { id: p.id, name: p.name, title: p.title, managerName: p.manager_name, direct: p.manager_id === managerId, onLeave: p.status === "leave", state: states.get(p.id) ?? "up_to_date" };
}

/** Where each of these people stands, from their open assignments. */
async function statesOf(db: Kysely<DB>, ids: string[], now: Date): Promise<Map<string, PersonState>> {
  const states = new Map<string, PersonState>(ids.map((id) => [id, "up_to_date"]));
  if (ids.length === 0) return states;
  const rows = await db
    .selectFrom("assignments as a")
    .select((eb) => ["a.user_id", "a.due_at", eb.exists(eb.selectFrom("module_progress as p").select("p.module").whereRef("p.assignment_id", "=", "a.id")).as("started")])
    .where("a.user_id", "in", ids)
    // By person (a few dozen rows each), never a walk of every open assignment.
    .where(sql<boolean>`${notAnIndex(db, "completed_at")} is null and ${notAnIndex(db, "exempted_at")} is null and ${notAnIndex(db, "cancelled_at")} is null`)
    .execute();
  for (const r of rows) {
    const s = personStateOf(assignmentStatus({ due_at: r.due_at, completed_at: null, exempted_at: null, cancelled_at: null, started: Boolean(Number(r.started)) }, now));
    const current = states.get(r.user_id)!;
    if (s && PERSON_RANK[s] < PERSON_RANK[current]) states.set(r.user_id, s);
  }
  return states;
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
    const s = personStateOf(a.status);
    const current = stateOf.get(a.personId);
    if (s && current && PERSON_RANK[s] < PERSON_RANK[current]) stateOf.set(a.personId, s);
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
  const leads = people
    .filter((p) => p.manager_id === managerId && Boolean(Number(p.is_lead)))
    .map((p) => ({ id: p.id, name: p.name, size: sizeBelow(p.id) }))
    .filter((l) => l.size > 0)
    .sort((a, b) => a.name.localeCompare(b.name));

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
  const leads = leadRows
    .map((l) => ({ id: l.id, name: l.name, size: Number(l.size ?? 0) }))
    .filter((l) => l.size > 0)
    .sort((a, b) => a.name.localeCompare(b.name));

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
    people: {
      rows: members.map((p) => teamPerson(p, managerId, states)),
      total: people,
      page: peoplePlace.page,
      pageCount: peoplePlace.pageCount,
      pageSize: peoplePlace.pageSize,
    },
    overdue: { rows: overdue, total: assignments.overdue, page: overduePlace.page, pageCount: overduePlace.pageCount, pageSize: overduePlace.pageSize },
    source: "stored",
    asOf: overview.asOf,
  };
}

/** The stored team's overdue assignments (of people who have not left) in due order: a walk of the
 * open assignments by due date when the team is most of the organisation, else from the team's
 * people (see rollup.server.ts on choosing where to start). */
function overdueWalk(db: Kysely<DB>, t: StoredTeam, now: Date) {
  const q = db.selectFrom("assignments as a").innerJoin("users as u", "u.id", "a.user_id").select("a.id").where("u.status", "<>", "inactive");
  const ordered = (x: typeof q) => x.orderBy("a.due_at").orderBy("a.id");
  if ((t.upTo - t.after) * 4 >= t.orgPeople) {
    return ordered(
      q.where("a.completed_at", "is", null).where("a.exempted_at", "is", null).where("a.cancelled_at", "is", null).where("a.due_at", "<", now.toISOString()).where(inStoredTeam(t)),
    );
  }
  return ordered(
    q
      .where("a.user_id", "in", storedMembers(db, t).select("s.user_id"))
      .where(sql<boolean>`${notAnIndex(db, "completed_at")} is null and ${notAnIndex(db, "exempted_at")} is null and ${notAnIndex(db, "cancelled_at")} is null and ${notAnIndex(db, "due_at")} < ${now.toISOString()}`),
  );
}

/** Assignments of the team by id, in the order given, as the pages show them. */
async function assignmentsById(db: Kysely<DB>, { managerId, catalog, ids }: { managerId: string; catalog: Catalog; ids: string[] }, now: Date): Promise<TeamAssignment[]> {
  if (ids.length === 0) return [];
  const rows = await assignmentColumns(db).where("a.id", "in", ids).execute();
  const reminded = await remindedToday(db, ids, now);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    return r ? [toTeamAssignment(r, managerId, catalog, now, reminded)] : [];
  });
}

export interface TeamAssignmentsInput {
  managerId: string;
  filters: AssignmentFilters;
  catalog: Catalog;
  page?: number;
  largeFrom?: number;
}

export interface TeamAssignmentsPage extends TeamPage<TeamAssignment> {
  /** False for a large team with no filters: listing millions is no use; the page asks for a
   * filter and shows only the total. */
  listed: boolean;
  /** The total is the rollup's count as of its refresh (a large team), not counted now. */
  approximate: boolean;
  /** How the rows are ordered: most urgent first, or (a large team's non-overdue filters)
   * newest first. */
  order: "urgency" | "newest";
}

type AssignmentQuery<O> = SelectQueryBuilder<DB & { a: DB["assignments"]; u: DB["users"] }, "a" | "u", O>;

/** byUrgency in SQL: the status's place (most urgent first), then open ones by due date and closed
 * ones latest first, then the person's name. */
function inUrgencyOrder<O>(q: AssignmentQuery<O>, nowIso: string): AssignmentQuery<O> {
  return q
    .orderBy(
      sql`case when a.cancelled_at is not null then 5 when a.exempted_at is not null then 4 when a.completed_at is not null then 3 when a.due_at < ${nowIso} then 0 when exists (select 1 from module_progress p where p.assignment_id = a.id) then 1 else 2 end`,
    )
    .orderBy(sql`case when a.completed_at is null and a.exempted_at is null and a.cancelled_at is null then a.due_at end`)
    .orderBy(sql`coalesce(a.completed_at, a.due_at)`, "desc")
    .orderBy("u.name")
    .orderBy("a.id");
}

/** A page of the team's assignments with HR's filters, most urgent first, scoped to the manager's
 * tree whatever they say (a sub-team filter must already be known to be in it). Cancelled cycles
 * and people who have left are only listed when asked for. */
export async function teamAssignments(db: Kysely<DB>, input: TeamAssignmentsInput, now: Date): Promise<TeamAssignmentsPage> {
  const { managerId, filters, catalog, page = 1, largeFrom = TEAM_LARGE_FROM } = input;
  const nowIso = now.toISOString();
  const withCancelled = filters.status === "cancelled";
  // A sub-team filter narrows the scope to that lead's own tree.
  const stored = await storedTeam(db, { managerId: filters.manager ?? managerId, catalog, largeFrom, now });
  if (!stored) {
    // The team's assignments by person first, then each by its key: SQLite takes CROSS JOIN as the
    // order to join in, so it cannot start from a walk of every open assignment instead.
    const ofTeam = db.selectFrom("assignments as t").select("t.id").where("t.user_id", "in", teamIds(db, managerId));
    const base = db.selectFrom(ofTeam.as("t")).crossJoin("assignments as a").innerJoin("users as u", "u.id", "a.user_id").whereRef("a.id", "=", "t.id");
    let q = applyAssignmentFilters(db, base, filters, now);
    if (!withCancelled) q = q.where("a.cancelled_at", "is", null).where("u.status", "<>", "inactive");
    const counted = await q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst();
    const { offset, ...place } = placeOf(Number(counted?.n ?? 0), page);
    const rows = await inUrgencyOrder(q.select("a.id"), nowIso)
      .limit(TEAM_PAGE_SIZE)
      .offset(offset)
      .execute();
    const shown = await assignmentsById(db, { managerId, catalog, ids: rows.map((r) => r.id) }, now);
    return { rows: shown, total: Number(counted?.n ?? 0), ...place, listed: true, approximate: false, order: "urgency" };
  }
  // A large team: the count from the rollup, as HR's dashboard counts it.
  const overview = await getOverview(db, { filters: { ...filters, manager: filters.manager ?? managerId }, now });
  const total = withCancelled ? overview.totals.cancelled : overview.totals.assigned;
  const { offset, ...place } = placeOf(total, page);
  const { manager: _sub, status, ...rest } = filters;
  const narrowed = Object.values(rest).some((v) => v !== undefined);
  if (!status && !narrowed) return { rows: [], total, ...place, listed: false, approximate: true, order: "urgency" };
  let ids: Array<{ id: string }>;
  if (status === "overdue") {
    let q = overdueWalk(db, stored, now);
    q = applyAssignmentFilters(db, q, { department: rest.department, type: rest.type }, now);
    if (rest.course) q = q.where(sql<boolean>`${notAnIndex(db, "course_id")} = ${rest.course}`);
    if (rest.cycle) q = q.where(sql<boolean>`${notAnIndex(db, "cycle")} = ${rest.cycle}`);
    ids = await q.limit(TEAM_PAGE_SIZE).offset(offset).execute();
  } else {
    // Any other filter: newest first, walking the assignments backwards by key (CROSS JOIN keeps
    // SQLite from starting anywhere else) and stopping once the page is full. Sorting a large
    // team's matches by urgency took seconds at 100,000 people; the urgent ones, the overdue,
    // have their own walk above.
    const walk = db.selectFrom("assignments as a").crossJoin("users as u").whereRef("u.id", "=", "a.user_id").select("a.id").where(inStoredTeam(stored));
    let q = applyAssignmentFilters(db, walk, { department: rest.department, type: rest.type }, now);
    if (rest.course) q = q.where(sql<boolean>`${notAnIndex(db, "course_id")} = ${rest.course}`);
    if (rest.cycle) q = q.where(sql<boolean>`${notAnIndex(db, "cycle")} = ${rest.cycle}`);
    if (status) q = applyAssignmentFilters(db, q, { status }, now);
    if (!withCancelled) q = q.where(sql<boolean>`${notAnIndex(db, "cancelled_at")} is null`).where("u.status", "<>", "inactive");
    ids = await (dialectOf(db) === "sqlite" ? q.orderBy(sql`a.rowid`, "desc") : q.orderBy("a.id", "desc")).limit(TEAM_PAGE_SIZE).offset(offset).execute();
  }
  const shown = await assignmentsById(db, { managerId, catalog, ids: ids.map((r) => r.id) }, now);
  return { rows: shown, total, ...place, listed: true, approximate: true, order: status === "overdue" ? "urgency" : "newest" };
}

const MAX_DATED_CYCLE_OPTIONS = 100;

/** What the filter form offers: only values from the viewer's own tree. A large team's come from
 * the rollup's small tables (its scope), as HR's do; sub-teams are then the direct reports' own. */
export async function teamFilterOptions(db: Kysely<DB>, { managerId, catalog, largeFrom = TEAM_LARGE_FROM }: { managerId: string; catalog: Catalog; largeFrom?: number }) {
  const run = await currentRun(db);
  const size = run ? await db.selectFrom("report_managers").select(["team_size", "scoped"]).where("generation", "=", run.generation).where("manager_id", "=", managerId).executeTakeFirst() : undefined;
  const scoped = size !== undefined && Number(size.scoped) === 1 && Number(size.team_size) >= largeFrom;
  const titled = (ids: string[]) => ids.map((id) => ({ id, title: courseTitle(catalog, id) })).sort((a, b) => a.title.localeCompare(b.title));
  if (run && scoped) {
    const g = run.generation;
    const [departments, leads, courses, series] = await Promise.all([
      db.selectFrom("report_rollup").select("department").distinct().where("generation", "=", g).where("scope", "=", managerId).where("department", "<>", "").orderBy("department").execute(),
      db
        .selectFrom("users as u")
        .select(["u.id", "u.name"])
        .where("u.manager_id", "=", managerId)
        .where((eb) => eb.exists(eb.selectFrom("users as r").select("r.id").whereRef("r.manager_id", "=", "u.id")))
        .orderBy("u.name")
        .execute(),
      db.selectFrom("report_rollup").select("course_id").distinct().where("generation", "=", g).where("scope", "=", managerId).execute(),
      db.selectFrom("report_rollup").select("series").distinct().where("generation", "=", g).where("scope", "=", managerId).orderBy("series").execute(),
    ]);
    // Dated cycles (one per renewal date) are counted by series in the rollup: offer the team's
    // undated cycles, and the organisation's most recent dated ones of the team's series.
    const datedSeries = series.map((s) => s.series).filter(isSeriesOfMany);
    const dated = datedSeries.length
      ? await db
          .selectFrom("report_cycles")
          .select("cycle")
          .distinct()
          .where("generation", "=", g)
          .where("series", "in", datedSeries)
          .orderBy("cycle", "desc")
          .limit(MAX_DATED_CYCLE_OPTIONS)
          .execute()
      : [];
    return {
      departments: departments.map((d) => d.department),
      leads,
      courses: titled(courses.map((c) => c.course_id)),
      cycles: [...series.map((s) => s.series).filter((s) => !isSeriesOfMany(s)), ...dated.map((c) => c.cycle).sort()],
    };
  }
  const [departments, leads, courses, cycles] = await Promise.all([
    db
      .selectFrom("users")
      .select("department")
      .distinct()
      .where("id", "in", teamIds(db, managerId))
      .where("department", "is not", null)
      .orderBy("department")
      .execute(),
    db
      .selectFrom("users as u")
      .select(["u.id", "u.name"])
      .where("u.id", "in", teamIds(db, managerId))
      .where((eb) => eb.exists(eb.selectFrom("users as r").select("r.id").whereRef("r.manager_id", "=", "u.id")))
      .orderBy("u.name")
      .execute(),
    db.selectFrom("assignments").select("course_id").distinct().where("user_id", "in", teamIds(db, managerId)).execute(),
    db.selectFrom("assignments").select("cycle").distinct().where("user_id", "in", teamIds(db, managerId)).orderBy("cycle").execute(),
  ]);
  return {
    departments: departments.map((d) => d.department!).filter(Boolean),
    leads,
    courses: titled(courses.map((c) => c.course_id)),
    cycles: cycles.map((c) => c.cycle),
  };
}

/** Is this person somewhere below the manager? A filter naming a sub-team outside the tree is a
 * URL the manager may not use. */
export async function isTeamMember(db: Kysely<DB>, { managerId, personId }: { managerId: string; personId: string }) {
  // Walking up from the person: a few rows, however large the team.
  return (await membersOf(db, managerId, [personId])).has(personId);
}

export interface TeamMemberAssignment extends TeamAssignment {
  attempts: number;
  bestScore: number | null;
  passed: boolean;
  firstAttemptPassed: boolean | null;
}

export interface TeamMember {
  id: string;
  name: string;
  email: string;
  title: string | null;
  department: string | null;
  type: string;
  status: UserStatus;
  startDate: string;
  managerName: string | null;
  direct: boolean;
  assignments: TeamMemberAssignment[];
}

/** One person below the manager, with their course results: status, dates, attempts and best
 * score. Never the answers. Null for anyone outside the tree. */
export async function getTeamMember(
  db: Kysely<DB>,
  { managerId, personId, catalog }: { managerId: string; personId: string; catalog: Catalog },
  now: Date,
): Promise<TeamMember | null> {
  const person = await db
    .selectFrom("users as u")
    .leftJoin("users as m", "m.id", "u.manager_id")
    .select(["u.id", "u.name", "u.email", "u.title", "u.department", "u.type", "u.status", "u.start_date", "u.manager_id", "m.name as manager_name"])
    .where("u.id", "=", personId)
    .executeTakeFirst();
  if (!person || !(await isTeamMember(db, { managerId, personId }))) return null;
  const rows = await assignmentColumns(db)
    .select((eb) => [
      eb
        .selectFrom("quiz_attempts as q")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("q.assignment_id", "=", "a.id")
        .as("attempts"),
      eb
        .selectFrom("quiz_attempts as q")
        .select((e) => e.fn.max("q.score").as("best"))
        .whereRef("q.assignment_id", "=", "a.id")
        .as("best_score"),
      eb
        .selectFrom("quiz_attempts as q")
        .select((e) => e.fn.max("q.passed").as("any"))
        .whereRef("q.assignment_id", "=", "a.id")
        .as("passed"),
      eb
        .selectFrom("quiz_attempts as q")
        .select("q.passed")
        .whereRef("q.assignment_id", "=", "a.id")
        .orderBy("q.submitted_at", "asc")
        // Two attempts recorded at the same instant: the failed one came first (nobody retakes a
        // quiz they have passed), so a tie never turns a retry into a first-time pass.
        .orderBy("q.passed", "asc")
        .orderBy("q.id", "asc")
        .limit(1)
        .as("first_passed"),
    ])
    .where("u.id", "=", personId)
    .orderBy("a.assigned_at", "desc")
    .execute();
  const reminded = await remindedToday(
    db,
    rows.filter((r) => !r.completed_at && !r.exempted_at && !r.cancelled_at).map((r) => r.id),
    now,
  );
  return {
    id: person.id,
    name: person.name,
    email: person.email,
    title: person.title,
    department: person.department,
    type: person.type,
    status: person.status,
    startDate: person.start_date,
    managerName: person.manager_name,
    direct: person.manager_id === managerId,
    assignments: rows.map((r) => ({
      ...toTeamAssignment(r, managerId, catalog, now, reminded),
      attempts: Number(r.attempts ?? 0),
      bestScore: r.best_score === null || r.best_score === undefined ? null : Number(r.best_score),
      passed: Number(r.passed ?? 0) === 1,
      firstAttemptPassed: r.first_passed === null || r.first_passed === undefined ? null : Number(r.first_passed) === 1,
    })),
  };
}
