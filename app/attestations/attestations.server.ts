// Attestations: the e-signature records that must hold up in court. Each records who signed
// (id, printed name as typed), what (policy, version, SHA-256 of the exact text shown, the
// statement of meaning), when (server UTC), how (session, password re-entered, intent box,
// IP, user agent), the quiz attempt that gated it, and until when it is valid. Never updated or
// deleted (database triggers refuse it); signing twice returns the first record.
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Db } from "../../db/connection";
import type { Assignment, Attestation } from "../../db/schema";
import { addMonths, type Clock } from "../clock";
import { randomId, verificationCode } from "../ids.server";
import { appendAudit } from "../audit/audit.server";
import { verifyPassword } from "../auth/password.server";
import { releaseAttempt, reserveAttempt, signingKeys } from "../auth/throttle.server";
import { secondFactorAtSigning } from "../auth/second-factor.server";
import { policyStatement, type Course, type Policy } from "../courses/catalog.server";
import { attestationUnlocked, completeIfDone, getCourseState, LearningError } from "../learning/progress.server";
import type { ReceiptView } from "./receipt-pdf.server";

export const INTENT_LABEL =
  "I agree to sign this document electronically, and I intend the name I type below to be my legally binding signature.";

export const AUTH_METHOD = "Signed-in session; password re-entered at signing";
// With a second factor instead of the password, auth_method says which (SIGNING_METHODS).

/** Case, accents' composition and spacing do not matter; letters do. */
export function normaliseName(name: string): string {
  return name.normalize("NFKC").toLocaleLowerCase("en").replace(/\s+/g, " ").trim();
}

// When the text was shown: issued by the page that shows it, signed so it cannot be forged.
export function presentedToken(secret: string, parts: { assignmentId: string; policyId: string; version: number; at: string }) {
  const payload = `${parts.assignmentId}|${parts.policyId}|${parts.version}|${parts.at}`;
  return `${parts.at}.${createHmac("sha256", secret).update(payload).digest("hex")}`;
}

function readPresentedAt(secret: string, token: string, parts: { assignmentId: string; policyId: string; version: number }): string | null {
  const at = token.slice(0, token.lastIndexOf("."));
  if (!at || Number.isNaN(Date.parse(at))) return null;
  const expected = Buffer.from(presentedToken(secret, { ...parts, at }));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given) ? at : null;
}

export const attestFormSchema = z.object({
  intent: z.literal("on", { errorMap: () => ({ message: "Tick the box to confirm you intend to sign." }) }),
  name: z
    .string({ required_error: "Type your full name." })
    .trim()
    .min(1, "Type your full name.")
    .max(200, "That name is too long."),
  // Or, for a person with a second factor, a passkey answer or an authenticator code instead.
  password: z.string().max(256, "That password is too long.").optional(),
  presented: z.string({ required_error: "Reload the page and try again." }).max(200),
});

export type AttestResult =
  | { ok: true; code: string; alreadySigned: boolean }
  | { ok: false; status: 400 | 429; fieldErrors: Record<string, string>; formError?: string; retryAfter?: number };

