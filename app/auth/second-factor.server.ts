// The second step of signing in, and re-authentication at signing. A correct password for a
// person with a second factor opens a pending sign-in, not a session: a random token in a
// short-lived cookie whose hash is stored, valid for 10 minutes and 5 tries, that only the
// second factor (authenticator code, recovery code or passkey) turns into a session. Sole
// writer of `pending_sign_ins`.
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import type { Db } from "../../db/connection";
import type { Clock } from "../clock";
import { sha256Hex } from "../hash.server";
import { randomId } from "../ids.server";
import { recordAudit } from "../audit/audit.server";
import { createSession, readCookie } from "./session.server";
import { verifyPassword } from "./password.server";
import { hasConfirmedTotp, useRecoveryCode, verifyTotp } from "./totp.server";
import { PASSKEY_MESSAGES, verifyPasskey } from "./passkeys.server";

export const PENDING_MINUTES = 10;
export const PENDING_MAX_TRIES = 5;

export async function secondFactorsOf(db: Db, userId: string): Promise<{ totp: boolean; passkeys: number; any: boolean }> {
  const passkeys = await db.selectFrom("passkeys").select((eb) => eb.fn.countAll<number>().as("n")).where("user_id", "=", userId).executeTakeFirstOrThrow();
  const totp = await hasConfirmedTotp(db, userId);
  const n = Number(passkeys.n);
  return { totp, passkeys: n, any: totp || n > 0 };
}

// The pending cookie: like the session cookie, with a 10-minute life.
export function pendingCookieName(secure: boolean): string {
  return secure ? "__Host-confidant_pending" : "confidant_pending";
}

export function pendingCookie(token: string, secure: boolean): string {
  return [`${pendingCookieName(secure)}=${token}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${PENDING_MINUTES * 60}`, ...(secure ? ["Secure"] : [])].join("; ");
}

export function clearPendingCookie(secure: boolean): string {
  return [`${pendingCookieName(secure)}=`, "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=0", ...(secure ? ["Secure"] : [])].join("; ");
}

export function readPendingToken(cookieHeader: string | null | undefined, secure: boolean): string | null {
  return readCookie(cookieHeader, pendingCookieName(secure));
}

export async function startPendingSignIn(
  db: Db,
  { userId, redirectTo, ip, userAgent }: { userId: string; redirectTo: string; ip: string | null; userAgent: string | null },
  clock: Clock,
): Promise<string> {
  const now = clock();
  const id = randomId(15);
  const secret = randomId(20);
  await db.deleteFrom("pending_sign_ins").where("expires_at", "<=", now.toISOString()).execute();
  await db
    .insertInto("pending_sign_ins")
    .values({
      id,
      secret_hash: sha256Hex(secret),
      user_id: userId,
      redirect_to: redirectTo,
      ip,
      user_agent: userAgent?.slice(0, 512) ?? null,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + PENDING_MINUTES * 60_000).toISOString(),
    })
    .execute();
  return `${id}.${secret}`;
}

export interface PendingSignIn {
  id: string;
  userId: string;
  email: string;
  redirectTo: string;
  factors: { totp: boolean; passkeys: number };
}

export async function readPendingSignIn(db: Db, token: string | null, clock: Clock): Promise<PendingSignIn | null> {
  const [id, secret, extra] = (token ?? "").split(".");
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 64) return null;
  const row = await db
    .selectFrom("pending_sign_ins as p")
    .innerJoin("users as u", "u.id", "p.user_id")
    .select(["p.id", "p.secret_hash", "p.user_id", "p.redirect_to", "p.expires_at", "p.attempts", "u.email", "u.status"])
    .where("p.id", "=", id)
    .executeTakeFirst();
  if (!row) return null;
  const enc = new TextEncoder();
  if (!constantTimeEqual(enc.encode(sha256Hex(secret)), enc.encode(row.secret_hash))) return null;
  if (row.expires_at <= clock().toISOString() || row.attempts >= PENDING_MAX_TRIES || row.status === "inactive") return null;
  const factors = await secondFactorsOf(db, row.user_id);
  return { id: row.id, userId: row.user_id, email: row.email, redirectTo: row.redirect_to, factors };
}

export type SecondStepResult =
  | { ok: true; sessionToken: string; redirectTo: string; userId: string }
  | { ok: false; restart: true; error: string }
  | { ok: false; restart: false; error: string; field: "code" | "recovery" | "passkey" };

const RESTART = "Your sign-in has expired or had too many wrong codes. Enter your email and password again.";

