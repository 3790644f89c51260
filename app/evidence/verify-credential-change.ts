// Check 4c of the offline verifier (verify.ts): each attestation's credential-change mark — a
// signature made within 24 hours after a password set through a link someone else started — is
// recomputed from the audit entries in the pack, and the pack's claim must agree. A mark removed,
// added or edited is named here, before the signatures say the pack was changed.
import { canonicalJson } from "./canonical";
import { credentialChangeMark, credentialChangeSentence, CREDENTIAL_CHANGE_HOURS, type CredentialChangeMark } from "../audit/credential-change";
import { Checks, isObject, plural } from "./checks";
import type { EvidencePack, PackAttestation } from "./pack.server";

/** The fields the mark is judged on (the name beside them is informational). */
function core(m: CredentialChangeMark): CredentialChangeMark {
  return { at: m.at, kind: m.kind, started_by: m.started_by, audit_seq: m.audit_seq, within_hours: m.within_hours };
}

function describe(m: CredentialChangeMark): string {
  return `audit entry ${m.audit_seq} records a password set through ${m.kind === "invitation" ? "an invitation" : "a reset link"} started by user ${m.started_by} at ${m.at}`;
}

function problemWith(t: PackAttestation, expected: CredentialChangeMark | null, formatVersion: number): string | null {
  const name = `attestation ${t.verification_code}`;
  if (!("credential_change" in t) || t.credential_change === undefined) {
    return formatVersion >= 3 ? `${name} has no credential-change mark (every attestation of a format 3 pack carries one, null when unmarked)` : null;
  }
  const claimed = t.credential_change;
  if (claimed !== null && !isObject(claimed)) return `${name} credential-change mark is not a mark`;
  if (claimed === null && expected) return `${name} credential-change mark was removed: ${describe(expected)}, within ${CREDENTIAL_CHANGE_HOURS} hours before the signature`;
  if (claimed && !expected) return `${name} credential-change mark is not backed by the audit entries: none records a password change started by someone else in the ${CREDENTIAL_CHANGE_HOURS} hours before the signature`;
  if (claimed && expected && canonicalJson(core(claimed)) !== canonicalJson(core(expected))) return `${name} credential-change mark was altered: the pack says ${canonicalJson(core(claimed))}, but ${describe(expected)}`;
  return null;
}

function inWords(t: PackAttestation, mark: CredentialChangeMark | null): string {
  const name = `attestation ${t.verification_code}`;
  if (t.recorded_by) return `${name}: recorded from a paper original, no credential used, no mark`;
  if (!mark) return `${name}: not marked (no password change started by someone else in the ${CREDENTIAL_CHANGE_HOURS} hours before it)`;
  const who = t.credential_change?.started_by_name ? `${t.credential_change.started_by_name} (user ${mark.started_by})` : `user ${mark.started_by}`;
  return `${name}: MARKED. ${credentialChangeSentence({ kind: mark.kind, startedByName: who, at: mark.at })} Audit entry ${mark.audit_seq}.`;
}

/** Recomputes every mark; returns one line per attestation saying what the mark is. */
export function checkCredentialChangeMarks(checks: Checks, pack: EvidencePack): string[] {
  const lines: string[] = [];
  const n = pack.attestations.length;
  const version = typeof pack.formatVersion === "number" ? pack.formatVersion : 0;
  checks.held(n > 0 && version >= 3 ? `${plural(n, "credential-change mark")} recomputed from the audit entries and matching` : null, () => {
    for (const t of pack.attestations) {
      const expected = credentialChangeMark(pack.audit.entries, t);
      const problem = problemWith(t, expected, version);
      if (problem) checks.fail(problem);
      lines.push(inWords(t, expected));
    }
  });
  return lines;
}
