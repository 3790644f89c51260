// Passkeys (WebAuthn, with @simplewebauthn/server): registration on the account page, sign-in
// without a password (the passkey is both factors: something you have, unlocked by something
// you are or know), the second step after a password, and re-authentication at signing. Only
// public keys are stored. Every challenge is stored server-side, bound to its purpose (and to
// the person, when one is known), used once (deleted as it is read) and expires after five
// minutes. The origin and RP ID come from APP_ORIGIN. Sole writer of `passkeys` and
// `webauthn_challenges`.
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import type { Db } from "../../db/connection";
import type { Clock } from "../clock";
import { appendAudit, auditedTransaction } from "../audit/audit.server";

export const CHALLENGE_MINUTES = 5;
export type PasskeyPurpose = "register" | "sign-in" | "second-factor" | "signing";

export function relyingParty(origin: string) {
  const url = new URL(origin);
  return { rpID: url.hostname, origin: url.origin, rpName: "Confidant" };
}

async function storeChallenge(db: Db, { challenge, purpose, userId }: { challenge: string; purpose: PasskeyPurpose; userId: string | null }, clock: Clock) {
  const now = clock();
  // Housekeeping: challenges nobody answered are of no use once expired.
  await db.deleteFrom("webauthn_challenges").where("expires_at", "<=", now.toISOString()).execute();
  await db
    .insertInto("webauthn_challenges")
    .values({ challenge, purpose, user_id: userId, created_at: now.toISOString(), expires_at: new Date(now.getTime() + CHALLENGE_MINUTES * 60_000).toISOString() })
    .execute();
}

/** Takes a challenge out of the store: it answers once, and only for its purpose and in time. */
async function takeChallenge(db: Db, { challenge, purpose }: { challenge: string; purpose: PasskeyPurpose }, clock: Clock) {
  const row = await db
    .deleteFrom("webauthn_challenges")
    .where("challenge", "=", challenge)
    .where("purpose", "=", purpose)
    .returning(["user_id", "expires_at"])
    .executeTakeFirst();
  if (!row || row.expires_at <= clock().toISOString()) return null;
  return { userId: row.user_id };
}

async function passkeyDescriptors(db: Db, userId: string) {
  const rows = await db.selectFrom("passkeys").select(["id", "transports"]).where("user_id", "=", userId).execute();
  return rows.map((r) => ({ id: r.id, transports: r.transports ? (JSON.parse(r.transports) as string[]) : undefined }));
}

export async function passkeyRegistrationOptions(
  db: Db,
  { user, origin }: { user: { id: string; email: string; name: string }; origin: string },
  clock: Clock,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const rp = relyingParty(origin);
  const options = await generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpID,
    userName: user.email,
    userDisplayName: user.name,
    userID: new TextEncoder().encode(user.id),
    attestationType: "none",
    excludeCredentials: await passkeyDescriptors(db, user.id),
    // Discoverable, so it can sign in without the email typed first.
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
    timeout: CHALLENGE_MINUTES * 60_000,
  });
  await storeChallenge(db, { challenge: options.challenge, purpose: "register", userId: user.id }, clock);
  return options;
}

/** Options for proving possession of a passkey: anyone's (sign-in without a password), or one of
 * a known person's (after their password, or at signing). */
export async function passkeyAuthenticationOptions(
  db: Db,
  { userId, purpose, origin }: { userId: string | null; purpose: Exclude<PasskeyPurpose, "register">; origin: string },
  clock: Clock,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(origin).rpID,
    allowCredentials: userId ? await passkeyDescriptors(db, userId) : [],
    userVerification: purpose === "sign-in" ? "required" : "preferred",
    timeout: CHALLENGE_MINUTES * 60_000,
  });
  await storeChallenge(db, { challenge: options.challenge, purpose, userId }, clock);
  return options;
}

/** The browser's answer, parsed; its challenge read from the signed client data. */
function readCredential<T extends { id: string; response: { clientDataJSON: string } }>(raw: unknown): { credential: T; challenge: string } | null {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 32_000) return null;
  try {
    const credential = JSON.parse(raw) as T;
    if (typeof credential?.id !== "string" || typeof credential.response?.clientDataJSON !== "string") return null;
    const client = JSON.parse(Buffer.from(credential.response.clientDataJSON, "base64url").toString("utf8")) as { challenge?: unknown };
    return typeof client.challenge === "string" ? { credential, challenge: client.challenge } : null;
  } catch {
    return null;
  }
}

export type PasskeyProblem = "unreadable" | "expired" | "unknown" | "not-yours" | "invalid";
export type PasskeyCheck = { ok: true; userId: string; passkeyId: string } | { ok: false; problem: PasskeyProblem };

export const PASSKEY_MESSAGES: Record<PasskeyProblem, string> = {
  unreadable: "Your browser's passkey answer could not be read. Try again.",
  expired: "That passkey request has expired or was already used. Try again.",
  unknown: "That passkey is not registered with Confidant.",
  "not-yours": "That passkey belongs to another account.",
  invalid: "That passkey could not be verified. Try again.",
};

