// Set-password links: HR creates one for a person without a password (an imported roster) or
// who forgot theirs. The link is random (160 bits), stored only as its SHA-256, valid for 72
// hours and usable once; using it ends the person's other sessions.
import { z } from "zod";
import type { Db } from "../../db/connection";
import type { Clock } from "../clock";
import { randomId } from "../ids.server";
import { sha256Hex } from "../hash.server";
import { appendAudit, auditedTransaction } from "../audit/audit.server";
import { hashPassword, PASSWORD_MAX, PASSWORD_MIN } from "./password.server";
import { setPassword } from "../people/people.server";

export const LINK_HOURS = 72;

export async function createPasswordLink(db: Db, { userId, actorId }: { userId: string; actorId: string }, clock: Clock) {
  const now = clock();
  const token = randomId(20);
  const expiresAt = new Date(now.getTime() + LINK_HOURS * 3_600_000).toISOString();
  await auditedTransaction(db, async (trx) => {
    const person = await trx.selectFrom("users").select("status").where("id", "=", userId).executeTakeFirst();
    if (!person || person.status === "inactive") throw new Response("There is no such active person.", { status: 404 });
    // A new link replaces any earlier one that was not used.
    await trx.deleteFrom("password_links").where("user_id", "=", userId).where("used_at", "is", null).execute();
    await trx
      .insertInto("password_links")
      .values({ id: `pwl_${randomId()}`, user_id: userId, token_sha256: sha256Hex(token), created_by: actorId, created_at: now.toISOString(), expires_at: expiresAt })
      .execute();
    await appendAudit(trx, { actorId, action: "person.password_link_created", subjectType: "user", subjectId: userId, data: { expiresAt } }, now);
  });
  return { path: `/set-password/${token}`, expiresAt };
}

/** The person a token is for, if it is unused, unexpired and theirs is an active account. */
export async function findPasswordLink(db: Db, token: string, clock: Clock) {
  if (!/^[a-z2-7]{20,64}$/.test(token)) return null;
  const row = await db
    .selectFrom("password_links as l")
    .innerJoin("users as u", "u.id", "l.user_id")
    .select(["l.id", "l.user_id", "l.expires_at", "u.name", "u.email"])
    .where("l.token_sha256", "=", sha256Hex(token))
    .where("l.used_at", "is", null)
    .where("u.status", "<>", "inactive")
    .executeTakeFirst();
  if (!row || row.expires_at <= clock().toISOString()) return null;
  return row;
}

export const newPasswordSchema = z
  .object({
    password: z
      .string({ required_error: "Choose a password." })
      .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters; a short sentence is easy to remember.`)
      .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`),
    confirm: z.string({ required_error: "Type the password again." }),
  })
  .refine((f) => f.password === f.confirm, { path: ["confirm"], message: "The two passwords are not the same." });

export type UseLinkResult = { ok: true; email: string } | { ok: false; fieldErrors: Record<string, string> } | { ok: false; gone: true };

export async function usePasswordLink(db: Db, { token, form }: { token: string; form: Record<string, unknown> }, clock: Clock): Promise<UseLinkResult> {
  const link = await findPasswordLink(db, token, clock);
  if (!link) return { ok: false, gone: true };
  const parsed = newPasswordSchema.safeParse(form);
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const i of parsed.error.issues) fieldErrors[String(i.path[0])] ??= i.message;
    return { ok: false, fieldErrors };
  }
  const passwordHash = await hashPassword(parsed.data.password);
  return auditedTransaction(db, async (trx) => {
    // Single use, even when two submissions race: only one marks it used.
    const claimed = await trx.updateTable("password_links").set({ used_at: clock().toISOString() }).where("id", "=", link.id).where("used_at", "is", null).executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return { ok: false as const, gone: true as const };
    await setPassword(trx, { userId: link.user_id, passwordHash, actorId: link.user_id }, clock);
    return { ok: true as const, email: link.email };
  });
}
