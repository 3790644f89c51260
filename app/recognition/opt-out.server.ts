// The choice to stay off the compliance boards. Opting out hides a person from every board (their
// manager's and HR's, live or stored, at once); they still count in HR's statistics, and still see
// their own score.
import { z } from "zod";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import type { Db } from "../../db/connection";
import type { Clock } from "../clock";
import { setBoardOptOut } from "../people/people.server";
import { applyBoardOptOut } from "./scores-refresh.server";
import { auditedTransaction } from "../audit/audit.server";

/** The account page's form: a checkbox is absent from the body when unticked. */
export const boardVisibilitySchema = z.object({
  intent: z.literal("board-visibility"),
  show: z.enum(["on"]).optional(),
});

export async function isShownOnBoards(db: Kysely<DB>, userId: string): Promise<boolean> {
  const row = await db.selectFrom("users").select("board_opt_out").where("id", "=", userId).executeTakeFirst();
  return Number(row?.board_opt_out ?? 0) === 0;
}

/** Records the person's choice (their own row only) and applies it to the stored scores.
 * Audited when it changes anything. */
export async function setShownOnBoards(db: Db, { userId, show }: { userId: string; show: boolean }, clock: Clock): Promise<{ changed: boolean }> {
  const now = clock();
  return auditedTransaction(db, async (trx) => {
    const changed = await setBoardOptOut(trx, { userId, optOut: !show }, now);
    if (changed) {
      // The stored scores behind large boards follow the choice at once, not at their next refresh.
      await applyBoardOptOut(trx, { userId, optOut: !show });
    }
    return { changed };
  });
}
