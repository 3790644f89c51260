// Signing in, in three steps so a second factor can sit between them: the password is checked
// (checkPassword: throttled, one generic answer for a wrong email or password, every attempt
// in the audit log), then any further step, then the session is made (startSession).
import { z } from "zod";
import type { Db } from "../../db/connection";
import type { Clock } from "../clock";
import { recordAudit } from "../audit/audit.server";
import { verifyPassword, PASSWORD_MAX } from "./password.server";
import { createSession } from "./session.server";
import { releaseAttempt, reserveAttempt, signInKeys } from "./throttle.server";
import type { KnownDevice } from "./device.server";
import { fieldErrorsOf } from "./password-policy.server";
import { secondFactorsOf, startPendingSignIn } from "./second-factor.server";

export const loginSchema = z.object({
  email: z.string().trim().toLowerCase().email("Enter your work email address.").max(254),
  password: z.string().min(1, "Enter your password.").max(PASSWORD_MAX, "That password is too long."),
});

export const GENERIC_LOGIN_ERROR = "That email and password do not match an active account.";

export interface SignInInput {
  form: Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
  /** From a valid device cookie, if the browser sent one. */
  device?: KnownDevice | null;
  /** PASSWORD_SIGNIN: off for everyone, or for everyone but the named break-glass HR admins. */
  passwordPolicy?: { mode: "on" | "off" | "break-glass"; breakGlass: string[] };
}

export const PASSWORD_SIGN_IN_OFF = "Password sign-in is turned off here. Use “Sign in with your company account”.";

export type PasswordCheck =
  | { ok: true; userId: string }
  | { ok: false; status: 400 | 403; fieldErrors: Record<string, string>; formError?: string }
  | { ok: false; status: 429; retryAfter: number; formError: string };

/** Step one: is this the account's password? Reserves an attempt under the throttle first. */
export async function checkPassword(db: Db, input: SignInInput, clock: Clock): Promise<PasswordCheck> {
  const parsed = loginSchema.safeParse(input.form);
  if (!parsed.success) return { ok: false, status: 400, fieldErrors: fieldErrorsOf(parsed.error) };
  const { email, password } = parsed.data;
  const user = await db.selectFrom("users").select(["id", "password_hash", "status", "is_hr"]).where("email", "=", email).executeTakeFirst();
  const policy = input.passwordPolicy ?? { mode: "on", breakGlass: [] };
  const breakGlass = policy.mode === "break-glass" && policy.breakGlass.includes(email) && Number(user?.is_hr) === 1;
  // Checked before any password is: with password sign-in off there is nothing to guess.
  if (policy.mode !== "on" && !breakGlass) return { ok: false, status: 403, fieldErrors: {}, formError: PASSWORD_SIGN_IN_OFF };
  const deviceId = user && input.device?.userId === user.id ? input.device.deviceId : null;
  const keys = signInKeys({ ip: input.ip, email, deviceId });
  const reserved = await reserveAttempt(db, keys, clock);
  if (!reserved.ok) {
    await recordAudit(db, { actorId: null, action: "auth.sign_in_throttled", subjectType: "user", subjectId: user?.id ?? null, data: { email, ip: input.ip } }, clock());
    return { ok: false, status: 429, retryAfter: reserved.retryAfter, formError: `Too many failed sign-ins. Try again in ${Math.ceil(reserved.retryAfter / 60)} minute(s).` };
  }
  const passwordOk = await verifyPassword(user?.password_hash ?? null, password);
  if (!user || !passwordOk || user.status === "inactive") {
    await recordAudit(
      db,
      { actorId: user?.id ?? null, action: "auth.sign_in_failed", subjectType: "user", subjectId: user?.id ?? null, data: { email, ip: input.ip } },
      clock(),
    );
    return { ok: false, status: 400, fieldErrors: {}, formError: GENERIC_LOGIN_ERROR };
  }
  await releaseAttempt(db, keys);
  return { ok: true, userId: user.id };
}

/** The last step: a session for someone who has proved who they are. */
export async function startSession(db: Db, { userId, ip, userAgent }: { userId: string; ip: string | null; userAgent: string | null }, clock: Clock) {
  const { token, sessionId } = await createSession(db, { userId, ip, userAgent }, clock);
  await recordAudit(db, { actorId: userId, action: "auth.signed_in", subjectType: "user", subjectId: userId, data: { ip, session: sessionId.slice(0, 8) } }, clock());
  return { token, userId };
}

export type SignInResult =
  | { ok: true; token: string; userId: string }
  | { ok: true; pendingToken: string; userId: string }
  | Exclude<PasswordCheck, { ok: true }>;

/** Password, then session; for a person with a second factor, a pending sign-in in between
 * that only the second factor turns into a session (finishSignIn). */
export async function signIn(db: Db, input: SignInInput & { redirectTo?: string }, clock: Clock): Promise<SignInResult> {
  const checked = await checkPassword(db, input, clock);
  if (!checked.ok) return checked;
  if ((await secondFactorsOf(db, checked.userId)).any) {
    const pendingToken = await startPendingSignIn(db, { userId: checked.userId, redirectTo: input.redirectTo ?? "/", ip: input.ip, userAgent: input.userAgent }, clock);
    return { ok: true, pendingToken, userId: checked.userId };
  }
  const session = await startSession(db, { userId: checked.userId, ip: input.ip, userAgent: input.userAgent }, clock);
  return { ok: true, ...session };
}
