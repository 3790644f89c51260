// Whether a person's password was recently set through a link someone else started (an HR
// invitation or an HR-sent reset). A signature made soon after such a change is marked on the
// receipt, its PDF and in the evidence pack: HR could not have learnt the password, but the
// record says plainly that HR started the change. Read from the audit log (the entry that
// recorded the change names who started it), never from a column that could be edited.
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import { credentialChangeMark, PASSWORD_CHANGED_ACTION, type CredentialChangeKind } from "../audit/credential-change";

export interface CredentialChange {
  /** When the person set the password with the link (ISO-8601 UTC). */
  at: string;
  /** The HR user who started the invitation or reset. */
  startedBy: string;
  kind: CredentialChangeKind;
  /** The audit entry that recorded it. */
  auditSeq: number;
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
  const since = new Date(before.getTime() - withinHours * 3_600_000 - 1000).toISOString();
  const entries = await db
    .selectFrom("audit_log")
    .select(["seq", "at", "actor_id", "action", "subject_type", "subject_id", "data_json"])
    .where("subject_type", "=", "user")
    .where("subject_id", "=", userId)
    .where("action", "=", PASSWORD_CHANGED_ACTION)
    .where("at", ">=", since)
    .execute();
  const mark = credentialChangeMark(
    entries.map((e) => ({ ...e, seq: Number(e.seq) })),
    { user_id: userId, signed_at: before.toISOString() },
    withinHours,
  );
  return mark ? { at: mark.at, startedBy: mark.started_by, kind: mark.kind, auditSeq: mark.audit_seq } : null;
}