export async function signAttestation(
  db: Db,
  input: {
    viewer: { id: string; name: string; email: string };
    assignment: Assignment;
    course: Course;
    policy: Policy;
    form: Record<string, unknown>;
    ip: string | null;
    userAgent: string | null;
    secret: string;
    /** APP_ORIGIN, for a passkey answer. */
    origin?: string;
  },
  clock: Clock,
): Promise<AttestResult> {
  const { viewer, assignment, course, policy } = input;
  if (assignment.user_id !== viewer.id) throw new LearningError("Not found", 404);
  const version = policy.current;
  const signedAlready = () =>
    db
      .selectFrom("attestations")
      .select("verification_code")
      .where("assignment_id", "=", assignment.id)
      .where("policy_id", "=", policy.id)
      .where("policy_version", "=", version.version)
      .executeTakeFirst();
  const existing = await signedAlready();
  if (existing) return { ok: true, code: existing.verification_code, alreadySigned: true };

  const state = await getCourseState(db, assignment, course);
  if (!attestationUnlocked(course, state)) throw new LearningError("Pass the quiz before you sign.", 409);

  const parsed = attestFormSchema.safeParse(input.form);
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0])] ??= issue.message;
    return { ok: false, status: 400, fieldErrors, formError: "The agreement was not signed. Please correct the fields below." };
  }
  const form = parsed.data;
  const fieldErrors: Record<string, string> = {};
  const presentedAt = readPresentedAt(input.secret, form.presented, { assignmentId: assignment.id, policyId: policy.id, version: version.version });
  if (!presentedAt) {
    return { ok: false, status: 400, fieldErrors, formError: "The agreement text changed or the page is out of date. Read it again below and sign." };
  }
  if (normaliseName(form.name) !== normaliseName(viewer.name)) {
    fieldErrors.name = `Type your full name as it appears on your profile: ${viewer.name}.`;
  }
  let authMethod = AUTH_METHOD;
  const secondFactor = await secondFactorAtSigning(db, { userId: viewer.id, form: input.form, appSecret: input.secret, origin: input.origin ?? null }, clock);
  if (secondFactor?.ok) authMethod = secondFactor.authMethod;
  else if (secondFactor) fieldErrors[secondFactor.field] = secondFactor.error;
  else if (!form.password) fieldErrors.password = "Enter your password.";
  else {
    // Signing has its own count (decision 010): wrong passwords here never lock the sign-in.
    const reserved = await reserveAttempt(db, signingKeys(viewer.id), clock);
    if (!reserved.ok) {
      const wait = reserved.retryAfter;
      return { ok: false, status: 429, fieldErrors, retryAfter: wait, formError: `Too many incorrect passwords. Try again in ${Math.ceil(wait / 60)} minutes.` };
    }
    const user = await db.selectFrom("users").select("password_hash").where("id", "=", viewer.id).executeTakeFirstOrThrow();
    if (!(await verifyPassword(user.password_hash, form.password))) fieldErrors.password = "That password is not correct.";
    else await releaseAttempt(db, reserved.keys);
  }
  if (Object.keys(fieldErrors).length > 0) {
    return { ok: false, status: 400, fieldErrors, formError: "The agreement was not signed. Please correct the fields below." };
  }

  const now = clock();
  const signedAt = now.toISOString();
  const id = `sig_${randomId()}`;
  const code = verificationCode();
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto("policy_versions")
        .values({
          policy_id: policy.id,
          version: version.version,
          title: policy.title,
          statement: policyStatement(policy, version.version),
          body: version.body,
          text_sha256: version.sha256,
          material: version.material ? 1 : 0,
          changes: version.changes,
          published_on: version.published,
          validity_months: policy.validityMonths,
          recorded_at: signedAt,
        })
        .onConflict((oc) => oc.columns(["policy_id", "version"]).doNothing())
        .execute();
      const recorded = await trx
        .selectFrom("policy_versions")
        .select("text_sha256")
        .where("policy_id", "=", policy.id)
        .where("version", "=", version.version)
        .executeTakeFirstOrThrow();
      if (recorded.text_sha256 !== version.sha256) {
        // The file was edited without publishing a new version: refuse rather than sign text
        // that differs from what others signed under the same version number.
        throw new LearningError(
          `The text of ${policy.title} version ${version.version} was changed without a new version number. Ask the course owner to publish it as a new version.`,
          409,
        );
      }
      await trx
        .insertInto("attestations")
        .values({
          id,
          verification_code: code,
          user_id: viewer.id,
          assignment_id: assignment.id,
          policy_id: policy.id,
          policy_version: version.version,
          policy_title: policy.title,
          text_sha256: version.sha256,
          statement: policyStatement(policy, version.version),
          intent_label: INTENT_LABEL,
          printed_name: form.name,
          profile_name: viewer.name,
          email: viewer.email,
          auth_method: authMethod,
          presented_at: presentedAt,
          signed_at: signedAt,
          expires_at: policy.validityMonths ? addMonths(signedAt, policy.validityMonths) : null,
          ip: input.ip,
          user_agent: input.userAgent?.slice(0, 512) ?? null,
          quiz_attempt_id: state.quiz.passedAttemptId,
          recorded_by: null,
          on_behalf_reason: null,
        })
        .execute();
      await appendAudit(
        trx,
        {
          actorId: viewer.id,
          action: "attestation.signed",
          subjectType: "attestation",
          subjectId: id,
          data: { code, assignmentId: assignment.id, policyId: policy.id, version: version.version, textSha256: version.sha256, ip: input.ip },
        },
        now,
      );
      await completeIfDone(trx, { assignment, course, actorId: viewer.id }, now);
    });
  } catch (e) {
    // A double submission that raced past the check above: the first record stands.
    const again = await signedAlready();
    if (again) return { ok: true, code: again.verification_code, alreadySigned: true };
    throw e;
  }
  return { ok: true, code, alreadySigned: false };
}

/** A receipt for its signer, or for HR. Anyone else gets nothing (the route answers 404). */
export async function getReceipt(
  db: Db,
  { viewer, code, origin, courseTitle }: { viewer: { id: string; is_hr: number }; code: string; origin: string; courseTitle: (courseId: string) => string | null },
): Promise<(ReceiptView & { attestation: Attestation; courseId: string }) | null> {
  let q = db
    .selectFrom("attestations as t")
    .innerJoin("assignments as a", "a.id", "t.assignment_id")
    .leftJoin("quiz_attempts as q", "q.id", "t.quiz_attempt_id")
    .selectAll("t")
    .select(["a.course_id", "q.score as quiz_score"])
    .where("t.verification_code", "=", code.toUpperCase());
  if (!viewer.is_hr) q = q.where("t.user_id", "=", viewer.id);
  const row = await q.executeTakeFirst();
  if (!row) return null;
  const { course_id, quiz_score, ...attestation } = row;
  return {
    attestation,
    courseId: course_id,
    verificationCode: row.verification_code,
    printedName: row.printed_name,
    profileName: row.profile_name,
    email: row.email,
    signedAt: row.signed_at,
    presentedAt: row.presented_at,
    statement: row.statement,
    intentLabel: row.intent_label,
    authMethod: row.auth_method,
    policyId: row.policy_id,
    policyTitle: row.policy_title,
    policyVersion: row.policy_version,
    textSha256: row.text_sha256,
    courseTitle: courseTitle(course_id),
    quizScore: quiz_score ?? null,
    quizAttemptId: row.quiz_attempt_id,
    expiresAt: row.expires_at,
    ip: row.ip,
    userAgent: row.user_agent,
    verifyUrl: `${origin}/receipts/${row.verification_code}`,
  };
}

export async function getSignedPolicyText(db: Db, policyId: string, version: number) {
  return db
    .selectFrom("policy_versions")
    .select(["body", "text_sha256", "title"])
    .where("policy_id", "=", policyId)
    .where("version", "=", version)
    .executeTakeFirst();
}
