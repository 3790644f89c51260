// Database sessions after Lucia's guide: the cookie holds `id.secret`; the database stores
// only SHA-256(secret), compared in constant time. Sessions end after a period of inactivity
// and after an absolute lifetime, and all of a person's sessions end when their password
// changes or they are deactivated.
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import type { Db } from "../../db/connection";
import { sha256Hex } from "../hash.server";
import type { User } from "../../db/schema";
import type { Clock } from "../clock";
import { randomId } from "../ids.server";

export const INACTIVITY_TIMEOUT_MS = 12 * 60 * 60 * 1000;
export const ABSOLUTE_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
/** Sliding the inactivity window costs a write; do it at most this often. */
const TOUCH_INTERVAL_MS = 5 * 60 * 1000;

export type SessionUser = Pick<
  User,
  "id" | "email" | "name" | "is_hr" | "type" | "status" | "manager_id" | "department"


> & {
  /** A confirmed authenticator app or at least one passkey (HR admins must have one), or a
   * single sign-on whose provider reported a second factor (decision 026). */
  has_second_factor: boolean;
  /** The OpenID provider this session was signed in with; null for a password or passkey. */
  sso_issuer: string | null;
};

export interface ValidSession {
  sessionId: string;
  user: SessionUser;
}

function hashSecret(secret: string): string {
  return sha256Hex(secret);
}

export async function createSession(
  db: Db,
  { userId, ip, userAgent, sso }: { userId: string; ip: string | null; userAgent: string | null; sso?: { issuer: string; subject: string; mfa: boolean } },
  clock: Clock,
): Promise<{ token: string; sessionId: string }> {
  const id = randomId(15);
  const secret = randomId(20); // 160 bits
  const now = clock().toISOString();
  await db
    .insertInto("sessions")
    .values({
      id,
      secret_hash: hashSecret(secret),
      user_id: userId,
      created_at: now,
      last_verified_at: now,
      ip,
      user_agent: userAgent?.slice(0, 512) ?? null,
      sso_issuer: sso?.issuer ?? null,
      sso_subject: sso?.subject ?? null,
      sso_mfa: sso?.mfa ? 1 : 0,
    })
    .execute();
  return { token: `${id}.${secret}`, sessionId: id };
}

export async function validateSessionToken(
  db: Db,
  token: string,
  clock: Clock,
): Promise<ValidSession | null> {
  const [id, secret, extra] = token.split(".");
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 64) return null;
  const row = await db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select([
      "sessions.id as sessionId",
      "sessions.secret_hash",
      "sessions.created_at",
      "sessions.last_verified_at",
      "sessions.sso_issuer",
      "sessions.sso_mfa",
      "users.id",
      "users.email",
      "users.name",
      "users.is_hr",
      "users.type",
      "users.status",
      "users.manager_id",
      "users.department",
    ])
    .select((eb) => [
      eb.exists(eb.selectFrom("passkeys").select("passkeys.id").whereRef("passkeys.user_id", "=", "users.id")).as("has_passkey"),
      eb
        .exists(eb.selectFrom("totp_credentials").select("totp_credentials.user_id").whereRef("totp_credentials.user_id", "=", "users.id").where("totp_credentials.confirmed_at", "is not", null))
        .as("has_totp"),
    ])
    .where("sessions.id", "=", id)
    .executeTakeFirst();
  if (!row) return null;
  const enc = new TextEncoder();
  if (!constantTimeEqual(enc.encode(hashSecret(secret)), enc.encode(row.secret_hash))) return null;

  const now = clock().getTime();
  const expired =
    now - Date.parse(row.created_at) >= ABSOLUTE_LIFETIME_MS ||
    now - Date.parse(row.last_verified_at) >= INACTIVITY_TIMEOUT_MS ||
    row.status === "inactive";
  if (expired) {
    await db.deleteFrom("sessions").where("id", "=", id).execute();
    return null;
  }
  if (now - Date.parse(row.last_verified_at) >= TOUCH_INTERVAL_MS) {
    await db
      .updateTable("sessions")
      .set({ last_verified_at: new Date(now).toISOString() })
      .where("id", "=", id)
      .execute();
  }
  const { sessionId, secret_hash: _h, created_at: _c, last_verified_at: _l, has_passkey, has_totp, sso_mfa, ...user } = row;
  // SQLite answers 0/1, PostgreSQL true/false.
  return { sessionId, user: { ...user, has_second_factor: Boolean(Number(has_passkey)) || Boolean(Number(has_totp)) || Number(sso_mfa) === 1 } };
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom("sessions").where("id", "=", sessionId).execute();
}

export async function invalidateUserSessions(db: Pick<Db, "deleteFrom">, userId: string): Promise<void> {
  await db.deleteFrom("sessions").where("user_id", "=", userId).execute();
}

// Cookies. Secure (and so the __Host- prefix) whenever the app is served over https.
export function sessionCookieName(secure: boolean): string {
  return secure ? "__Host-confidant_session" : "confidant_session";
}

export function sessionCookie(token: string, secure: boolean): string {
  const parts = [
    `${sessionCookieName(secure)}=${token}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${Math.floor(ABSOLUTE_LIFETIME_MS / 1000)}`,
  ];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

export function clearSessionCookie(secure: boolean): string {
  const parts = [`${sessionCookieName(secure)}=`, "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=0"];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

export function readSessionToken(cookieHeader: string | null | undefined, secure: boolean): string | null {
  return readCookie(cookieHeader, sessionCookieName(secure));
}

/** One cookie's value from a Cookie header. */
export function readCookie(cookieHeader: string | null | undefined, name: string): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=") || null;
  }
  return null;
}
