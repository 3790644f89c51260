// Signing in: one generic answer for a wrong email or password, throttled per IP and per
// account, every attempt in the audit log.
import { z } from "zod";
import type { Db } from "../../db/connection";
import type { Clock } from "../clock";
import { recordAudit } from "../audit/audit.server";
import { verifyPassword, PASSWORD_MAX } from "./password.server";
import { createSession } from "./session.server";
import { recordFailure, recordSuccess, retryAfterSeconds, throttleKeys } from "./throttle.server";

export const loginSchema = z.object({
  email: z.string().trim().toLowerCase().email("Enter your work email address.").max(254),
  password: z.string().min(1, "Enter your password.").max(PASSWORD_MAX, "That password is too long."),
});

export type SignInResult =
  | { ok: true; token: string; userId: string }
  | { ok: false; status: 400; fieldErrors: Record<string, string>; formError?: string }
  | { ok: false; status: 429; retryAfter: number; formError: string };

export const GENERIC_LOGIN_ERROR = "That email and password do not match an active account.";

export async function signIn(
  db: Db,
  input: { form: Record<string, unknown>; ip: string | null; userAgent: string | null },
  clock: Clock,
): Promise<SignInResult> {
  const parsed = loginSchema.safeParse(input.form);
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const i of parsed.error.issues) fieldErrors[String(i.path[0])] ??= i.message;
    return { ok: false, status: 400, fieldErrors };
  }
  const { email, password } = parsed.data;
  const keys = throttleKeys(input.ip, email);
  const wait = await retryAfterSeconds(db, keys.map((k) => k.key), clock);
  if (wait > 0) {
    return { ok: false, status: 429, retryAfter: wait, formError: `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60)} minute(s).` };
  }
  const user = await db
    .selectFrom("users")
    .select(["id", "password_hash", "status"])
    .where("email", "=", email)
    .executeTakeFirst();
  const passwordOk = await verifyPassword(user?.password_hash ?? null, password);
  if (!user || !passwordOk || user.status === "inactive") {
    await recordFailure(db, keys, clock);
    await recordAudit(
      db,
      { actorId: user?.id ?? null, action: "auth.sign_in_failed", subjectType: "user", subjectId: user?.id ?? null, data: { email, ip: input.ip } },
      clock(),
    );
    return { ok: false, status: 400, fieldErrors: {}, formError: GENERIC_LOGIN_ERROR };
  }
  await recordSuccess(db, input.ip);
  const { token, sessionId } = await createSession(db, { userId: user.id, ip: input.ip, userAgent: input.userAgent }, clock);
  await recordAudit(
    db,
    { actorId: user.id, action: "auth.signed_in", subjectType: "user", subjectId: user.id, data: { ip: input.ip, session: sessionId.slice(0, 8) } },
    clock(),
  );
  return { ok: true, token, userId: user.id };
}
