// What single sign-on does once the provider's answer is verified, on SQLite and PostgreSQL: the
// roster decides who gets in, an HR admin's second factor comes from the provider's `amr` or from
// Confidant's own second step (decision 026), OIDC_CREATE_PEOPLE adds people, and
// PASSWORD_SIGNIN turns passwords off for everyone but the named break-glass HR admins.
import { expect, test } from "vitest";
import type { Db } from "../../db/connection";
import { fixedClock } from "../../app/clock";
import { makePerson } from "../../app/demo/factories.server";
import { validateSessionToken } from "../../app/auth/session.server";
import { signIn, PASSWORD_SIGN_IN_OFF } from "../../app/auth/login.server";
import { signInWithProvider } from "../../app/people/sso-sign-in.server";
import type { ProviderIdentity } from "../../app/auth/oidc.server";
import { enrolSoftPasskey } from "../support/authenticator";
import { passwordHash, PASSWORD } from "../support/world";
import { bothDatabases } from "../support/both-databases";
import { realCatalog, COURSE_ID } from "../support/world";
import { agreementOf, consent, consentPolicy, readyToSign, signingInput } from "../support/signature";
import { signAttestation } from "../../app/attestations/attestations.server";
import { storedRowHash } from "../../app/audit/rows.server";
import { verifyAuditChain } from "../../app/audit/audit.server";

const clock = fixedClock("2027-03-01T09:00:00.000Z");
const both = bothDatabases();

const identity = (email: string, amr: string[] = []): ProviderIdentity => ({ issuer: "https://idp.example", subject: `sub-${email}`, email, authTime: null, acr: null, amr });
const meta = { redirectTo: "/", ip: "192.0.2.1", userAgent: "test" };

