// Attestations: the e-signature records that must hold up in court. Each records who signed
// (id, printed name as typed), what (policy, version, SHA-256 of the exact text shown, the
// statement of meaning), when (server UTC), how (session, password re-entered, intent box,
// IP, user agent, locale, signing-page template, authentication strength), the consent to
// electronic records it relies on, the quiz attempt that gated it, and until when it is valid.
// A record's outcome is `signed` or `declined`; both are kept and the newest decides. Never
// updated or deleted (database triggers refuse it); signing twice returns the first record.
import type { Insertable, Transaction } from "kysely";
import { z } from "zod";
import { fieldErrorsOf as formFieldErrors } from "../forms";
import type { Db } from "../../db/connection";
import type { Assignment, Attestation, AttestationsTable, AuthStrength, DB } from "../../db/schema";
import { addMonths, type Clock } from "../clock";
import { randomId, verificationCode } from "../ids.server";
import { appendAudit, auditedTransaction, type AuditEntry } from "../audit/audit.server";
import { storedRowHash } from "../audit/rows.server";
import { verifyPassword } from "../auth/password.server";
import { releaseAttempt, reserveAttempt, signingKeys } from "../auth/throttle.server";
import { secondFactorAtSigning } from "../auth/second-factor.server";
import { policyStatement, type Course, type Policy } from "../courses/catalog.server";
import { attestationUnlocked, completeIfDone, getCourseState, LearningError } from "../learning/progress.server";
import { enqueueNotifications } from "../notifications/outbox.server";
import { declinedMail } from "../notifications/templates.server";
import { currentConsentId } from "./consent.server";
import { recordPolicyVersion } from "./policy-versions.server";
import type { ReceiptView } from "./receipt-pdf.server";
import {
  AUTH_STRENGTH_LABEL,
  INTENT_LABEL,
  normaliseName,
  readingTimeLeft,
  readPresentedAt,
  secondsBetween,
  sessionFingerprint,
  SIGNING_LOCALE,
  SIGNING_WORDING,
  TEMPLATE_VERSION,
} from "./signing-context.server";

export { INTENT_LABEL, normaliseName, presentedToken } from "./signing-context.server";

export const AUTH_METHOD = "Signed-in session; password re-entered at signing";
// With a second factor instead of the password, auth_method says which (SIGNING_METHODS).
export const DECLINE_AUTH_METHOD = "Signed-in session";

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

export const declineFormSchema = z.object({
  reason: z.string().trim().max(2000, "Keep the reason under 2,000 characters.").optional(),
  presented: z.string({ required_error: "Reload the page and try again." }).max(200),
});

export type AttestFailure = { ok: false; status: 400 | 409 | 429; fieldErrors: Record<string, string>; formError?: string; retryAfter?: number };
export type AttestResult = { ok: true; code: string; alreadySigned: boolean } | AttestFailure;

export interface SignInput {
  viewer: { id: string; name: string; email: string };
  assignment: Assignment;
  course: Course;
  policy: Policy;
  /** The electronic-records disclosure; null when the catalog has none (then none is asked for). */
  consentPolicy: Policy | null;
  form: Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
  sessionId?: string | null;
  secret: string;
  /** APP_ORIGIN, for a passkey answer. */
  origin?: string;
  /** A fresh authentication at the company's provider, verified just now (decision 026): it
   * stands in for the password. */
  freshSso?: { issuer: string; subject: string; authTime: string | null; acr: string | null; amr: string[] };
}

/** How a fresh single sign-on is printed as the authentication method. */
export function freshSsoMethod(sso: NonNullable<SignInput["freshSso"]>): string {
  const parts = [`issuer ${sso.issuer}`, `subject ${sso.subject}`, `auth_time ${sso.authTime ?? "not given"}`];
  if (sso.acr) parts.push(`acr ${sso.acr}`);
  if (sso.amr.length > 0) parts.push(`amr ${sso.amr.join(" ")}`);
  return `Signed-in session; fresh sign-in at the company's identity provider at signing (${parts.join("; ")})`;
}

const NOT_SIGNED = "The agreement was not signed. Please correct the fields below.";

const fieldErrorsOf = (issues: z.ZodIssue[]) => formFieldErrors(issues) as Record<string, string>;

async function signedCode(db: Db, assignmentId: string, policyId: string, version: number): Promise<string | null> {
  const row = await db
    .selectFrom("attestations")
    .select("verification_code")
    .where("assignment_id", "=", assignmentId)
    .where("policy_id", "=", policyId)
    .where("policy_version", "=", version)
    .where("outcome", "=", "signed")
    .executeTakeFirst();
  return row?.verification_code ?? null;
}

