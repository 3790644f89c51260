// An authenticator app's one-time codes (TOTP, RFC 6238, with @oslojs/otp as in Lucia's guide)
// and the ten single-use recovery codes that stand in for it when the phone is lost. The TOTP
// key is stored sealed (AES-256-GCM under a key derived from the app secret) and shown only
// while enrolment is unconfirmed; a code is accepted once (never again in the same 30-second
// step or an earlier one); recovery codes are stored as SHA-256 hashes (80 random bits each,
// so a hash cannot be reversed by trying) and shown once. Sole writer of `totp_credentials` and
// `recovery_codes`.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { createTOTPKeyURI, verifyHOTP } from "@oslojs/otp";
import { encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { renderSVG } from "uqr";
import type { Db } from "../../db/connection";
import type { Clock } from "../clock";
import { sha256Hex } from "../hash.server";
import { randomId } from "../ids.server";
import { appendAudit, recordAudit, auditedTransaction } from "../audit/audit.server";

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
export const RECOVERY_CODE_COUNT = 10;
const ISSUER = "Confidant";

function sealingKey(appSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", appSecret, "confidant", "totp-key-sealing-v1", 32));
}

export function sealTotpKey(appSecret: string, key: Uint8Array): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealingKey(appSecret), iv);
  const body = Buffer.concat([cipher.update(key), cipher.final()]);
  return ["v1", iv.toString("base64url"), body.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(".");
}

export function openTotpKey(appSecret: string, sealed: string): Uint8Array {
  const [v, iv, body, tag] = sealed.split(".");
  if (v !== "v1" || !iv || !body || !tag) throw new Error("Unknown sealed TOTP key format");
  const decipher = createDecipheriv("aes-256-gcm", sealingKey(appSecret), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return new Uint8Array(Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]));
}

/** The 30-second step a moment falls in. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** Digits only, spaces and dashes ignored; anything else is not a code. */
export function readCode(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const code = raw.replace(/[\s-]/g, "");
  return /^[0-9]{6}$/.test(code) ? code : null;
}

/** The step the code belongs to within one step either side of now (clock drift), or null. */
function matchingStep(key: Uint8Array, code: string, now: Date): number | null {
  const step = totpStep(now);
  for (const s of [step, step - 1, step + 1]) if (verifyHOTP(key, BigInt(s), TOTP_DIGITS, code)) return s;
  return null;
}

export type TotpState =
  | { status: "off" }
  | { status: "pending"; secret: string; uri: string; qrSvg: string }
  | { status: "on"; confirmedAt: string; recoveryCodesLeft: number };

