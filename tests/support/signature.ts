// The signature record's journey, shared by the SQLite and PostgreSQL tests: consent to
// electronic records, "I do not agree", a later signature, and a paper original recorded by HR.
import { fixedClock } from "../../app/clock";
import { declineAttestation, presentedToken, signAttestation } from "../../app/attestations/attestations.server";
import { CONSENT_POLICY_ID, consentPresentedToken, giveConsent } from "../../app/attestations/consent.server";
import { recordPaperSignature } from "../../app/attestations/paper.server";
import type { Catalog, Course, Policy } from "../../app/courses/catalog.server";
import { assign, workThroughCourse } from "../../app/demo/factories.server";
import type { Db } from "../../db/connection";
import type { Assignment, User } from "../../db/schema";
import { PASSWORD, SECRET } from "./world";

export const ORIGIN = "http://confidant.test";

/** A minimal real PDF: what a scanner produces starts the same way. */
export const PDF_SCAN = new Uint8Array(Buffer.from("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"));

export function consentPolicy(catalog: Catalog): Policy {
  return catalog.policies.get(CONSENT_POLICY_ID)!;
}

export function agreementOf(catalog: Catalog, course: Course): Policy {
  return catalog.policies.get(course.meta.policy!)!;
}

/** Assigned and worked through up to the quiz, ready to sign. */
export async function readyToSign(db: Db, { user, course, catalog, at }: { user: User; course: Course; catalog: Catalog; at: string }): Promise<Assignment> {
  const assignment = await assign(db, { userId: user.id, course }, fixedClock(at));
  await workThroughCourse(db, { user, assignment, course, catalog, upTo: "quiz", password: PASSWORD, secret: SECRET, at }, fixedClock(at));
  return assignment;
}

export function consent(db: Db, { user, policy, shownAt, at, sessionId = "sess-1" }: { user: User; policy: Policy; shownAt: string; at: string; sessionId?: string }) {
  const presented = consentPresentedToken(SECRET, { userId: user.id, policy, at: shownAt });
  return giveConsent(db, { viewer: user, policy, form: { consent: "on", name: user.name, presented }, ip: "198.51.100.4", userAgent: "Consent test", sessionId, secret: SECRET }, fixedClock(at));
}

export function signingInput(
  { user, assignment, course, policy, consent: cp, shownAt, form = {}, sessionId = "sess-1" }: { user: User; assignment: Assignment; course: Course; policy: Policy; consent: Policy | null; shownAt: string; form?: Record<string, unknown>; sessionId?: string },
) {
  const presented = presentedToken(SECRET, { assignmentId: assignment.id, policyId: policy.id, version: policy.current.version, at: shownAt });
  return {
    viewer: user,
    assignment,
    course,
    policy,
    consentPolicy: cp,
    form: { intent: "on", name: user.name, password: PASSWORD, presented, ...form },
    ip: "198.51.100.4",
    userAgent: "Signature test",
    sessionId,
    secret: SECRET,
  };
}

export function sign(db: Db, input: ReturnType<typeof signingInput>, at: string) {
  return signAttestation(db, input, fixedClock(at));
}

export function decline(db: Db, input: ReturnType<typeof signingInput>, reason: string | undefined, at: string) {
  return declineAttestation(db, { ...input, form: { presented: input.form.presented, reason }, origin: ORIGIN }, fixedClock(at));
}

export function recordPaper(
  db: Db,
  { hr, person, assignment, catalog, fields = {}, scan = { name: "signed.pdf", bytes: PDF_SCAN }, at }: { hr: User; person: User; assignment: Assignment; catalog: Catalog; fields?: Record<string, string>; scan?: { name: string; bytes: Uint8Array } | null; at: string },
) {
  return recordPaperSignature(
    db,
    {
      viewer: hr,
      personId: person.id,
      fields: { assignment: assignment.id, version: "1", signedOn: at.slice(0, 10), reason: "Asked to sign on paper (right to paper in the consent).", ...fields },
      scan,
      catalog,
      ip: "198.51.100.9",
      userAgent: "HR browser",
    },
    fixedClock(at),
  );
}
