// The top-compliers boards: a manager's (everyone below them), HR's (everyone), and a person's own
// standing. Records are read scoped to who asks (the team's ids in the WHERE clause), scored by
// the pure rules in score.ts, and ranked. People who opted out are left off every board but still
// count in HR's statistics; a person only ever learns their own score and rank.
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import type { Catalog } from "../courses/catalog.server";
import { teamIds } from "../people/org.server";
import { autoBadges, rankByScore, scorePerson, type AutoBadge, type CycleRecord, type Score } from "./score";

/** Whose records: everyone below `team` (at any depth), only `person`, both (one person, if they
 * are in that team), or — with neither — the whole organisation. */
interface Scope {
  team?: string;
  person?: string;
}

interface ScoredPerson {
  id: string;
  name: string;
  title: string | null;
  department: string | null;
  managerName: string | null;
  optedOut: boolean;
  score: Score;
}

/** Whether a course's cycles come round every year (or more often): "years on time" counts those. */
function isYearly(catalog: Catalog, courseId: string): boolean {
  const r = catalog.courses.get(courseId)?.meta.recurrence;
  if (!r) return false;
  return r.kind === "anniversary" || (r.kind === "rolling" && r.months <= 12);
}

async function scoredPeople(db: Kysely<DB>, scope: Scope, catalog: Catalog, now: Date): Promise<ScoredPerson[]> {
  // Departed people are history, not competitors.
  let peopleQuery = db
    .selectFrom("users as u")
    .leftJoin("users as m", "m.id", "u.manager_id")
    .select(["u.id", "u.name", "u.title", "u.department", "u.status", "u.board_opt_out", "m.name as manager_name"])
    .where("u.status", "<>", "inactive");
  if (scope.team) peopleQuery = peopleQuery.where("u.id", "in", teamIds(db, scope.team));
  if (scope.person) peopleQuery = peopleQuery.where("u.id", "=", scope.person);
  const people = await peopleQuery.execute();
  if (people.length === 0) return [];

  let cycleQuery = db
    .selectFrom("assignments as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .select((eb) => [
      "a.id",
      "a.user_id",
      "a.course_id",
      "a.due_at",
      "a.completed_at",
      "a.exempted_at",
      "a.cancelled_at",
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
    .where("u.status", "<>", "inactive");
  if (scope.team) cycleQuery = cycleQuery.where("u.id", "in", teamIds(db, scope.team));
  if (scope.person) cycleQuery = cycleQuery.where("u.id", "=", scope.person);
  const rows = await cycleQuery.execute();

  const cyclesOf = new Map<string, CycleRecord[]>();
  for (const r of rows) {
    const list = cyclesOf.get(r.user_id) ?? [];
    list.push({
      id: r.id,
      dueAt: r.due_at,
      completedAt: r.completed_at,
      exemptedAt: r.exempted_at,
      cancelledAt: r.cancelled_at,
      firstAttemptPassed: r.first_passed === null || r.first_passed === undefined ? null : Number(r.first_passed) === 1,
      yearly: isYearly(catalog, r.course_id),
    });
    cyclesOf.set(r.user_id, list);
  }
  return people.map((p) => ({
    id: p.id,
    name: p.name,
    title: p.title,
    department: p.department,
    managerName: p.manager_name,
    optedOut: Number(p.board_opt_out) === 1,
    score: scorePerson({ onLeave: p.status === "leave", cycles: cyclesOf.get(p.id) ?? [] }, now),
  }));
}

export interface BoardRow {
  id: string;
  name: string;
  title: string | null;
  department: string | null;
  managerName: string | null;
  rank: number;
  score: number;
  average: number;
  streak: number;
  streakBonus: number;
  counted: number;
  onTime: number;
  firstTry: number;
  badges: AutoBadge[];
}

function board(people: ScoredPerson[]): BoardRow[] {
  const shown = people.filter((p) => p.score.ranked && !p.optedOut).map((p) => ({ ...p, score: p.score.score, detail: p.score }));
  return rankByScore(shown).map(({ rank, entry }) => ({
    id: entry.id,
    name: entry.name,
    title: entry.title,
    department: entry.department,
    managerName: entry.managerName,
    rank,
    score: entry.detail.score,
    average: entry.detail.average,
    streak: entry.detail.streak,
    streakBonus: entry.detail.streakBonus,
    counted: entry.detail.counted,
    onTime: entry.detail.onTime,
    firstTry: entry.detail.firstTry,
    badges: autoBadges(entry.detail),
  }));
}

/** A manager's board: everyone below them, at any depth, who has completed a course and has not
 * opted out. */
export async function teamBoard(db: Kysely<DB>, { managerId, catalog }: { managerId: string; catalog: Catalog }, now: Date) {
  const people = await scoredPeople(db, { team: managerId }, catalog, now);
  return { rows: board(people), teamSize: people.length };
}

export interface OrgStats {
  /** Active people (and people on leave). */
  people: number;
  /** …of whom have completed at least one course: these have a score. */
  scored: number;
  /** Scored people who asked not to be shown on boards; they are in every figure here. */
  optedOut: number;
  averageScore: number | null;
  completedCycles: number;
  onTimeCycles: number;
  firstTryCycles: number;
  overdueCycles: number;
}

/** HR's board: the whole organisation, plus the figures that count everyone (opted out or not). */
export async function orgBoard(db: Kysely<DB>, { catalog }: { catalog: Catalog }, now: Date) {
  const people = await scoredPeople(db, {}, catalog, now);
  const scored = people.filter((p) => p.score.ranked);
  const sum = (f: (s: Score) => number) => people.reduce((n, p) => n + f(p.score), 0);
  const stats: OrgStats = {
    people: people.length,
    scored: scored.length,
    optedOut: scored.filter((p) => p.optedOut).length,
    averageScore: scored.length ? Math.round((scored.reduce((n, p) => n + p.score.score, 0) / scored.length) * 10) / 10 : null,
    completedCycles: sum((s) => s.completed),
    onTimeCycles: sum((s) => s.onTime),
    firstTryCycles: sum((s) => s.firstTry),
    overdueCycles: sum((s) => s.overdue),
  };
  return { rows: board(people), stats };
}

export interface Standing {
  score: Score;
  badges: AutoBadge[];
  optedOut: boolean;
  /** Their place on their manager's team board; null when not on one (no manager, opted out, or
   * nothing completed yet). */
  rank: number | null;
  of: number;
  managerName: string | null;
}

/** The viewer's own score, badges and place — and nothing about anyone else's score. */
export async function myStanding(
  db: Kysely<DB>,
  { viewer, catalog }: { viewer: { id: string; manager_id: string | null }; catalog: Catalog },
  now: Date,
): Promise<Standing | null> {
  const [me] = await scoredPeople(db, { person: viewer.id }, catalog, now);
  if (!me) return null;
  const result: Standing = {
    score: me.score,
    badges: autoBadges(me.score),
    optedOut: me.optedOut,
    rank: null,
    of: 0,
    managerName: me.managerName,
  };
  if (viewer.manager_id && !me.optedOut && me.score.ranked) {
    const rows = board(await scoredPeople(db, { team: viewer.manager_id }, catalog, now));
    result.rank = rows.find((r) => r.id === viewer.id)?.rank ?? null;
    result.of = rows.length;
  }
  return result;
}

/** Score and badges of one person below `managerId`; null for anyone outside that tree. */
export async function teamMemberScore(
  db: Kysely<DB>,
  { managerId, personId, catalog }: { managerId: string; personId: string; catalog: Catalog },
  now: Date,
) {
  const [p] = await scoredPeople(db, { team: managerId, person: personId }, catalog, now);
  return p ? { score: p.score, badges: autoBadges(p.score) } : null;
}
