// Consent to electronic records (ESIGN §7001(c), UETA §5): asked once, before a person's first
// signature, recorded as its own immutable record with the exact disclosure text (a policy in
// courses/policies/electronic-records-consent), and linked from every later attestation. A
// material new version of the disclosure asks again; a minor one does not.
import { z } from "zod";
import { fieldErrorsOf } from "../forms";
import type { Db } from "../../db/connection";
import type { Clock } from "../clock";
import { appendAudit } from "../audit/audit.server";
import { policyStatement, type Policy } from "../courses/catalog.server";
import { randomId } from "../ids.server";
import { recordPolicyVersion } from "./policy-versions.server";
import { CONSENT_INTENT_LABEL, normaliseName, presentedToken, readPresentedAt, sessionFingerprint, SIGNING_LOCALE, TEMPLATE_VERSION } from "./signing-context.server";

export const CONSENT_POLICY_ID = "electronic-records-consent";

/** The token proving when the disclosure was shown is bound to the person, not to an assignment. */
const consentSubject = (userId: string) => `consent:${userId}`;

export function consentPresentedToken(secret: string, { userId, policy, at }: { userId: string; policy: Policy; at: string }) {
  return presentedToken(secret, { assignmentId: consentSubject(userId), policyId: policy.id, version: policy.current.version, at });
}

/** The oldest version a consent may be of and still count: the newest material one. */
function lowestValidVersion(policy: Policy): number {
  return [...policy.versions].reverse().find((v) => v.material)?.version ?? policy.versions[0].version;
}

/** The person's consent that covers the current disclosure, or null when they must be asked. */
export async function currentConsentId(db: Db, { userId, policy }: { userId: string; policy: Policy }): Promise<string | null> {
  const row = await db
    .selectFrom("electronic_consents")
    .select("id")
    .where("user_id", "=", userId)
    .where("policy_id", "=", policy.id)
    .where("policy_version", ">=", lowestValidVersion(policy))
    .orderBy("consented_at", "desc")
    .executeTakeFirst();
  return row?.id ?? null;
}

export const consentFormSchema = z.object({
  consent: z.literal("on", { errorMap: () => ({ message: "Tick the box to agree to electronic records, or ask HR for paper." }) }),
  name: z.string({ required_error: "Type your full name." }).trim().min(1, "Type your full name.").max(200, "That name is too long."),
  presented: z.string({ required_error: "Reload the page and try again." }).max(200),
});

export type ConsentResult = { ok: true; id: string } | { ok: false; status: 400; fieldErrors: Record<string, string>; formError: string };

export async function giveConsent(
  db: Db,
  input: {
    viewer: { id: string; name: string; email: string };
    policy: Policy;
    form: Record<string, unknown>;
    ip: string | null;
    userAgent: string | null;
    sessionId: string | null;
    secret: string;
  },
  clock: Clock,
): Promise<ConsentResult> {
  const { viewer, policy } = input;
  const existing = await currentConsentId(db, { userId: viewer.id, policy });
  if (existing) return { ok: true, id: existing };
  const formError = "Your consent was not recorded. Please correct the fields below.";
  const parsed = consentFormSchema.safeParse(input.form);
  const fieldErrors: Record<string, string> = {};
  if (!parsed.success) return { ok: false, status: 400, fieldErrors: fieldErrorsOf(parsed.error.issues) as Record<string, string>, formError };
  const presentedAt = readPresentedAt(input.secret, parsed.data.presented, { assignmentId: consentSubject(viewer.id), policyId: policy.id, version: policy.current.version });
  if (!presentedAt) return { ok: false, status: 400, fieldErrors, formError: "The disclosure changed or the page is out of date. Read it again below." };
  if (normaliseName(parsed.data.name) !== normaliseName(viewer.name)) {
    return { ok: false, status: 400, fieldErrors: { name: `Type your full name as it appears on your profile: ${viewer.name}.` }, formError };
  }
  const now = clock();
  const id = `con_${randomId()}`;
  const version = policy.current;
  await db.transaction().execute(async (trx) => {
    await recordPolicyVersion(trx, policy, version, now.toISOString());
    await trx
      .insertInto("electronic_consents")
      .values({
        id,
        user_id: viewer.id,
        policy_id: policy.id,
        policy_version: version.version,
        text_sha256: version.sha256,
        statement: policyStatement(policy, version.version),
        intent_label: CONSENT_INTENT_LABEL,
        printed_name: parsed.data.name,
        profile_name: viewer.name,
        email: viewer.email,
        presented_at: presentedAt,
        consented_at: now.toISOString(),
        ip: input.ip,
        user_agent: input.userAgent?.slice(0, 512) ?? null,
        session_sha256: sessionFingerprint(input.sessionId),
        locale: SIGNING_LOCALE,
        template_version: TEMPLATE_VERSION,
      })
      .execute();
    await appendAudit(
      trx,
      { actorId: viewer.id, action: "consent.given", subjectType: "electronic_consent", subjectId: id, data: { policyId: policy.id, version: version.version, textSha256: version.sha256, ip: input.ip } },
      now,
    );
  });
  return { ok: true, id };
}

/** A person's consents, newest first (their record and evidence pack). */
export async function listConsents(db: Db, userId: string) {
  return db.selectFrom("electronic_consents").selectAll().where("user_id", "=", userId).orderBy("consented_at", "desc").execute();
}
