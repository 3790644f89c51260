// People's records as the score sees them, read scoped to who asks (a team's ids in the WHERE
// clause, one person, or a slice of the organisation for the background refresh), and scored by
// the pure rules in score.ts. Shared by the live boards (board.server.ts) and the refresh of the
// stored scores (scores-refresh.server.ts), so both count the same way.
import type { Kysely } from "kysely";
import { readAll } from "../../db/connection";
import type { DB } from "../../db/schema";
import type { Catalog } from "../courses/catalog.server";
import { teamIds } from "../people/org.server";
import { scorePerson, type CycleRecord, type Score } from "./score";

/** Whose records: everyone below `team` (at any depth), only `person`, both (one person, if they
 * are in that team), people whose ids are in (`after`, `upTo`], or — with none — the whole
 * organisation. */
export interface Scope {
  team?: string;
  person?: string;
  ids?: { after: string; upTo: string };
}

export interface ScoredPerson {
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

export async function scoredPeople(db: Kysely<DB>, scope: Scope, catalog: Catalog, now: Date): Promise<ScoredPerson[]> {
  // Departed people are history, not competitors.
  let peopleQuery = db
    .selectFrom("users as u")
    .leftJoin("users as m", "m.id", "u.manager_id")
    .select(["u.id", "u.name", "u.title", "u.department", "u.status", "u.board_opt_out", "m.name as manager_name"])
    .where("u.status", "<>", "inactive");
  if (scope.team) peopleQuery = peopleQuery.where("u.id", "in", teamIds(db, scope.team));
  if (scope.person) peopleQuery = peopleQuery.where("u.id", "=", scope.person);
  if (scope.ids) peopleQuery = peopleQuery.where("u.id", ">", scope.ids.after).where("u.id", "<=", scope.ids.upTo);
  const people = await readAll(db, peopleQuery);
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
  if (scope.ids) cycleQuery = cycleQuery.where("a.user_id", ">", scope.ids.after).where("a.user_id", "<=", scope.ids.upTo);
  const rows = await readAll(db, cycleQuery);

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

/** A score in tenths: the score has one decimal, and tenths compare exactly. */
export function tenths(n: number): number {
  return Math.round(n * 10);
}
