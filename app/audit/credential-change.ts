// The credential-change mark: a signature made within 24 hours after the person's password was
// set through a link someone else started (an HR invitation or an HR-started reset). It is
// derived from the audit log alone — the "person.password_changed" entry, whose actor is whoever
// started the link and whose subject is the person — never from a mutable column, so the web
// receipt, the receipt PDF, the evidence pack and the offline verifier all compute it the same
// way from the same entries (docs/decisions/020-credential-change-mark-and-short-checkpoints.md). Pure: no database.

import type { AuditLogTable } from "../../db/schema";

export const CREDENTIAL_CHANGE_HOURS = 24;
export const PASSWORD_CHANGED_ACTION = "person.password_changed";

export type CredentialChangeKind = "invitation" | "reset";

/** The mark as the pack carries it on an attestation (a signed field). */
export interface CredentialChangeMark {
  /** When the password was set with the link (the audit entry's time, ISO-8601 UTC). */
  at: string;
  kind: CredentialChangeKind;
  /** Who started the link: the audit entry's actor. */
  started_by: string;
  /** The audit entry that records the change. */
  audit_seq: number;
  within_hours: number;
}

/** The fields of an audit entry the mark is read from. */
type EntryLike = Pick<AuditLogTable, "seq" | "at" | "actor_id" | "action" | "subject_type" | "subject_id" | "data_json">;

interface SignatureLike {
  user_id: string;
  signed_at: string;
  /** Set when HR recorded a paper original: no credential was used, so there is no mark. */
  recorded_by?: string | null;
}

function kindOf(dataJson: string): CredentialChangeKind {
  try {
    const data = JSON.parse(dataJson) as { via?: unknown };
    return data.via === "invitation" ? "invitation" : "reset";
  } catch {
    return "reset";
  }
}

/** Whether an entry records a password set for `userId` through a link someone else started. */
export function isCredentialChangeByOther(e: EntryLike, userId: string): boolean {
  return e.action === PASSWORD_CHANGED_ACTION && e.subject_type === "user" && e.subject_id === userId && e.actor_id !== null && e.actor_id !== userId;
}

/**
 * The mark for one signature: the latest password change started by someone else in the
 * `withinHours` before it (inclusive), or null. Changes the person made or asked for themselves
 * (their actor is the person) never mark.
 */
export function credentialChangeMark(entries: readonly EntryLike[], t: SignatureLike, withinHours = CREDENTIAL_CHANGE_HOURS): CredentialChangeMark | null {
  if (t.recorded_by) return null;
  const signed = Date.parse(t.signed_at);
  if (!Number.isFinite(signed)) return null;
  let found: EntryLike | null = null;
  for (const e of entries) {
    if (!isCredentialChangeByOther(e, t.user_id)) continue;
    const at = Date.parse(e.at);
    if (!(at <= signed && signed - at <= withinHours * 3_600_000)) continue;
    if (!found || e.seq > found.seq) found = e;
  }
  if (!found) return null;
  return { at: found.at, kind: kindOf(found.data_json), started_by: found.actor_id!, audit_seq: found.seq, within_hours: withinHours };
}

/** The sentence every place that shows the mark uses. `at` comes formatted by the caller. */
export function credentialChangeSentence(mark: { kind: CredentialChangeKind; startedByName: string; at: string }, withinHours = CREDENTIAL_CHANGE_HOURS): string {
  const link = mark.kind === "invitation" ? "an invitation" : "a reset link";
  return `Signed within ${withinHours} hours after the password was set through ${link} that ${mark.startedByName} started (password set ${mark.at}).`;
}