async function scenario(db: Db) {
  const hash = await passwordHash();
  const hr = await makePerson(db, { email: "hr@test.example", name: "Helen Harper", startDate: "2025-01-01", isHr: true, passwordHash: hash }, clock);
  await enrolSoftPasskey(db, hr, clock);
  const newHr = await makePerson(db, { email: "newhr@test.example", name: "Nina Newhr", startDate: "2025-01-01", isHr: true }, clock);
  await makePerson(db, { email: "erin@test.example", name: "Erin Walsh", startDate: "2025-01-01", passwordHash: hash }, clock);

  // The provider reported a second factor: an HR session that counts as having one.
  const withMfa = await signInWithProvider(db, { identity: identity("hr@test.example", ["pwd", "mfa"]), createPeople: false, ...meta }, clock);
  if (!withMfa.ok || !("token" in withMfa)) throw new Error("expected a session");
  expect((await validateSessionToken(db, withMfa.token, clock))?.user).toMatchObject({ id: hr.id, has_second_factor: true, sso_issuer: "https://idp.example" });

  // No second factor from the provider: the HR admin with a passkey takes Confidant's second step.
  const without = await signInWithProvider(db, { identity: identity("hr@test.example", ["pwd"]), createPeople: false, ...meta }, clock);
  expect(without).toMatchObject({ ok: true, userId: hr.id, pendingToken: expect.any(String) });
  expect("token" in without).toBe(false);

  // An HR admin with no factor anywhere gets a session that HR pages send to enrolment.
  const bare = await signInWithProvider(db, { identity: identity("newhr@test.example", ["pwd"]), createPeople: false, ...meta }, clock);
  if (!bare.ok || !("token" in bare)) throw new Error("expected a session");
  expect((await validateSessionToken(db, bare.token, clock))?.user).toMatchObject({ id: newHr.id, has_second_factor: false });

  // Unknown people: refused, unless OIDC_CREATE_PEOPLE adds them (audited, no password).
  expect(await signInWithProvider(db, { identity: identity("new@test.example"), createPeople: false, ...meta }, clock)).toMatchObject({ ok: false, status: 403 });
  expect(await db.selectFrom("users").select("id").where("email", "=", "new@test.example").execute()).toEqual([]);
  const created = await signInWithProvider(db, { identity: identity("new@test.example"), createPeople: true, ...meta }, clock);
  expect(created).toMatchObject({ ok: true, token: expect.any(String) });
  const person = await db.selectFrom("users").select(["id", "name", "status", "password_hash", "is_hr"]).where("email", "=", "new@test.example").executeTakeFirstOrThrow();
  expect(person).toMatchObject({ name: "new", status: "active", password_hash: null, is_hr: 0 });
  const audit = await db.selectFrom("audit_log").select("data_json").where("action", "=", "person.created").where("subject_id", "=", person.id).executeTakeFirstOrThrow();
  expect(JSON.parse(audit.data_json)).toMatchObject({ source: "sso", issuer: "https://idp.example", subject: "sub-new@test.example" });

  // Password sign-in off: refused before any password is checked; break-glass lets the named HR admin in.
  const form = (email: string) => ({ form: { email, password: PASSWORD }, ip: "192.0.2.1", userAgent: "test" });
  expect(await signIn(db, { ...form("erin@test.example"), passwordPolicy: { mode: "off", breakGlass: [] } }, clock)).toMatchObject({ ok: false, status: 403, formError: PASSWORD_SIGN_IN_OFF });
  const glass = { mode: "break-glass" as const, breakGlass: ["hr@test.example", "erin@test.example"] };
  expect(await signIn(db, { ...form("erin@test.example"), passwordPolicy: glass }, clock)).toMatchObject({ ok: false, status: 403 });
  expect(await signIn(db, { ...form("hr@test.example"), passwordPolicy: glass }, clock)).toMatchObject({ ok: true, pendingToken: expect.any(String) });
  expect(await signIn(db, { ...form("erin@test.example"), passwordPolicy: { mode: "on", breakGlass: [] } }, clock)).toMatchObject({ ok: true, token: expect.any(String) });
  const failed = await db.selectFrom("audit_log").select("seq").where("action", "=", "auth.sign_in_failed").execute();
  expect(failed).toEqual([]);

  // A signature made with a fresh sign-in at the provider: no password, the method names the
  // provider's answer, and the audit entry still carries the row's canonical hash.
  const catalog = realCatalog();
  const course = catalog.courses.get(COURSE_ID)!;
  const erin = await db.selectFrom("users").selectAll().where("email", "=", "erin@test.example").executeTakeFirstOrThrow();
  const at = "2027-03-01T09:00:00.000Z";
  const assignment = await readyToSign(db, { user: erin, course, catalog, at });
  await consent(db, { user: erin, policy: consentPolicy(catalog), shownAt: at, at });
  const input = signingInput({ user: erin, assignment, course, policy: agreementOf(catalog, course), consent: consentPolicy(catalog), shownAt: at, form: { password: "" } });
  const freshSso = { issuer: "https://idp.example", subject: "sub-erin", authTime: "2027-03-01T09:00:05.000Z", acr: "urn:example:loa:2", amr: ["pwd", "mfa"] };
  const signed = await signAttestation(db, { ...input, freshSso }, fixedClock("2027-03-01T09:00:10.000Z"));
  if (!signed.ok) throw new Error(JSON.stringify(signed));
  const row = await db.selectFrom("attestations").select(["id", "auth_strength", "auth_method"]).where("verification_code", "=", signed.code).executeTakeFirstOrThrow();
  expect(row.auth_strength).toBe("fresh_sso");
  expect(row.auth_method).toBe(
    "Signed-in session; fresh sign-in at the company's identity provider at signing (issuer https://idp.example; subject sub-erin; auth_time 2027-03-01T09:00:05.000Z; acr urn:example:loa:2; amr pwd mfa)",
  );
  const entry = await db.selectFrom("audit_log").select("data_json").where("action", "=", "attestation.signed").where("subject_id", "=", row.id).executeTakeFirstOrThrow();
  expect(JSON.parse(entry.data_json).rowSha256).toBe(await storedRowHash(db, "attestations", row.id));
  expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
}

test("SQLite: the roster, the HR second-factor rule, creating people and turning passwords off", async () => {
  await scenario(both.db("SQLite"));
});

test("PostgreSQL: the same", async () => {
  await scenario(both.db("PostgreSQL"));
}, 60_000);
