// "My team": a manager's view of everyone below them (direct and indirect reports) and where each
// person stands. Every query is scoped by the manager's tree in its WHERE clause, so a person
// outside it is never read, whatever the URL or filters say. Managers see course results (status,
// dates, scores), never individual quiz answers.
import type { Kysely } from "kysely";
import type { AssignmentReason, DB, UserStatus } from "../../db/schema";
import type { Catalog } from "../courses/catalog.server";
import { assignmentStatus, completedOnTime, type AssignmentStatus } from "../assignments/status";
import { applyAssignmentFilters, type AssignmentFilters } from "../reports/filters.server";
import { teamIds } from "../people/org.server";
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
  byState: Record<PersonState, number>;
  overdueAssignments: number;
}

function courseTitleOf(catalog: Catalog, courseId: string, recorded: string | null) {
  return catalog.courses.get(courseId)?.meta.title ?? recorded ?? courseId;
}

/** The base query: the viewer's team's assignments with what the pages show. */
function teamAssignmentQuery(db: Kysely<DB>, managerId: string) {
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
      eb
        .selectFrom("course_versions as v")
        .select("v.title")
        .whereRef("v.course_id", "=", "a.course_id")
        .orderBy("v.recorded_at", "desc")
        .limit(1)
        .as("recorded_title"),
    ])
    .where("u.id", "in", teamIds(db, managerId));
}

type Row = Awaited<ReturnType<ReturnType<typeof teamAssignmentQuery>["execute"]>>[number];

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
    courseTitle: courseTitleOf(catalog, r.course_id, r.recorded_title),
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

/** The team at a glance, and the overdue assignments to chase. Unaffected by the filters, so the
 * headline figures always describe the whole team. */
export async function teamOverview(
  db: Kysely<DB>,
  { managerId, catalog }: { managerId: string; catalog: Catalog },
  now: Date,
): Promise<{ summary: TeamSummary; overdue: TeamAssignment[]; people: TeamPerson[] }> {
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
  const rankOf: Record<PersonState, number> = {
    overdue: 0,
    in_progress: 1,
    not_started: 2,
    up_to_date: 3,
  };
  for (const p of people) stateOf.set(p.id, "up_to_date");
  for (const a of all) {
    const s: PersonState | null =
      a.status === "overdue" ? "overdue" : a.status === "in_progress" ? "in_progress" : a.status === "not_started" ? "not_started" : null;
    const current = stateOf.get(a.personId);
    if (s && current && rankOf[s] < rankOf[current]) stateOf.set(a.personId, s);
  }
  const byState: Record<PersonState, number> = {
    overdue: 0,
    in_progress: 0,
    not_started: 0,
    up_to_date: 0,
  };
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
      overdueAssignments: all.filter((a) => a.status === "overdue").length,
    },
    overdue: all.filter((a) => a.status === "overdue").sort(byUrgency),
    people: people
      .map((p) => ({
        id: p.id,
        name: p.name,
        title: p.title,
        managerName: p.manager_name,
        direct: p.manager_id === managerId,
        onLeave: p.status === "leave",
        state: stateOf.get(p.id) ?? "up_to_date",
      }))
      .sort((a, b) => rankOf[a.state] - rankOf[b.state] || a.name.localeCompare(b.name)),
  };
}

/** The team's assignments with HR's filters, scoped to the manager's tree whatever they say.
 * Cancelled cycles and people who have left are only listed when asked for. */
export async function teamAssignments(
  db: Kysely<DB>,
  { managerId, filters, catalog }: { managerId: string; filters: AssignmentFilters; catalog: Catalog },
  now: Date,
): Promise<TeamAssignment[]> {
  let q = applyAssignmentFilters(db, teamAssignmentQuery(db, managerId), filters, now, managerId);
  if (filters.status !== "cancelled") q = q.where("a.cancelled_at", "is", null).where("u.status", "<>", "inactive");
  const rows = await q.limit(2000).execute();
  const openIds = rows.filter((r) => !r.completed_at && !r.exempted_at && !r.cancelled_at).map((r) => r.id);
  const reminded = await remindedToday(db, openIds, now);
  return rows.map((r) => toTeamAssignment(r, managerId, catalog, now, reminded)).sort(byUrgency);
}

/** What the filter form offers: only values from the viewer's own tree. */
export async function teamFilterOptions(db: Kysely<DB>, { managerId, catalog }: { managerId: string; catalog: Catalog }) {
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
    courses: courses
      .map((c) => ({
        id: c.course_id,
        title: courseTitleOf(catalog, c.course_id, null),
      }))
      .sort((a, b) => a.title.localeCompare(b.title)),
    cycles: cycles.map((c) => c.cycle),
  };
}

/** Is this person somewhere below the manager? A filter naming a sub-team outside the tree is a
 * URL the manager may not use. */
export async function isTeamMember(db: Kysely<DB>, { managerId, personId }: { managerId: string; personId: string }) {
  const row = await db.selectFrom("users").select("id").where("id", "=", personId).where("id", "in", teamIds(db, managerId)).executeTakeFirst();
  return Boolean(row);
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
    .where("u.id", "in", teamIds(db, managerId))
    .executeTakeFirst();
  if (!person) return null;
  const rows = await teamAssignmentQuery(db, managerId)
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
