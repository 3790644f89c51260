// Setting a password: with an invitation or reset link (the person chooses it; nobody else
// sees it), or on /account by a signed-in person who types their current one. Either way every
// session of theirs ends; on /account the browser they are using gets a new one.
import { auditedTransaction } from "../audit/audit.server";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import type { Clock } from "../clock";
import { setPassword } from "../people/people.server";
import { claimAccountLink, findAccountLink } from "./account-links.server";
import { checkNewPassword } from "./password-policy.server";
import { hashPassword, verifyPassword, PASSWORD_MAX } from "./password.server";
import { createSession } from "./session.server";

export type UseLinkResult = { ok: true; email: string } | { ok: false; fieldErrors: Record<string, string> } | { ok: false; gone: true };

/** The set-password page's form. `hasSecondFactor` lowers the length rule to 8. */
export async function setPasswordWithLink(
  db: Kysely<DB>,
  { token, form, hasSecondFactor = false }: { token: string; form: Record<string, unknown>; hasSecondFactor?: boolean },
  clock: Clock,
): Promise<UseLinkResult> {
  const link = await findAccountLink(db, token, clock);
  if (!link) return { ok: false, gone: true };
  const checked = checkNewPassword(form, { name: link.name, email: link.email, hasSecondFactor });
  if (!checked.ok) return { ok: false, fieldErrors: checked.fieldErrors };
  const passwordHash = await hashPassword(checked.password);
  return auditedTransaction(db, async (trx) => {
    if (!(await claimAccountLink(trx, link, { passwordHash }, clock))) return { ok: false as const, gone: true as const };
    return { ok: true as const, email: link.email };
  });
}

export type ChangePasswordResult = { ok: true; token: string } | { ok: false; fieldErrors: Record<string, string> };

/** /account: the current password, then the new one twice. Other sessions end; the caller sets
 * the returned session's cookie. A wrong current password is a field error, not a sign-in
 * failure, and counts toward nothing but this form's answer. */
export async function changeOwnPassword(
  db: Kysely<DB>,
  { userId, form, ip, userAgent, hasSecondFactor = false }: { userId: string; form: Record<string, unknown>; ip: string | null; userAgent: string | null; hasSecondFactor?: boolean },
  clock: Clock,
): Promise<ChangePasswordResult> {
  const person = await db.selectFrom("users").select(["name", "email", "password_hash"]).where("id", "=", userId).where("status", "<>", "inactive").executeTakeFirst();
  if (!person) return { ok: false, fieldErrors: { current: "Your account is not active." } };
  const current = typeof form.current === "string" ? form.current : "";
  if (current === "" || current.length > PASSWORD_MAX) return { ok: false, fieldErrors: { current: "Enter your current password." } };
  if (!(await verifyPassword(person.password_hash, current))) return { ok: false, fieldErrors: { current: "That is not your current password." } };
  const checked = checkNewPassword(form, { name: person.name, email: person.email, hasSecondFactor });
  if (!checked.ok) return checked;
  if (checked.password === current) return { ok: false, fieldErrors: { password: "That is your current password. Choose a new one." } };
  const passwordHash = await hashPassword(checked.password);
  await auditedTransaction(db, (trx) => setPassword(trx, { userId, passwordHash, actorId: userId, data: { via: "account" } }, clock));
  const { token } = await createSession(db, { userId, ip, userAgent }, clock);
  return { ok: true, token };
}
