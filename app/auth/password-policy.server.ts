// What a new password must be, after NIST SP 800-63B rev. 4 (§3.1.1.2): long enough for the
// factors it stands with (15 characters alone, 8 beside a second factor), up to 128, any
// characters (each Unicode code point counts as one), no composition rules, and refused when it
// is common or guessable from the person's own name and email. Guessability is zxcvbn-ts's
// estimate with its common and English dictionaries; the message says why a password failed.
import { ZxcvbnFactory, type ZxcvbnResult } from "@zxcvbn-ts/core";
import * as zxcvbnCommon from "@zxcvbn-ts/language-common";
import * as zxcvbnEn from "@zxcvbn-ts/language-en";
import { z, type ZodError } from "zod";
import { PASSWORD_MAX } from "./password.server";

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
}

/** The length rule for a person: 15 characters when the password is their only factor, 8 when
 * they also have a second factor. */
export function passwordPolicyFor({ hasSecondFactor }: { hasSecondFactor: boolean }): PasswordPolicy {
  return { minLength: hasSecondFactor ? 8 : 15, maxLength: PASSWORD_MAX };
}

/** zxcvbn's score runs 0–4; 3 means about 10^8 guesses or more. */
const MIN_SCORE = 3;

let estimator: ZxcvbnFactory | undefined;
function zxcvbn(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    translations: zxcvbnEn.translations,
    graphs: zxcvbnCommon.adjacencyGraphs,
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
  });
  return estimator;
}

/** The words a guesser who knows the person would try first. */
export function personalWords({ name, email }: { name: string; email: string }): string[] {
  const lower = email.toLowerCase();
  const [local = "", domain = ""] = lower.split("@");
  const parts = [...name.toLowerCase().split(/[^\p{L}\p{N}]+/u), ...local.split(/[^\p{L}\p{N}]+/u), ...domain.split(".").slice(0, -1)];
  const words = new Set([lower, local, name.toLowerCase(), name.toLowerCase().replace(/\s+/g, ""), "confidant", ...parts.filter((w) => w.length >= 3)]);
  words.delete("");
  return [...words];
}

/** Share of the password made of the person's own name, email or the app's name. */
function personalShare(result: ZxcvbnResult, length: number): number {
  let covered = 0;
  for (const m of result.sequence) {
    if (m.pattern === "dictionary" && m.dictionaryName === "userInputs") covered += m.j - m.i + 1;
  }
  return length === 0 ? 0 : covered / length;
}

const characters = (s: string) => [...s].length;

/** Why a new password is refused, in a sentence for the person; null when it is acceptable. */
export function passwordProblem(password: string, who: { name: string; email: string; hasSecondFactor: boolean }): string | null {
  const policy = passwordPolicyFor(who);
  const length = characters(password);
  if (length < policy.minLength) {
    return who.hasSecondFactor
      ? `Use at least ${policy.minLength} characters.`
      : `Use at least ${policy.minLength} characters: a few unrelated words make a password that is long and easy to remember.`;
  }
  if (length > policy.maxLength) return `Use at most ${policy.maxLength} characters.`;
  const result = zxcvbn().check(password, personalWords(who));
  if (personalShare(result, password.length) >= 0.5) {
    return "That password is mostly your own name or email address, which anyone who knows you would try first. Choose words that have nothing to do with you.";
  }
  if (result.score < MIN_SCORE) {
    const why = result.feedback.warning ? `${result.feedback.warning} ` : "";
    const tip = result.feedback.suggestions[0] ? `${result.feedback.suggestions[0]}` : "Add another word or two that are not common.";
    return `That password is too easy to guess. ${why}${tip}`;
  }
  return null;
}

export const newPasswordFields = z.object({
  password: z.string({ required_error: "Choose a password." }).min(1, "Choose a password.").max(4 * PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`),
  confirm: z.string({ required_error: "Type the password again." }),
});

export type NewPasswordCheck = { ok: true; password: string } | { ok: false; fieldErrors: Record<string, string> };

/** The new-password form (password + confirm) checked against the rules for this person. */
export function checkNewPassword(form: Record<string, unknown>, who: { name: string; email: string; hasSecondFactor: boolean }): NewPasswordCheck {
  const parsed = newPasswordFields.safeParse(form);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const problem = passwordProblem(parsed.data.password, who);
  if (problem) return { ok: false, fieldErrors: { password: problem } };
  if (parsed.data.password !== parsed.data.confirm) return { ok: false, fieldErrors: { confirm: "The two passwords are not the same." } };
  return { ok: true, password: parsed.data.password };
}

/** The hint shown under a new-password field. */
export function passwordHint(policy: PasswordPolicy): string {
  return `At least ${policy.minLength} characters, any you like. A few unrelated words are easy to remember and hard to guess; your name, your email and common passwords are refused.`;
}

/** A zod error as one message per field (the first). */
export function fieldErrorsOf(error: ZodError): Record<string, string> {
  const fieldErrors: Record<string, string> = {};
  for (const i of error.issues) fieldErrors[String(i.path[0])] ??= i.message;
  return fieldErrors;
}
