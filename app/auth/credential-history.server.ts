// Whether a person's password was recently set through a link someone else started (an HR
// invitation or an HR-sent reset). A signature made soon after such a change is marked on the
// receipt and in the evidence pack: HR could not have learnt the password, but the record
// says plainly that HR started the change.
import type { Kysely } from "kysely";
import type { AccountLinkPurpose, DB } from "../../db/schema";

export interface CredentialChange {
  /** When the person set the password with the link (ISO-8601 UTC). */
  at: string;
  /** The HR user who started the invitation or reset. */
  startedBy: string;
  kind: AccountLinkPurpose;
}

/** The latest password set with a link someone else started, within `withinHours` before
 * `before` (inclusive), or null. Resets the person asked for themselves do not count. */
export async function recentCredentialChange({
  db,
  userId,
  before,
  withinHours = 24,
}: {
  db: Kysely<DB>;
  userId: string;
  before: Date;
  withinHours?: number;
}): Promise<CredentialChange | null> {
  const since = new Date(before.getTime() - withinHours * 3_600_000).toISOString();
  const row = await db
    .selectFrom("account_links")
    .select(["used_at", "started_by", "purpose"])
    .where("user_id", "=", userId)
    .where("used_at", ">=", since)
    .where("used_at", "<=", before.toISOString())
    .where("started_by", "is not", null)
    .where("started_by", "<>", userId)
    .orderBy("used_at", "desc")
    .executeTakeFirst();
  if (!row?.used_at || !row.started_by) return null;
  return { at: row.used_at, startedBy: row.started_by, kind: row.purpose };
}