export async function totpState(db: Db, { userId, email, appSecret }: { userId: string; email: string; appSecret: string }): Promise<TotpState> {
  const row = await db.selectFrom("totp_credentials").select(["key_sealed", "confirmed_at"]).where("user_id", "=", userId).executeTakeFirst();
  if (!row) return { status: "off" };
  if (row.confirmed_at) {
    const left = await db
      .selectFrom("recovery_codes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("user_id", "=", userId)
      .where("used_at", "is", null)
      .executeTakeFirstOrThrow();
    return { status: "on", confirmedAt: row.confirmed_at, recoveryCodesLeft: Number(left.n) };
  }
  // Until it is confirmed, the person may need to scan it again; after that it is never shown.
  const key = openTotpKey(appSecret, row.key_sealed);
  const uri = createTOTPKeyURI(ISSUER, email, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
  return { status: "pending", secret: encodeBase32UpperCaseNoPadding(key).replace(/(.{4})/g, "$1 ").trim(), uri, qrSvg: renderSVG(uri, { border: 2 }) };
}

/** A new key, unconfirmed until a code from it is entered. Replaces an earlier unconfirmed one;
 * refused while a confirmed one exists (turn that off first). */
export async function startTotpEnrolment(db: Db, { userId, appSecret }: { userId: string; appSecret: string }, clock: Clock): Promise<{ ok: boolean }> {
  const key = new Uint8Array(randomBytes(20));
  const sealed = sealTotpKey(appSecret, key);
  const now = clock().toISOString();
  return auditedTransaction(db, async (trx) => {
    const existing = await trx.selectFrom("totp_credentials").select("confirmed_at").where("user_id", "=", userId).executeTakeFirst();
    if (existing?.confirmed_at) return { ok: false };
    if (existing) await trx.updateTable("totp_credentials").set({ key_sealed: sealed, created_at: now }).where("user_id", "=", userId).execute();
    else await trx.insertInto("totp_credentials").values({ user_id: userId, key_sealed: sealed, created_at: now, confirmed_at: null, last_used_step: null }).execute();
    return { ok: true };
  });
}

function newRecoveryCode(): string {
  return randomId(10).replace(/(.{4})/g, "$1-").replace(/-$/, "");
}

function recoveryHash(code: string): string {
  return sha256Hex(code.toLowerCase().replace(/[^a-z2-7]/g, ""));
}

export type ConfirmResult = { ok: true; recoveryCodes: string[] } | { ok: false; error: string };

/** Confirms enrolment with a code from the app; returns the recovery codes, shown this once. */
export async function confirmTotp(db: Db, { userId, code, appSecret }: { userId: string; code: unknown; appSecret: string }, clock: Clock): Promise<ConfirmResult> {
  const digits = readCode(code);
  if (!digits) return { ok: false, error: "Enter the 6-digit code your authenticator app shows." };
  const row = await db.selectFrom("totp_credentials").select(["key_sealed", "confirmed_at"]).where("user_id", "=", userId).executeTakeFirst();
  if (!row || row.confirmed_at) return { ok: false, error: "Start again: there is no authenticator app waiting to be confirmed." };
  const now = clock();
  const step = matchingStep(openTotpKey(appSecret, row.key_sealed), digits, now);
  if (step === null) return { ok: false, error: "That code is not correct. Check the time on your phone and enter the code shown now." };
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await auditedTransaction(db, async (trx) => {
    await trx.updateTable("totp_credentials").set({ confirmed_at: now.toISOString(), last_used_step: step }).where("user_id", "=", userId).execute();
    await trx.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
    await trx
      .insertInto("recovery_codes")
      .values(codes.map((c) => ({ id: `rc_${randomId()}`, user_id: userId, code_sha256: recoveryHash(c), created_at: now.toISOString(), used_at: null })))
      .execute();
    await appendAudit(trx, { actorId: userId, action: "auth.totp_enrolled", subjectType: "user", subjectId: userId }, now);
  });
  return { ok: true, recoveryCodes: codes };
}

export const TOTP_MAX_FAILURES = 5;
export const TOTP_LOCK_MINUTES = 15;

export type TotpCheck = { ok: true } | { ok: false; lockedUntil: string | null };

/** Accepts a code from a confirmed authenticator app once: a second use in the same step, or a
 * code from an earlier step than one already used, is refused. Five wrong codes in a row lock
 * the codes for 15 minutes (a million possible codes must not be tried at leisure). */
export async function verifyTotp(db: Db, { userId, code, appSecret }: { userId: string; code: unknown; appSecret: string }, clock: Clock): Promise<TotpCheck> {
  const now = clock();
  const row = await db
    .selectFrom("totp_credentials")
    .select(["key_sealed", "locked_until"])
    .where("user_id", "=", userId)
    .where("confirmed_at", "is not", null)
    .executeTakeFirst();
  if (!row) return { ok: false, lockedUntil: null };
  if (row.locked_until && row.locked_until > now.toISOString()) return { ok: false, lockedUntil: row.locked_until };
  const digits = readCode(code);
  const step = digits ? matchingStep(openTotpKey(appSecret, row.key_sealed), digits, now) : null;
  if (step !== null) {
    // Check and record in one statement, so two requests racing with one code cannot both pass.
    const claimed = await db
      .updateTable("totp_credentials")
      .set({ last_used_step: step, failures: 0, locked_until: null })
      .where("user_id", "=", userId)
      .where((eb) => eb.or([eb("last_used_step", "is", null), eb("last_used_step", "<", step)]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 1) return { ok: true };
  }
  const lockedUntil = new Date(now.getTime() + TOTP_LOCK_MINUTES * 60_000).toISOString();
  const after = await db
    .updateTable("totp_credentials")
    .set((eb) => ({
      failures: eb("failures", "+", 1),
      locked_until: eb.case().when("failures", ">=", TOTP_MAX_FAILURES - 1).then(lockedUntil).else(null).end(),
    }))
    .where("user_id", "=", userId)
    .returning(["locked_until"])
    .executeTakeFirst();
  return { ok: false, lockedUntil: after?.locked_until ?? null };
}

/** Spends one recovery code (once). */
export async function useRecoveryCode(db: Db, { userId, code }: { userId: string; code: unknown }, clock: Clock): Promise<boolean> {
  if (typeof code !== "string" || code.length > 40) return false;
  const hash = recoveryHash(code);
  if (hash === recoveryHash("")) return false;
  const spent = await db
    .updateTable("recovery_codes")
    .set({ used_at: clock().toISOString() })
    .where("user_id", "=", userId)
    .where("code_sha256", "=", hash)
    .where("used_at", "is", null)
    .executeTakeFirst();
  if (Number(spent.numUpdatedRows) !== 1) return false;
  await recordAudit(db, { actorId: userId, action: "auth.recovery_code_used", subjectType: "user", subjectId: userId }, clock());
  return true;
}

export async function hasConfirmedTotp(db: Db, userId: string): Promise<boolean> {
  const row = await db.selectFrom("totp_credentials").select("user_id").where("user_id", "=", userId).where("confirmed_at", "is not", null).executeTakeFirst();
  return Boolean(row);
}

/** Turns the authenticator app off (the caller has re-authenticated the person). */
export async function removeTotp(db: Db, { userId, actorId }: { userId: string; actorId: string }, clock: Clock): Promise<void> {
  await auditedTransaction(db, async (trx) => {
    await trx.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
    await trx.deleteFrom("totp_credentials").where("user_id", "=", userId).execute();
    await appendAudit(trx, { actorId, action: "auth.totp_removed", subjectType: "user", subjectId: userId }, clock());
  });
}