/** The second factor for a pending sign-in: `method` is totp, recovery or passkey. */
export async function finishSignIn(
  db: Db,
  { token, form, ip, userAgent, appSecret, origin }: { token: string | null; form: Record<string, unknown>; ip: string | null; userAgent: string | null; appSecret: string; origin: string },
  clock: Clock,
): Promise<SecondStepResult> {
  const pending = await readPendingSignIn(db, token, clock);
  if (!pending) return { ok: false, restart: true, error: RESTART };
  const userId = pending.userId;
  let failure: { field: "code" | "recovery" | "passkey"; error: string } | null = null;
  if (form.method === "passkey") {
    const check = await verifyPasskey(db, { response: form.passkey, purpose: "second-factor", userId, origin }, clock);
    if (!check.ok) failure = { field: "passkey", error: PASSKEY_MESSAGES[check.problem] };
  } else if (form.method === "recovery") {
    if (!(await useRecoveryCode(db, { userId, code: form.recovery }, clock))) failure = { field: "recovery", error: "That recovery code is not correct or was already used." };
  } else {
    const check = await verifyTotp(db, { userId, code: form.code, appSecret }, clock);
    if (!check.ok) failure = { field: "code", error: check.lockedUntil ? lockedMessage(check.lockedUntil, clock) : "That code is not correct. Enter the code your authenticator app shows now." };
  }
  if (failure) {
    await db.updateTable("pending_sign_ins").set((eb) => ({ attempts: eb("attempts", "+", 1) })).where("id", "=", pending.id).execute();
    await recordAudit(db, { actorId: userId, action: "auth.second_factor_failed", subjectType: "user", subjectId: userId, data: { method: String(form.method ?? "totp").slice(0, 20), ip } }, clock());
    return { ok: false, restart: false, ...failure };
  }
  // Used once: only the request that deletes the pending row goes on to a session.
  const taken = await db.deleteFrom("pending_sign_ins").where("id", "=", pending.id).executeTakeFirst();
  if (Number(taken.numDeletedRows) !== 1) return { ok: false, restart: true, error: RESTART };
  const method = form.method === "passkey" ? "passkey" : form.method === "recovery" ? "recovery code" : "authenticator app";
  const session = await createSession(db, { userId, ip, userAgent }, clock);
  await recordAudit(db, { actorId: userId, action: "auth.signed_in", subjectType: "user", subjectId: userId, data: { ip, session: session.sessionId.slice(0, 8), secondFactor: method } }, clock());
  return { ok: true, sessionToken: session.token, redirectTo: pending.redirectTo, userId };
}

function lockedMessage(until: string, clock: Clock): string {
  const minutes = Math.max(1, Math.ceil((Date.parse(until) - clock().getTime()) / 60_000));
  return `Too many wrong codes. Try again in ${minutes} minute(s), or use a passkey or a recovery code.`;
}

export type PasskeySignIn = { ok: true; sessionToken: string; userId: string } | { ok: false; error: string };

/** Sign-in with a passkey alone (usernameless): the passkey, unlocked on the device, is both factors. */
export async function signInWithPasskey(
  db: Db,
  { response, ip, userAgent, origin }: { response: unknown; ip: string | null; userAgent: string | null; origin: string },
  clock: Clock,
): Promise<PasskeySignIn> {
  const check = await verifyPasskey(db, { response, purpose: "sign-in", userId: null, origin }, clock);
  if (!check.ok) return { ok: false, error: PASSKEY_MESSAGES[check.problem] };
  const user = await db.selectFrom("users").select("status").where("id", "=", check.userId).executeTakeFirstOrThrow();
  if (user.status === "inactive") return { ok: false, error: "That account is not active." };
  const session = await createSession(db, { userId: check.userId, ip, userAgent }, clock);
  await recordAudit(db, { actorId: check.userId, action: "auth.signed_in", subjectType: "user", subjectId: check.userId, data: { ip, session: session.sessionId.slice(0, 8), passkey: true } }, clock());
  return { ok: true, sessionToken: session.token, userId: check.userId };
}

/** The person's current password, for changes to their own sign-in methods. */
export async function passwordMatches(db: Db, { userId, password }: { userId: string; password: unknown }): Promise<boolean> {
  if (typeof password !== "string" || password.length === 0 || password.length > 256) return false;
  const user = await db.selectFrom("users").select("password_hash").where("id", "=", userId).executeTakeFirst();
  return verifyPassword(user?.password_hash ?? null, password);
}

export const SIGNING_METHODS = {
  passkey: "Signed-in session; passkey verified at signing",
  totp: "Signed-in session; authenticator app code entered at signing",
} as const;

export type SigningReauth = { ok: true; authMethod: string } | { ok: false; field: "passkey" | "totp"; error: string };

/** Re-authentication at signing with a second factor instead of the password: a passkey
 * answer (`passkey`) or an authenticator code (`totp`). Null when the form offers neither, so
 * the caller checks the password as before. */
export async function secondFactorAtSigning(
  db: Db,
  { userId, form, appSecret, origin }: { userId: string; form: Record<string, unknown>; appSecret: string; origin: string | null },
  clock: Clock,
): Promise<SigningReauth | null> {
  if (typeof form.passkey === "string" && form.passkey !== "") {
    if (!origin) return { ok: false, field: "passkey", error: PASSKEY_MESSAGES.invalid };
    const check = await verifyPasskey(db, { response: form.passkey, purpose: "signing", userId, origin }, clock);
    return check.ok ? { ok: true, authMethod: SIGNING_METHODS.passkey } : { ok: false, field: "passkey", error: PASSKEY_MESSAGES[check.problem] };
  }
  if (typeof form.totp === "string" && form.totp.trim() !== "") {
    const check = await verifyTotp(db, { userId, code: form.totp, appSecret }, clock);
    if (check.ok) return { ok: true, authMethod: SIGNING_METHODS.totp };
    return { ok: false, field: "totp", error: check.lockedUntil ? lockedMessage(check.lockedUntil, clock) : "That code is not correct. Enter the code your authenticator app shows now." };
  }
  return null;
}