export type SignerCheck = { ok: true; strength: AuthStrength; authMethod: string } | { ok: false; status: 400 | 429; field: string; message: string; retryAfter?: number };

/**
 * The signer proves, at the moment of signing, that it is them: with a second factor (a passkey
 * answer or an authenticator code) when the form carries one, else by re-entering their password.
 */
export async function verifySignerPassword(
  db: Db,
  {
    viewer,
    password,
    form,
    secret,
    origin,
  }: { viewer: { id: string; email: string }; password: string | undefined; ip?: string | null; form?: Record<string, unknown>; secret?: string; origin?: string | null },
  clock: Clock,
): Promise<SignerCheck> {
  if (form && secret !== undefined) {
    const second = await secondFactorAtSigning(db, { userId: viewer.id, form, appSecret: secret, origin: origin ?? null }, clock);
    if (second?.ok) return { ok: true, strength: "second_factor", authMethod: second.authMethod };
    if (second) return { ok: false, status: 400, field: second.field, message: second.error };
  }
  if (!password) return { ok: false, status: 400, field: "password", message: "Enter your password." };
  // Signing has its own count (decision 010): wrong passwords here never lock the sign-in.
  const reserved = await reserveAttempt(db, signingKeys(viewer.id), clock);
  if (!reserved.ok) {
    const wait = reserved.retryAfter;
    return { ok: false, status: 429, field: "password", retryAfter: wait, message: `Too many incorrect passwords. Try again in ${Math.ceil(wait / 60)} minutes.` };
  }
  const user = await db.selectFrom("users").select("password_hash").where("id", "=", viewer.id).executeTakeFirstOrThrow();
  if (!(await verifyPassword(user.password_hash, password))) return { ok: false, status: 400, field: "password", message: "That password is not correct." };
  await releaseAttempt(db, reserved.keys);
  return { ok: true, strength: "password_reentered", authMethod: AUTH_METHOD };
}

interface CheckedSignature {
  ok: true;
  printedName: string;
  presentedAt: string;
  consentId: string | null;
  strength: AuthStrength;
  authMethod: string;
}

/** Everything a signature must satisfy before it is written, in the order a person fixes them. */
async function checkSignature(db: Db, input: SignInput, clock: Clock): Promise<CheckedSignature | AttestFailure> {
  const { viewer, assignment, policy } = input;
  const consentId = input.consentPolicy ? await currentConsentId(db, { userId: viewer.id, policy: input.consentPolicy }) : null;
  if (input.consentPolicy && !consentId) {
    return { ok: false, status: 409, fieldErrors: {}, formError: "Before your first electronic signature, read and agree to the consent to electronic records." };
  }
  const parsed = attestFormSchema.safeParse(input.form);
  if (!parsed.success) return { ok: false, status: 400, fieldErrors: fieldErrorsOf(parsed.error.issues), formError: NOT_SIGNED };
  const form = parsed.data;
  const presentedAt = readPresentedAt(input.secret, form.presented, { assignmentId: assignment.id, policyId: policy.id, version: policy.current.version });
  if (!presentedAt) {
    return { ok: false, status: 400, fieldErrors: {}, formError: "The agreement text changed or the page is out of date. Read it again below and sign." };
  }
  const tooEarly = readingTimeLeft(policy.minimumReadingSeconds, presentedAt, clock());
  if (tooEarly) return { ok: false, status: 400, fieldErrors: {}, formError: tooEarly };
  const fieldErrors: Record<string, string> = {};
  if (normaliseName(form.name) !== normaliseName(viewer.name)) {
    fieldErrors.name = `Type your full name as it appears on your profile: ${viewer.name}.`;
  }
  const signer: SignerCheck = input.freshSso
    ? { ok: true, strength: "fresh_sso", authMethod: freshSsoMethod(input.freshSso) }
    : await verifySignerPassword(db, { viewer, password: form.password, ip: input.ip, form: input.form, secret: input.secret, origin: input.origin }, clock);
  if (!signer.ok) {
    fieldErrors[signer.field] = signer.message;
    if (signer.status === 429) return { ok: false, status: 429, fieldErrors: {}, retryAfter: signer.retryAfter, formError: signer.message };
  }
  if (Object.keys(fieldErrors).length > 0 || !signer.ok) return { ok: false, status: 400, fieldErrors, formError: NOT_SIGNED };
  return { ok: true, printedName: form.name, presentedAt, consentId, strength: signer.strength, authMethod: signer.authMethod };
}

/**
 * The one writer of attestation rows: records the policy text (once per version), the row, and
 * its audit entry, in the caller's transaction. Electronic, declined and paper records all come here.
 */
