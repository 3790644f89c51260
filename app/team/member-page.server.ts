// One person's page on a manager's team: their assignments and course results (never their quiz
// answers), their standing on the boards and the kudos they received.
import type { Db } from "../../db/connection";
import type { Catalog } from "../courses/catalog.server";
import { teamMemberScore } from "../recognition/board.server";
import { teamMemberKudos } from "../recognition/kudos.server";
import { isShownOnBoards } from "../recognition/opt-out.server";
import { getTeamMember } from "./team.server";

type Standing = NonNullable<Awaited<ReturnType<typeof teamMemberScore>>>;

/** Opting out of boards keeps a person's score off every page that shows it to others. */
export function shownStanding(shown: boolean, standing: Standing | null) {
  return shown && standing ? { score: standing.score.score, ranked: standing.score.ranked, badges: standing.badges } : null;
}

/** The page, or null when the person is not in the manager's tree. */
export async function teamMemberPage(db: Db, input: { managerId: string; personId: string; catalog: Catalog }, now: Date) {
  const person = await getTeamMember(db, input, now);
  if (!person) return null;
  const [standing, kudos, shown] = await Promise.all([
    teamMemberScore(db, input, now),
    teamMemberKudos(db, { managerId: input.managerId, personId: input.personId }),
    isShownOnBoards(db, input.personId),
  ]);
  return { person, standing: shownStanding(shown, standing), shown, kudos };
}
