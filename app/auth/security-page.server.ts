// The account's sign-in security page: what a person has as second factors, and the changes
// they make to them. Everything is scoped to the person signed in.
import type { Db } from "../../db/connection";
import type { Clock } from "../clock";
import { confirmTotp, removeTotp, startTotpEnrolment, totpState } from "./totp.server";
import { listPasskeys, registerPasskey, removePasskey } from "./passkeys.server";
import { passwordMatches } from "./second-factor.server";

interface Person {
  id: string;
  email: string;
  is_hr: number;
}

export async function securityPage(db: Db, { viewer, appSecret }: { viewer: Person; appSecret: string }) {
  const totp = await totpState(db, { userId: viewer.id, email: viewer.email, appSecret });
  const passkeys = await listPasskeys(db, viewer.id);
  return { isHr: viewer.is_hr === 1, hasSecondFactor: totp.status === "on" || passkeys.length > 0, totp, passkeys };
}

export type SecurityResult = { ok: true; message: string | null; recoveryCodes?: string[] } | { ok: false; field: string; error: string };

const WRONG_PASSWORD = "That password is not correct.";

export async function securityAction(
  db: Db,
  { viewer, form, appSecret, origin }: { viewer: Person; form: Record<string, unknown>; appSecret: string; origin: string },
  clock: Clock,
): Promise<SecurityResult> {
  const userId = viewer.id;
  switch (form.intent) {
    case "totp-start": {
      const started = await startTotpEnrolment(db, { userId, appSecret }, clock);
      return started.ok ? { ok: true, message: null } : { ok: false, field: "code", error: "Your authenticator app is already on. Turn it off first to set up another." };
    }
    case "totp-confirm": {
      const confirmed = await confirmTotp(db, { userId, code: form.code, appSecret }, clock);
      return confirmed.ok ? { ok: true, message: null, recoveryCodes: confirmed.recoveryCodes } : { ok: false, field: "code", error: confirmed.error };
    }
    case "totp-remove": {
      if (!(await passwordMatches(db, { userId, password: form.password }))) return { ok: false, field: "totp-remove", error: WRONG_PASSWORD };
      await removeTotp(db, { userId, actorId: userId }, clock);
      return { ok: true, message: "Your authenticator app is off, and its recovery codes no longer work." };
    }
    case "passkey-add": {
      const name = typeof form.name === "string" ? form.name.trim() : "";
      if (name.length > 60) return { ok: false, field: "name", error: "Use at most 60 characters." };
      if (!(await passwordMatches(db, { userId, password: form.password }))) return { ok: false, field: "password", error: WRONG_PASSWORD };
      const added = await registerPasskey(db, { userId, response: form.passkey, name: name || `Passkey added ${clock().toISOString().slice(0, 10)}`, origin }, clock);
      return added.ok ? { ok: true, message: "Your passkey is added. You can sign in with it." } : { ok: false, field: "passkey", error: added.error };
    }
    case "passkey-remove": {
      const removed = typeof form.passkeyId === "string" && (await removePasskey(db, { userId, passkeyId: form.passkeyId }, clock));
      return removed ? { ok: true, message: "The passkey is removed." } : { ok: false, field: "passkey-remove", error: "There is no such passkey on your account." };
    }
    default:
      return { ok: false, field: "intent", error: "That request could not be read. Reload the page and try again." };
  }
}