export async function insertAttestation(
  trx: Transaction<DB>,
  { policy, row, audit }: { policy: Policy; row: Insertable<AttestationsTable>; audit: Omit<AuditEntry, "subjectType" | "subjectId"> },
  now: Date,
): Promise<void> {
  const version = policy.current.version === row.policy_version ? policy.current : policy.versions.find((v) => v.version === row.policy_version);
  if (!version) throw new LearningError(`${policy.title} has no version ${row.policy_version}.`, 400);
  await recordPolicyVersion(trx, policy, version, now.toISOString());
  await trx.insertInto("attestations").values(row).execute();
  // The entry carries the row's canonical hash, so audit:verify catches an edit of the row itself.
  const rowSha256 = await storedRowHash(trx, "attestations", row.id);
  await appendAudit(trx, { ...audit, data: { ...audit.data, rowSha256 }, subjectType: "attestation", subjectId: row.id }, now);
}

/** The fields every record of this signing page shares, signed or declined. */
function pageRecord(input: SignInput, at: { presentedAt: string; now: Date }, passedAttemptId: string | null) {
  const { viewer, assignment, policy } = input;
  const version = policy.current;
  return {
    id: `sig_${randomId()}`,
    verification_code: verificationCode(),
    user_id: viewer.id,
    assignment_id: assignment.id,
    policy_id: policy.id,
    policy_version: version.version,
    policy_title: policy.title,
    text_sha256: version.sha256,
    profile_name: viewer.name,
    email: viewer.email,
    presented_at: at.presentedAt,
    signed_at: at.now.toISOString(),
    ip: input.ip,
    user_agent: input.userAgent?.slice(0, 512) ?? null,
    quiz_attempt_id: passedAttemptId,
    recorded_by: null,
    on_behalf_reason: null,
    locale: SIGNING_LOCALE,
    template_version: TEMPLATE_VERSION,
    session_sha256: sessionFingerprint(input.sessionId),
    seconds_on_text: secondsBetween(at.presentedAt, at.now.toISOString()),
  } satisfies Partial<Insertable<AttestationsTable>>;
}

/** Unlocked, the viewer's own, and not signed already: what both signing and declining require. */
async function openForSigning(db: Db, input: SignInput) {
  const { viewer, assignment, course, policy } = input;
  if (assignment.user_id !== viewer.id) throw new LearningError("Not found", 404);
  const existing = await signedCode(db, assignment.id, policy.id, policy.current.version);
  const state = await getCourseState(db, assignment, course);
  if (!existing && !attestationUnlocked(course, state)) throw new LearningError("Pass the quiz before you sign.", 409);
  return { existing, state };
}

export async function signAttestation(db: Db, input: SignInput, clock: Clock): Promise<AttestResult> {
  const { viewer, assignment, course, policy } = input;
  const { existing, state } = await openForSigning(db, input);
  if (existing) return { ok: true, code: existing, alreadySigned: true };
  const checked = await checkSignature(db, input, clock);
  if (!checked.ok) return checked;

  const now = clock();
  const base = pageRecord(input, { presentedAt: checked.presentedAt, now }, state.quiz.passedAttemptId);
  const version = policy.current.version;
  const row = {
    ...base,
    outcome: "signed" as const,
    statement: policyStatement(policy, version),
    intent_label: INTENT_LABEL,
    printed_name: checked.printedName,
    auth_method: checked.authMethod,
    auth_strength: checked.strength,
    consent_id: checked.consentId,
    expires_at: policy.validityMonths ? addMonths(base.signed_at, policy.validityMonths) : null,
  };
  const data = { code: row.verification_code, assignmentId: assignment.id, policyId: policy.id, version, textSha256: policy.current.sha256, ip: input.ip };
  try {
    await auditedTransaction(db, async (trx) => {
      await insertAttestation(trx, { policy, row, audit: { actorId: viewer.id, action: "attestation.signed", data } }, now);
      await completeIfDone(trx, { assignment, course, actorId: viewer.id }, now);
    });
  } catch (e) {
    // A double submission that raced past the check above: the first record stands.
    const again = await signedCode(db, assignment.id, policy.id, version);
    if (again) return { ok: true, code: again, alreadySigned: true };
    throw e;
  }
  return { ok: true, code: row.verification_code, alreadySigned: false };
}

/** The newest record for this assignment and version when it is a refusal (not yet followed by a signature). */
async function standingDecline(db: Db, assignmentId: string, policyId: string, version: number) {
  const newest = await db
    .selectFrom("attestations")
    .select(["verification_code", "outcome"])
    .where("assignment_id", "=", assignmentId)
    .where("policy_id", "=", policyId)
    .where("policy_version", "=", version)
    .orderBy("signed_at", "desc")
    .orderBy("id", "desc")
    .executeTakeFirst();
  return newest?.outcome === "declined" ? newest.verification_code : null;
}

