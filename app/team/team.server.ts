// "My team": a manager's view of everyone below them (direct and indirect reports) and where each
// person stands. Every query is scoped by the manager's tree in its WHERE clause, so a person
// outside it is never read, whatever the URL or filters say. Managers see course results (status,
// dates, scores), never individual quiz answers. The overview is in overview.server.ts, what the
// pages list and how a team is found in rows.server.ts.
import { sql, type Kysely, type SelectQueryBuilder } from "kysely";
import { dialectOf } from "../../db/connection";
import type { DB, UserStatus } from "../../db/schema";
import type { Catalog } from "../courses/catalog.server";
import { applyAssignmentFilters, type AssignmentFilters } from "../reports/filters.server";
import { membersOf, teamIds } from "../people/org.server";
import { courseTitle } from "../courses/titles.server";
import { statusCase } from "../assignments/status-sql.server";
import { getOverview } from "../reports/overview.server";
import { currentRun, isSeriesOfMany, notAnIndex } from "../reports/rollup.server";
import {
  assignmentColumns, assignmentsById, inStoredTeam, overdueWalk, placeOf, remindedToday, storedTeam, TEAM_LARGE_FROM,
  STATE_ORDER, TEAM_PAGE_SIZE, toTeamAssignment, type TeamAssignment, type TeamPage,
} from "./rows.server";

export { teamOverview, type AssignmentCounts, type TeamOverview, type TeamOverviewInput, type TeamSummary } from "./overview.server";
export { TEAM_LARGE_FROM, TEAM_PAGE_SIZE, type PersonState, type TeamAssignment, type TeamPage, type TeamPerson } from "./rows.server";

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
      statusCase(nowIso, STATE_ORDER),
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
