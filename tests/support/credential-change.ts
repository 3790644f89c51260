// A password set through a mailed link, as the person does it: HR (or the person, from the
// sign-in page) asks for the link, the deliverer mints it into the mail, the person uses it.
import type { Kysely } from "kysely";
import { expect } from "vitest";
import type { DB } from "../../db/schema";
import { fixedClock } from "../../app/clock";
import { mintAccountLinkMail, requestPasswordReset, sendAccountLinkByHr } from "../../app/auth/account-links.server";
import { setPasswordWithLink } from "../../app/auth/passwords.server";

export const CHOSEN_PASSWORD = "violet tractor summit pebble";

export async function setPasswordThroughLink(
  db: Kysely<DB>,
  { user, startedBy, purpose, at }: { user: { id: string; email: string }; startedBy: string | null; purpose: "invitation" | "reset"; at: string },
): Promise<void> {
  const clock = fixedClock(at);
  if (startedBy) expect(await sendAccountLinkByHr(db, { userId: user.id, actorId: startedBy, purpose }, clock)).toMatchObject({ ok: true });
  else await requestPasswordReset(db, { email: user.email }, clock);
  const mail = await db
    .selectFrom("notifications")
    .select(["event_key", "body"])
    .where("user_id", "=", user.id)
    .where("kind", "in", ["invitation", "password_reset"])
    .orderBy("created_at", "desc")
    .executeTakeFirstOrThrow();
  const text = await mintAccountLinkMail(db, { eventKey: mail.event_key, body: mail.body }, "http://confidant.test", clock());
  const token = /\/set-password\/([a-z2-7]+)/.exec(text)![1];
  expect(await setPasswordWithLink(db, { token, form: { password: CHOSEN_PASSWORD, confirm: CHOSEN_PASSWORD } }, clock)).toMatchObject({ ok: true });
}
