// What the signing page shows: the consent to electronic records when the person has not yet
// given it (or its text changed materially), otherwise the policy text with the forms to sign
// or decline. The times the texts are shown are issued here, signed, and checked on the POST.
import type { Db } from "../../db/connection";
import type { Assignment } from "../../db/schema";
import { compileMdx } from "../courses/mdx.server";
import { policyStatement, type Policy } from "../courses/catalog.server";
import { consentPresentedToken, currentConsentId } from "./consent.server";
import { presentedToken, SIGNING_WORDING } from "./signing-context.server";

export async function signingPage(
  db: Db,
  { viewer, assignment, policy, consentPolicy, secret }: { viewer: { id: string; name: string }; assignment: Assignment | null; policy: Policy; consentPolicy: Policy | null; secret: string },
  now: Date,
) {
  const at = now.toISOString();
  const needsConsent = assignment !== null && consentPolicy !== null && (await currentConsentId(db, { userId: viewer.id, policy: consentPolicy })) === null;
  const shown = needsConsent ? consentPolicy! : policy;
  const version = shown.current;
  const { hash } = await compileMdx(version.body);
  const declined = assignment
    ? await db
        .selectFrom("attestations")
        .select(["outcome", "signed_at"])
        .where("assignment_id", "=", assignment.id)
        .where("policy_id", "=", policy.id)
        .orderBy("signed_at", "desc")
        .executeTakeFirst()
    : undefined;
  return {
    step: needsConsent ? ("consent" as const) : ("sign" as const),
    profileName: viewer.name,
    policy: { id: shown.id, title: shown.title, version: version.version, sha256: version.sha256, published: version.published },
    agreementTitle: policy.title,
    statement: policyStatement(shown, version.version),
    wording: SIGNING_WORDING,
    minimumReadingSeconds: needsConsent ? null : policy.minimumReadingSeconds,
    declinedAt: declined?.outcome === "declined" ? declined.signed_at : null,
    mdxHash: hash,
    presented: !assignment
      ? ""
      : needsConsent
        ? consentPresentedToken(secret, { userId: viewer.id, policy: shown, at })
        : presentedToken(secret, { assignmentId: assignment.id, policyId: policy.id, version: version.version, at }),
  };
}
