// The send-kudos page: who may send kudos, and what the page shows a sender (the person they
// chose, the people they may choose from, what they sent lately, what the records say).
import type { Db } from "../../db/connection";
import type { Catalog } from "../courses/catalog.server";
import { hasReports } from "../people/org.server";
import { teamMemberScore } from "./board.server";
import { kudosCandidates, kudosRecipient, kudosSent, type Sender } from "./kudos.server";
import { isShownOnBoards } from "./opt-out.server";

/** Managers thank people in their team; HR may thank anyone; nobody else sends kudos. */
export function maySendKudos(p: { isHr: boolean; isManager: boolean }): boolean {
  return p.isHr || p.isManager;
}

/** Whether this person may send kudos, and whether they have a team of their own; null: they may not. */
export async function kudosSender(db: Db, sender: Sender): Promise<{ isManager: boolean } | null> {
  const isManager = await hasReports(db, sender.id);
  return maySendKudos({ isHr: Boolean(sender.is_hr), isManager }) ? { isManager } : null;
}

/** The page for `sender` (who may send kudos), thanking `personId` if given; null: that person
 * is not one they may thank. */
export async function kudosPage(
  db: Db,
  input: { sender: Sender; isManager: boolean; personId: string | null; catalog: Catalog },
  now: Date,
) {
  const { sender, isManager, personId } = input;
  const recipient = personId ? await kudosRecipient(db, { sender, personId }) : null;
  if (personId && !recipient) return null;
  const [candidates, sent] = await Promise.all([kudosCandidates(db, { sender }), kudosSent(db, { userId: sender.id, limit: 5 })]);
  // HR may be thanking someone outside their own team: keep them in the list.
  const people =
    recipient && !candidates.some((c) => c.id === recipient.id) ? [{ id: recipient.id, name: recipient.name }, ...candidates] : candidates;
  // What the records already say about them, to help choose a badge (not for people off the boards).
  const shown = recipient ? await isShownOnBoards(db, recipient.id) : false;
  const score = recipient && shown ? await teamMemberScore(db, { managerId: sender.id, personId: recipient.id, catalog: input.catalog }, now) : null;
  return {
    recipient: recipient ? { id: recipient.id, name: recipient.name, title: recipient.title } : null,
    people,
    sent,
    earned: score?.badges ?? [],
    // HR without a team of their own comes here from HR's board, and goes back there.
    board: isManager ? "/team/board" : "/hr/board",
    isManager,
  };
}
