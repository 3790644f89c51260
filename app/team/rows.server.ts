// What the team pages list, and how a team is found: a manager's team is everyone below them,
// walked live through the reporting tree or, for a large team, read as its range of the stored
// tree (person_scores). Every query is scoped by that team in its WHERE clause, so a person
// outside it is never read, whatever the URL or filters say. Managers see course results
// (status, dates, scores), never individual quiz answers.
import { sql, type Kysely } from "kysely";
import type { AssignmentReason, DB, UserStatus } from "../../db/schema";
import type { Catalog } from "../courses/catalog.server";
import { assignmentStatus, completedOnTime, type AssignmentStatus } from "../assignments/status";
import { isStale } from "../jobs/generations.server";
import { teamIds } from "../people/org.server";
import { SCOPE_MIN_TEAM } from "../people/tree.server";
import { currentRun, notAnIndex, teamSizeOf } from "../reports/rollup.server";
import { currentScoreRun, refreshScoresInBackground, storedTeamRange } from "../recognition/scores-refresh.server";
import { nudgeEventKey } from "./nudge.server";
import { courseTitle, recordedTitle } from "../courses/titles.server";

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

/** Assignments with what the pages show; callers scope them to the team. */
export function assignmentColumns(db: Kysely<DB>) {
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
export function teamAssignmentQuery(db: Kysely<DB>, managerId: string) {
  return assignmentColumns(db).where("u.id", "in", teamIds(db, managerId));
}

type Row = Awaited<ReturnType<ReturnType<typeof assignmentColumns>["execute"]>>[number];

export function toTeamAssignment(r: Row, managerId: string, catalog: Catalog, now: Date, reminded: Set<string>): TeamAssignment {
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
export async function remindedToday(db: Kysely<DB>, assignmentIds: string[], now: Date): Promise<Set<string>> {
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

export const STATE_ORDER: Record<AssignmentStatus, number> = {
  overdue: 0,
  in_progress: 1,
  not_started: 2,
  completed: 3,
  exempt: 4,
  cancelled: 5,
};

/** Most urgent first: the longest overdue, then the soonest due, then the latest completed. */
export function byUrgency(a: TeamAssignment, b: TeamAssignment) {
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

export function placeOf(total: number, asked: number) {
  const pageCount = Math.max(1, Math.ceil(total / TEAM_PAGE_SIZE));
  const page = Math.min(Math.max(1, asked), pageCount);
  return { page, pageCount, pageSize: TEAM_PAGE_SIZE, offset: (page - 1) * TEAM_PAGE_SIZE };
}

export function pageFrom<T>(all: T[], asked: number): TeamPage<T> {
  const place = placeOf(all.length, asked);
  return pageOf(all.slice(place.offset, place.offset + TEAM_PAGE_SIZE), all.length, place);
}

/** The rows of one page, with where it is among `total`. */
export function pageOf<T>(rows: T[], total: number, { page, pageCount, pageSize }: Omit<TeamPage<T>, "rows" | "total">): TeamPage<T> {
  return { rows, total, page, pageCount, pageSize };
}

/** A large team as its range of the stored reporting tree (person_scores, kept with the boards'
 * scores): everyone below the manager who had not left at the refresh is at (after, upTo]. */
export interface StoredTeam {
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
export async function storedTeam(db: Kysely<DB>, { managerId, catalog, largeFrom, now }: { managerId: string; catalog: Catalog; largeFrom: number; now: Date }): Promise<StoredTeam | null> {
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
export function inStoredTeam(t: StoredTeam) {
  return sql<boolean>`exists (select 1 from person_scores s where s.generation = ${t.generation} and s.user_id = a.user_id and s.tree_position > ${t.after} and s.tree_position <= ${t.upTo})`;
}

/** The people of a stored team, in tree order. */
export function storedMembers(db: Kysely<DB>, t: StoredTeam) {
  return db
    .selectFrom("person_scores as s")
    .where("s.generation", "=", t.generation)
    .where("s.tree_position", ">", t.after)
    .where("s.tree_position", "<=", t.upTo);
}

export const PERSON_RANK: Record<PersonState, number> = { overdue: 0, in_progress: 1, not_started: 2, up_to_date: 3 };

/** A person's state from one of their assignments (null: it does not make them owe anything). */
export function personStateOf(status: AssignmentStatus): PersonState | null {
  return status === "overdue" || status === "in_progress" || status === "not_started" ? status : null;
}

export function teamPerson(
  p: { id: string; name: string; title: string | null; manager_name: string | null; manager_id: string | null; status: UserStatus },
  managerId: string,
  states: Map<string, PersonState>,
): TeamPerson {
  return { id: p.id, name: p.name, title: p.title, managerName: p.manager_name, direct: p.manager_id === managerId, onLeave: p.status === "leave", state: states.get(p.id) ?? "up_to_date" };
}

/** Where each of these people stands, from their open assignments. */
export async function statesOf(db: Kysely<DB>, ids: string[], now: Date): Promise<Map<string, PersonState>> {
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
    raiseState(states, r.user_id, assignmentStatus({ due_at: r.due_at, completed_at: null, exempted_at: null, cancelled_at: null, started: Boolean(Number(r.started)) }, now));
  }
  return states;
}

/** Makes a person's state the more pressing of what it is and what this assignment of theirs
 * says; people not in `states` are left out. */
export function raiseState(states: Map<string, PersonState>, personId: string, status: AssignmentStatus): void {
  const s = personStateOf(status);
  const current = states.get(personId);
  if (s && current && PERSON_RANK[s] < PERSON_RANK[current]) states.set(personId, s);
}

/** The stored team's overdue assignments (of people who have not left) in due order: a walk of the
 * open assignments by due date when the team is most of the organisation, else from the team's
 * people (see rollup.server.ts on choosing where to start). */
export function overdueWalk(db: Kysely<DB>, t: StoredTeam, now: Date) {
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
export async function assignmentsById(db: Kysely<DB>, { managerId, catalog, ids }: { managerId: string; catalog: Catalog; ids: string[] }, now: Date): Promise<TeamAssignment[]> {
  if (ids.length === 0) return [];
  const rows = await assignmentColumns(db).where("a.id", "in", ids).execute();
  const reminded = await remindedToday(db, ids, now);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    return r ? [toTeamAssignment(r, managerId, catalog, now, reminded)] : [];
  });
}