/** Verifies a passkey assertion for a purpose; with `userId`, the passkey must be theirs. */
export async function verifyPasskey(
  db: Db,
  { response, purpose, userId, origin }: { response: unknown; purpose: Exclude<PasskeyPurpose, "register">; userId: string | null; origin: string },
  clock: Clock,
): Promise<PasskeyCheck> {
  const read = readCredential<AuthenticationResponseJSON>(response);
  if (!read) return { ok: false, problem: "unreadable" };
  const challenge = await takeChallenge(db, { challenge: read.challenge, purpose }, clock);
  if (!challenge || (userId && challenge.userId !== userId)) return { ok: false, problem: "expired" };
  const stored = await db.selectFrom("passkeys").select(["id", "user_id", "public_key", "counter", "transports"]).where("id", "=", read.credential.id).executeTakeFirst();
  if (!stored) return { ok: false, problem: "unknown" };
  if (userId && stored.user_id !== userId) return { ok: false, problem: "not-yours" };
  const rp = relyingParty(origin);
  try {
    const result = await verifyAuthenticationResponse({
      response: read.credential,
      expectedChallenge: read.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      credential: { id: stored.id, publicKey: new Uint8Array(Buffer.from(stored.public_key, "base64url")), counter: Number(stored.counter), transports: stored.transports ? JSON.parse(stored.transports) : undefined },
      requireUserVerification: purpose === "sign-in",
    });
    if (!result.verified) return { ok: false, problem: "invalid" };
    await db
      .updateTable("passkeys")
      .set({ counter: result.authenticationInfo.newCounter, last_used_at: clock().toISOString() })
      .where("id", "=", stored.id)
      .execute();
  } catch {
    return { ok: false, problem: "invalid" };
  }
  return { ok: true, userId: stored.user_id, passkeyId: stored.id };
}

export type RegisterResult = { ok: true } | { ok: false; error: string };

export async function registerPasskey(
  db: Db,
  { userId, response, name, origin }: { userId: string; response: unknown; name: string; origin: string },
  clock: Clock,
): Promise<RegisterResult> {
  const read = readCredential<RegistrationResponseJSON>(response);
  if (!read) return { ok: false, error: PASSKEY_MESSAGES.unreadable };
  const challenge = await takeChallenge(db, { challenge: read.challenge, purpose: "register" }, clock);
  if (!challenge || challenge.userId !== userId) return { ok: false, error: PASSKEY_MESSAGES.expired };
  const rp = relyingParty(origin);
  let info;
  try {
    const result = await verifyRegistrationResponse({ response: read.credential, expectedChallenge: read.challenge, expectedOrigin: rp.origin, expectedRPID: rp.rpID, requireUserVerification: true });
    if (!result.verified) return { ok: false, error: PASSKEY_MESSAGES.invalid };
    info = result.registrationInfo;
  } catch {
    return { ok: false, error: PASSKEY_MESSAGES.invalid };
  }
  const now = clock();
  const taken = await db.selectFrom("passkeys").select("id").where("id", "=", info.credential.id).executeTakeFirst();
  if (taken) return { ok: false, error: "That passkey is already registered." };
  await auditedTransaction(db, async (trx) => {
    await trx
      .insertInto("passkeys")
      .values({
        id: info.credential.id,
        user_id: userId,
        public_key: Buffer.from(info.credential.publicKey).toString("base64url"),
        counter: info.credential.counter,
        transports: info.credential.transports ? JSON.stringify(info.credential.transports) : null,
        name,
        created_at: now.toISOString(),
        last_used_at: null,
      })
      .execute();
    await appendAudit(trx, { actorId: userId, action: "auth.passkey_added", subjectType: "user", subjectId: userId, data: { passkey: info.credential.id.slice(0, 12), name } }, now);
  });
  return { ok: true };
}

export async function listPasskeys(db: Db, userId: string) {
  const rows = await db.selectFrom("passkeys").select(["id", "name", "created_at", "last_used_at"]).where("user_id", "=", userId).orderBy("created_at").execute();
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
}

/** Removes one of the person's own passkeys; someone else's id removes nothing. */
export async function removePasskey(db: Db, { userId, passkeyId }: { userId: string; passkeyId: string }, clock: Clock): Promise<boolean> {
  return auditedTransaction(db, async (trx) => {
    const gone = await trx.deleteFrom("passkeys").where("id", "=", passkeyId).where("user_id", "=", userId).executeTakeFirst();
    if (Number(gone.numDeletedRows) !== 1) return false;
    await appendAudit(trx, { actorId: userId, action: "auth.passkey_removed", subjectType: "user", subjectId: userId, data: { passkey: passkeyId.slice(0, 12) } }, clock());
    return true;
  });
}