/**
 * "I do not agree": an immutable declined record with the same evidence as a signature, and
 * HR told at once through the outbox. The person can still sign later; both records stay.
 */
export async function declineAttestation(db: Db, input: SignInput & { origin: string }, clock: Clock): Promise<AttestResult> {
  const { viewer, assignment, course, policy } = input;
  const { existing, state } = await openForSigning(db, input);
  if (existing) return { ok: true, code: existing, alreadySigned: true };
  const already = await standingDecline(db, assignment.id, policy.id, policy.current.version);
  if (already) return { ok: true, code: already, alreadySigned: true };
  const parsed = declineFormSchema.safeParse(input.form);
  if (!parsed.success) return { ok: false, status: 400, fieldErrors: fieldErrorsOf(parsed.error.issues), formError: "Your answer was not recorded. Please correct the fields below." };
  const presentedAt = readPresentedAt(input.secret, parsed.data.presented, { assignmentId: assignment.id, policyId: policy.id, version: policy.current.version });
  if (!presentedAt) return { ok: false, status: 400, fieldErrors: {}, formError: "The agreement text changed or the page is out of date. Read it again below." };

  const now = clock();
  const version = policy.current.version;
  const consentId = input.consentPolicy ? await currentConsentId(db, { userId: viewer.id, policy: input.consentPolicy }) : null;
  const reason = parsed.data.reason ? parsed.data.reason : null;
  const row = {
    ...pageRecord(input, { presentedAt, now }, state.quiz.passedAttemptId),
    outcome: "declined" as const,
    statement: `I do not agree to ${policy.title}, version ${version}.`,
    intent_label: SIGNING_WORDING.decline,
    printed_name: viewer.name,
    auth_method: DECLINE_AUTH_METHOD,
    auth_strength: null,
    consent_id: consentId,
    decline_reason: reason,
    expires_at: null,
  };
  const hr = await db.selectFrom("users").select(["id", "name", "email"]).where("is_hr", "=", 1).where("status", "=", "active").execute();
  const data = { code: row.verification_code, assignmentId: assignment.id, policyId: policy.id, version, textSha256: policy.current.sha256, ip: input.ip, reason };
  await auditedTransaction(db, async (trx) => {
    await insertAttestation(trx, { policy, row, audit: { actorId: viewer.id, action: "attestation.declined", data } }, now);
    const recordUrl = `${input.origin}/hr/people/${viewer.id}`;
    const mails = hr.map((h) => ({
      eventKey: `declined:${row.id}:${h.id}`,
      kind: "declined" as const,
      userId: h.id,
      toEmail: h.email,
      // Not tied to the assignment: it is a message to HR, not a reminder to the person.
      assignmentId: null,
      why: `${viewer.name} declined to sign ${policy.title}`,
      ...declinedMail({ hrName: h.name, personName: viewer.name, personEmail: viewer.email, policyTitle: policy.title, version, courseTitle: course.meta.title, reason, recordUrl }),
    }));
    await enqueueNotifications(trx, mails, now);
  });
  return { ok: true, code: row.verification_code, alreadySigned: false };
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
    .leftJoin("users as r", "r.id", "t.recorded_by")
    .leftJoin("electronic_consents as c", "c.id", "t.consent_id")
    .selectAll("t")
    .select(["a.course_id", "q.score as quiz_score", "r.name as recorded_by_name", "c.policy_version as consent_version", "c.consented_at"])
    .where("t.verification_code", "=", code.toUpperCase());
  if (!viewer.is_hr) q = q.where("t.user_id", "=", viewer.id);
  const row = await q.executeTakeFirst();
  if (!row) return null;
  const { course_id, quiz_score, recorded_by_name, consent_version, consented_at, ...attestation } = row;
  return {
    attestation,
    courseId: course_id,
    verificationCode: row.verification_code,
    outcome: row.outcome,
    printedName: row.printed_name,
    profileName: row.profile_name,
    email: row.email,
    signedAt: row.signed_at,
    presentedAt: row.presented_at,
    statement: row.statement,
    intentLabel: row.intent_label,
    authMethod: row.auth_method,
    authStrength: row.auth_strength ? AUTH_STRENGTH_LABEL[row.auth_strength] : null,
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
    locale: row.locale,
    templateVersion: row.template_version,
    sessionSha256: row.session_sha256,
    secondsOnText: row.seconds_on_text,
    declineReason: row.decline_reason,
    consent: row.consent_id && consented_at ? { id: row.consent_id, version: consent_version ?? 0, at: consented_at } : null,
    paper: row.recorded_by ? { recordedBy: recorded_by_name ?? row.recorded_by, reason: row.on_behalf_reason ?? "", signedOn: row.paper_signed_on, scanSha256: row.scan_sha256 } : null,
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
