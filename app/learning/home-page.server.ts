// "My training", the home page: the viewer's current assignments and their history, their own
// standing (never anyone else's score) and the kudos they received.
import type { Db } from "../../db/connection";
import type { Clock } from "../clock";
import type { Catalog } from "../courses/catalog.server";
import type { Viewer } from "../auth/viewer";
import { listMyAssignments, type AssignmentSummary } from "../assignments/assignments.server";
import { myStanding } from "../recognition/board.server";
import { kudosReceived } from "../recognition/kudos.server";
import { continuePath, getCourseState } from "./progress.server";

/** Current: still to do (not started, in progress, overdue). History: completed. Exempt and
 * cancelled assignments are in neither. */
export function splitCurrentAndHistory(assignments: AssignmentSummary[]) {
  return {
    current: assignments.filter((a) => a.status !== "completed" && a.status !== "exempt" && a.status !== "cancelled"),
    history: assignments.filter((a) => a.status === "completed"),
  };
}

export async function homePage(db: Db, { viewer, catalog }: { viewer: Viewer; catalog: Catalog }, clock: Clock) {
  const now = clock();
  const [assignments, standing, kudos, person] = await Promise.all([
    listMyAssignments(db, { viewer, catalog }, clock),
    myStanding(db, { viewer, catalog }, now),
    kudosReceived(db, { userId: viewer.id, limit: 10 }),
    db.selectFrom("users").select("start_date").where("id", "=", viewer.id).executeTakeFirst(),
  ]);
  const { current, history } = splitCurrentAndHistory(assignments);
  return {
    name: viewer.name,
    now: now.toISOString(),
    // Onboarding courses are issued on the start date: someone who signs in before it is told so.
    startsOn: person && person.start_date > now.toISOString().slice(0, 10) ? person.start_date : null,
    current: await Promise.all(current.map(async (a) => ({ ...a, continueTo: await continueTo(db, catalog, a) }))),
    history,
    // Only the viewer's own score and place: never anyone else's.
    standing: standing
      ? {
          ranked: standing.score.ranked,
          score: standing.score.score,
          average: standing.score.average,
          streak: standing.score.streak,
          streakBonus: standing.score.streakBonus,
          onTime: standing.score.onTime,
          counted: standing.score.counted,
          badges: standing.badges,
          optedOut: standing.optedOut,
          rank: standing.rank,
          of: standing.of,
          managerName: standing.managerName,
          placeAsOf: standing.placeAsOf,
        }
      : null,
    kudos,
  };
}

/** The next step of a current assignment, read from its own progress. */
async function continueTo(db: Db, catalog: Catalog, a: AssignmentSummary): Promise<string> {
  const course = catalog.courses.get(a.courseId);
  if (!course) return `/courses/${a.courseId}`;
  return continuePath(course, await getCourseState(db, { id: a.id, reason: a.reason }, course));
}
