// Signing in with the company's identity provider, once openid-client has verified its answer:
// the person is found by the verified email (or, with OIDC_CREATE_PEOPLE=true, added to the
// roster), an inactive person is refused, and the session records the provider and subject. An
// HR admin needs a second factor (decision 011): a provider that reports one (`amr` with `mfa`
// or `hwk`) counts; otherwise an HR admin with a Confidant passkey or authenticator app takes
// that step next, as after a password (decision 026).
import type { Db } from "../../db/connection";
import type { Clock } from "../clock";
import { appendAudit, auditedTransaction, recordAudit } from "../audit/audit.server";
import { createSession } from "../auth/session.server";
import { secondFactorsOf, startPendingSignIn } from "../auth/second-factor.server";
import { providerReportedSecondFactor, type OidcFailure, type ProviderIdentity } from "../auth/oidc.server";
import { createPerson } from "./people.server";

export type SsoSignInResult = { ok: true; token: string; userId: string } | { ok: true; pendingToken: string; userId: string } | OidcFailure;

async function refuse(db: Db, identity: ProviderIdentity, userId: string | null, reason: string, message: string, clock: Clock): Promise<OidcFailure> {
  await recordAudit(db, { actorId: userId, action: "auth.sso_refused", subjectType: "user", subjectId: userId, data: { email: identity.email, issuer: identity.issuer, reason } }, clock());
  return { ok: false, status: 403, reason, message };
}

/** Finds (or, when allowed, adds) the person the provider vouched for. */
async function personFor(db: Db, identity: ProviderIdentity, createPeople: boolean, clock: Clock) {
  const found = await db.selectFrom("users").select(["id", "status", "is_hr"]).where("email", "=", identity.email).executeTakeFirst();
  if (found || !createPeople) return found ?? null;
  return auditedTransaction(db, async (trx) => {
    const name = identity.email.split("@")[0].replace(/[._-]+/g, " ");
    const person = await createPerson(trx, { email: identity.email, name, startDate: clock().toISOString().slice(0, 10) }, null, clock, { source: "sso", issuer: identity.issuer, subject: identity.subject });
    return { id: person.id, status: person.status, is_hr: person.is_hr };
  });
}

export async function signInWithProvider(
  db: Db,
  input: { identity: ProviderIdentity; createPeople: boolean; redirectTo: string; ip: string | null; userAgent: string | null },
  clock: Clock,
): Promise<SsoSignInResult> {
  const { identity } = input;
  const person = await personFor(db, identity, input.createPeople, clock);
  if (!person) return refuse(db, identity, null, "not on the roster", `Nobody on Confidant's people list has the email ${identity.email}. Ask HR to add you.`, clock);
  if (person.status === "inactive") return refuse(db, identity, person.id, "inactive", "Your Confidant account is deactivated, so you cannot sign in. Ask HR if this is a mistake.", clock);
  const mfa = providerReportedSecondFactor(identity.amr);
  if (Number(person.is_hr) === 1 && !mfa && (await secondFactorsOf(db, person.id)).any) {
    const pendingToken = await startPendingSignIn(db, { userId: person.id, redirectTo: input.redirectTo, ip: input.ip, userAgent: input.userAgent }, clock);
    return { ok: true, pendingToken, userId: person.id };
  }
  const { token, sessionId } = await createSession(db, { userId: person.id, ip: input.ip, userAgent: input.userAgent, sso: { issuer: identity.issuer, subject: identity.subject, mfa } }, clock);
  await auditedTransaction(db, (trx) =>
    appendAudit(
      trx,
      { actorId: person.id, action: "auth.signed_in", subjectType: "user", subjectId: person.id, data: { ip: input.ip, session: sessionId.slice(0, 8), via: "sso", issuer: identity.issuer, subject: identity.subject, amr: identity.amr, acr: identity.acr } },
      clock(),
    ),
  );
  return { ok: true, token, userId: person.id };
}
