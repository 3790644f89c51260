// The context of a signature, recorded on every attestation so that it can be reproduced later:
// the locale the text was shown in, the version of the signing page's wording, the session it
// was made in (hashed), how strongly the signer was authenticated, and when the text was shown.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { AuthStrength } from "../../db/schema";
import { sha256Hex } from "../hash.server";

/** Confidant's pages and policy texts are written in English. */
export const SIGNING_LOCALE = "en";

export const INTENT_LABEL =
  "I agree to sign this document electronically, and I intend the name I type below to be my legally binding signature.";

export const CONSENT_INTENT_LABEL =
  "I have read this disclosure, I can open and keep these records, and I agree to receive and sign records electronically.";

/** Every fixed sentence of the signing page. Its hash is the template version on each record. */
export const SIGNING_WORDING = {
  intent: INTENT_LABEL,
  statementLead: "By signing you state:",
  name: "Your full name",
  password: "Your password",
  sign: "Sign the agreement",
  decline: "I do not agree",
  declineReason: "Why not? (optional; HR will read it)",
  consentIntent: CONSENT_INTENT_LABEL,
  consentButton: "I agree to use electronic records",
} as const;

export const TEMPLATE_VERSION = `sign-page-2/${sha256Hex(JSON.stringify(SIGNING_WORDING)).slice(0, 12)}`;

export const AUTH_STRENGTH_LABEL: Record<AuthStrength, string> = {
  password_reentered: "Password re-entered at signing",
  second_factor: "Second factor confirmed at signing",
  fresh_sso: "Fresh single sign-on at signing",
};

/** Case, accents' composition and spacing do not matter; letters do. */
export function normaliseName(name: string): string {
  return name.normalize("NFKC").toLocaleLowerCase("en").replace(/\s+/g, " ").trim();
}

/** The session is recorded by a one-way hash: it identifies the session without being usable. */
export function sessionFingerprint(sessionId: string | null | undefined): string | null {
  return sessionId ? sha256Hex(`confidant-session:${sessionId}`) : null;
}

/** Whole seconds from one ISO time to another (never negative). */
export function secondsBetween(fromIso: string, toIso: string): number {
  return Math.max(0, Math.floor((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
}

// When the text was shown: issued by the page that shows it, signed so it cannot be forged.
export function presentedToken(secret: string, parts: { assignmentId: string; policyId: string; version: number; at: string }) {
  const payload = `${parts.assignmentId}|${parts.policyId}|${parts.version}|${parts.at}`;
  return `${parts.at}.${createHmac("sha256", secret).update(payload).digest("hex")}`;
}

export function readPresentedAt(secret: string, token: string, parts: { assignmentId: string; policyId: string; version: number }): string | null {
  const at = token.slice(0, token.lastIndexOf("."));
  if (!at || Number.isNaN(Date.parse(at))) return null;
  const expected = Buffer.from(presentedToken(secret, { ...parts, at }));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given) ? at : null;
}

/** Refusal text when a policy's minimum reading time has not passed, or null when it has. */
export function readingTimeLeft(minimumSeconds: number | null, presentedAt: string, now: Date): string | null {
  if (!minimumSeconds) return null;
  const spent = secondsBetween(presentedAt, now.toISOString());
  if (spent >= minimumSeconds) return null;
  const left = minimumSeconds - spent;
  return (
    `Please take the time to read the whole text: this agreement asks for at least ${minimumSeconds} seconds on it, ` +
    `and it was shown to you ${spent} second${spent === 1 ? "" : "s"} ago. You can sign in ${left} second${left === 1 ? "" : "s"}.`
  );
}
