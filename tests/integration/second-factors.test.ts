// Second factors over HTTP: an authenticator app (codes computed here from the key the page
// shows), recovery codes, passkeys (a software authenticator), the second step at sign-in,
// HR admins sent to enrol, and a second factor as the re-authentication at signing.
import { afterEach, beforeEach, expect, test } from "vitest";
import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { presentedToken } from "../../app/attestations/attestations.server";
import { SIGNING_METHODS } from "../../app/auth/second-factor.server";
import { workThroughCourse } from "../../app/demo/factories.server";
import type { Assignment } from "../../db/schema";
import { assignCourse, makeWorld, PASSWORD, SECRET, type World } from "../support/world";
import { consent, consentPolicy } from "../support/signature";
import { startTestServer, type TestServer } from "../support/server";
import { createPasskey, usePasskey, type SoftPasskey } from "../support/authenticator";

let w: World;
let server: TestServer;
let now: number;
beforeEach(async () => {
  w = await makeWorld();
  now = Date.parse("2027-03-01T09:00:00.000Z");
  server = await startTestServer({ db: w.db, catalog: w.catalog, clock: () => new Date(now) });
});
afterEach(async () => {
  await server.close();
  await w.close();
});

const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith(`${name}=`) && c.length > name.length + 1);
const codeAt = (key: Uint8Array, at: number) => generateHOTP(key, BigInt(Math.floor(at / 30_000)), 6);

/** Enrols Alice's authenticator app through the account page; returns its key and recovery codes. */
async function enrolTotp(cookie: string) {
  expect((await server.post("/account/security", { intent: "totp-start" }, cookie)).status).toBe(200);
  const page = await (await server.get("/account/security", cookie)).text();
  const secret = /data-testid="totp-secret">([A-Z2-7 ]+)</.exec(page)?.[1];
  expect(secret, "the key is shown while enrolment is unconfirmed").toBeTruthy();
  expect(page).toContain("<svg");
  const key = decodeBase32IgnorePadding(secret!.replace(/ /g, ""));
  const wrong = await server.post("/account/security", { intent: "totp-confirm", code: codeAt(key, now + 600_000) }, cookie);
  expect(wrong.status).toBe(400);
  const done = await server.post("/account/security", { intent: "totp-confirm", code: codeAt(key, now - 30_000) }, cookie);
  expect(done.status).toBe(200);
  const html = await done.text();
  const codes = [...html.matchAll(/<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})<\/code>/g)].map((m) => m[1]);
  expect(codes).toHaveLength(10);
  return { key, secret: secret!.replace(/ /g, ""), codes };
}

async function passwordStep(email = "alice@test.example") {
  const res = await server.post("/login", { email, password: PASSWORD });
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe("/login/verify");
  expect(cookieOf(res, "confidant_session"), "no session before the second factor").toBeUndefined();
  return cookieOf(res, "confidant_pending")!;
}

test("an authenticator app is enrolled on the account page: the key is stored sealed and never shown again; ten recovery codes are shown once and stored as hashes", async () => {
  const alice = await server.login("alice@test.example");
  const { secret, codes } = await enrolTotp(alice);
  const stored = JSON.stringify({
    totp: await w.db.selectFrom("totp_credentials").selectAll().execute(),
    codes: await w.db.selectFrom("recovery_codes").selectAll().execute(),
  });
  expect(stored).not.toContain(secret);
  expect(stored.toLowerCase()).not.toContain(secret.toLowerCase());
  for (const c of codes) expect(stored).not.toContain(c.replace(/-/g, ""));
  const after = await (await server.get("/account/security", alice)).text();
  expect(after).not.toContain('data-testid="totp-secret"');
  expect(after).toContain("Recovery codes left: 10 of 10");
  // Starting again while it is on is refused and changes nothing.
  const before = await w.db.selectFrom("totp_credentials").selectAll().executeTakeFirstOrThrow();
  expect((await server.post("/account/security", { intent: "totp-start" }, alice)).status).toBe(400);
  expect(await w.db.selectFrom("totp_credentials").selectAll().executeTakeFirstOrThrow()).toEqual(before);
});

test("after a correct password the code is asked for; wrong, replayed and old codes are refused; the right one signs in once", async () => {
  const { key } = await enrolTotp(await server.login("alice@test.example"));
  const pending = await passwordStep();
  // The pending cookie is not a session.
  expect((await server.get("/account", pending)).headers.get("location")).toMatch(/^\/login/);
  const page = await server.get("/login/verify", pending);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("Code from your authenticator app");

  const wrong = await server.post("/login/verify", { method: "totp", code: "000000" === codeAt(key, now) ? "111111" : "000000" }, pending);
  expect(wrong.status).toBe(400);
  expect(await wrong.text()).toContain("That code is not correct.");
  // The code used to confirm enrolment (the step before) cannot be used again.
  const replayedConfirm = await server.post("/login/verify", { method: "totp", code: codeAt(key, now - 30_000) }, pending);
  expect(replayedConfirm.status).toBe(400);
  const ok = await server.post("/login/verify", { method: "totp", code: codeAt(key, now) }, pending);
  expect(ok.status).toBe(302);
  const session = cookieOf(ok, "confidant_session");
  expect(session).toBeTruthy();
  expect((await server.get("/account", session)).status).toBe(200);

  // The same code again, within its 30 seconds, from a new sign-in: refused.
  const again = await passwordStep();
  const replay = await server.post("/login/verify", { method: "totp", code: codeAt(key, now) }, again);
  expect(replay.status).toBe(400);
  expect(cookieOf(replay, "confidant_session")).toBeUndefined();
  // The pending sign-in was used up by the first success: its cookie signs nobody in.
  expect((await server.post("/login/verify", { method: "totp", code: codeAt(key, now + 30_000) }, pending)).headers.get("location")).toBe("/login");
  const actions = (await w.db.selectFrom("audit_log").select("action").execute()).map((a) => a.action);
  expect(actions).toContain("auth.totp_enrolled");
  expect(actions).toContain("auth.second_factor_failed");
});

test("five wrong codes end the pending sign-in and lock codes for 15 minutes", async () => {
  const { key } = await enrolTotp(await server.login("alice@test.example"));
  const pending = await passwordStep();
  for (let i = 0; i < 4; i++) expect((await server.post("/login/verify", { method: "totp", code: "12345x" }, pending)).status).toBe(400);
  // The fifth ends this sign-in: back to the password.
  expect((await server.post("/login/verify", { method: "totp", code: "12345x" }, pending)).headers.get("location")).toBe("/login");
  expect((await server.post("/login/verify", { method: "totp", code: codeAt(key, now) }, pending)).headers.get("location")).toBe("/login");
  const fresh = await passwordStep();
  const locked = await server.post("/login/verify", { method: "totp", code: codeAt(key, now) }, fresh);
  expect(locked.status).toBe(400);
  expect(await locked.text()).toContain("Too many wrong codes");
  now += 15 * 60_000;
  const later = await passwordStep();
  expect((await server.post("/login/verify", { method: "totp", code: codeAt(key, now) }, later)).status).toBe(302);
});

test("the second step lasts 10 minutes; then the password is asked again", async () => {
  const { key } = await enrolTotp(await server.login("alice@test.example"));
  const pending = await passwordStep();
  now += 10 * 60_000;
  expect((await server.get("/login/verify", pending)).headers.get("location")).toBe("/login");
  expect((await server.post("/login/verify", { method: "totp", code: codeAt(key, now) }, pending)).headers.get("location")).toBe("/login");
});

test("a recovery code signs in once; turning the app off needs the password", async () => {
  const alice = await server.login("alice@test.example");
  const { codes } = await enrolTotp(alice);
  const first = await passwordStep();
  const ok = await server.post("/login/verify", { method: "recovery", recovery: codes[3].toUpperCase() }, first);
  expect(ok.status).toBe(302);
  const session = cookieOf(ok, "confidant_session")!;
  const second = await passwordStep();
  const reused = await server.post("/login/verify", { method: "recovery", recovery: codes[3] }, second);
  expect(reused.status).toBe(400);
  expect(await reused.text()).toContain("not correct or was already used");
  expect(await (await server.get("/account/security", session)).text()).toContain("Recovery codes left: 9 of 10");

  expect((await server.post("/account/security", { intent: "totp-remove", password: "not my password" }, session)).status).toBe(400);
  expect(await w.db.selectFrom("totp_credentials").select("user_id").execute()).toHaveLength(1);
  expect((await server.post("/account/security", { intent: "totp-remove", password: PASSWORD }, session)).status).toBe(200);
  expect(await w.db.selectFrom("recovery_codes").select("id").execute()).toHaveLength(0);
  // Without a second factor, the password alone signs in again.
  expect((await server.post("/login", { email: "alice@test.example", password: PASSWORD })).headers.get("location")).toBe("/");
});

async function addPasskey(cookie: string): Promise<SoftPasskey> {
  const options = await (await server.post("/passkeys/options", { purpose: "register" }, cookie)).json();
  expect(options.authenticatorSelection).toMatchObject({ residentKey: "required" });
  const { passkey, response } = createPasskey(options, server.url);
  const noPassword = await server.post("/account/security", { intent: "passkey-add", name: "Laptop", passkey: response }, cookie);
  expect(noPassword.status).toBe(400);
  // The challenge was used by that refused attempt: a new one is needed.
  const again = await (await server.post("/passkeys/options", { purpose: "register" }, cookie)).json();
  const second = createPasskey(again, server.url);
  const res = await server.post("/account/security", { intent: "passkey-add", name: "Laptop", password: PASSWORD, passkey: second.response }, cookie);
  expect(res.status).toBe(200);
  return second.passkey;
}

async function passkeySignIn(passkey: SoftPasskey) {
  const options = await (await server.post("/passkeys/options", { purpose: "sign-in" })).json();
  expect(options.allowCredentials ?? []).toEqual([]);
  return server.post("/login", { intent: "passkey", redirectTo: "/account", passkey: usePasskey(passkey, options, server.url) });
}

test("a passkey is added (password required), signs in without a password, is listed and removed", async () => {
  const alice = await server.login("alice@test.example");
  const passkey = await addPasskey(alice);
  const rows = await w.db.selectFrom("passkeys").selectAll().where("user_id", "=", w.alice.id).execute();
  expect(rows).toHaveLength(1);
  expect(await (await server.get("/account/security", alice)).text()).toContain("Laptop");

  const res = await passkeySignIn(passkey);
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe("/account");
  const session = cookieOf(res, "confidant_session")!;
  expect(await (await server.get("/account", session)).text()).toContain("alice@test.example");
  // With a passkey, the password is only the first step.
  expect((await server.post("/login", { email: "alice@test.example", password: PASSWORD })).headers.get("location")).toBe("/login/verify");

  // Bob cannot remove Alice's passkey; Alice can.
  const bob = await server.login("bob@test.example");
  expect((await server.post("/account/security", { intent: "passkey-remove", passkeyId: rows[0].id }, bob)).status).toBe(400);
  expect(await w.db.selectFrom("passkeys").select("id").execute()).toHaveLength(2); // Alice's and HR's
  expect((await server.post("/account/security", { intent: "passkey-remove", passkeyId: rows[0].id }, session)).status).toBe(200);
  expect(await w.db.selectFrom("passkeys").select("id").where("user_id", "=", w.alice.id).execute()).toHaveLength(0);
  expect((await passkeySignIn(passkey)).status).toBe(400);
});

test("refused: another account's passkey as the second step, an expired challenge, a challenge answered twice", async () => {
  const alicePasskey = await addPasskey(await server.login("alice@test.example"));
  const bobPasskey = await addPasskey(await server.login("bob@test.example"));
  // Bob's password, then Alice's passkey: refused.
  const pending = await passwordStep("bob@test.example");
  const options = await (await server.post("/passkeys/options", { purpose: "second-factor" }, pending)).json();
  const foreign = await server.post("/login/verify", { method: "passkey", passkey: usePasskey(alicePasskey, options, server.url) }, pending);
  expect(foreign.status).toBe(400);
  expect(await foreign.text()).toContain("That passkey belongs to another account.");
  expect(cookieOf(foreign, "confidant_session")).toBeUndefined();

  // A challenge older than five minutes: refused.
  const stale = await (await server.post("/passkeys/options", { purpose: "sign-in" })).json();
  now += 5 * 60_000 + 1000;
  const expired = await server.post("/login", { intent: "passkey", passkey: usePasskey(bobPasskey, stale, server.url) });
  expect(expired.status).toBe(400);
  expect(await expired.text()).toContain("expired or was already used");

  // One challenge, one sign-in.
  const fresh = await (await server.post("/passkeys/options", { purpose: "sign-in" })).json();
  expect((await server.post("/login", { intent: "passkey", passkey: usePasskey(bobPasskey, fresh, server.url) })).status).toBe(302);
  expect((await server.post("/login", { intent: "passkey", passkey: usePasskey(bobPasskey, fresh, server.url) })).status).toBe(400);
  // Answers for another origin are refused.
  const other = await (await server.post("/passkeys/options", { purpose: "sign-in" })).json();
  expect((await server.post("/login", { intent: "passkey", passkey: usePasskey(bobPasskey, other, "http://evil.example") })).status).toBe(400);
  expect((await server.post("/login", { intent: "passkey", passkey: "{not json" })).status).toBe(400);
  expect((await server.post("/passkeys/options", { purpose: "nonsense" })).status).toBe(400);
});

async function readyToSign() {
  const assignment: Assignment = await assignCourse(w, w.alice);
  await workThroughCourse(w.db, { user: w.alice, assignment, course: w.course, catalog: w.catalog, upTo: "quiz", password: PASSWORD, secret: SECRET }, w.clock);
  const policy = w.catalog.policies.get(w.course.meta.policy!)!;
  const presented = presentedToken(SECRET, { assignmentId: assignment.id, policyId: policy.id, version: policy.current.version, at: "2027-03-01T08:55:00.000Z" });
  // Main's signing page asks for the consent to electronic records before the first signature.
  await consent(w.db, { user: w.alice, policy: consentPolicy(w.catalog), shownAt: "2027-03-01T08:50:00.000Z", at: "2027-03-01T08:54:00.000Z" });
  return { intent: "on", name: "Alice Archer", presented };
}

test("signing with an authenticator code instead of the password; the attestation and receipt say so; a wrong code signs nothing", async () => {
  const alice = await server.login("alice@test.example");
  const { key } = await enrolTotp(alice);
  const form = await readyToSign();
  const page = await (await server.get(`/courses/${w.course.id}/attest`, alice)).text();
  expect(page).toContain("Code from your authenticator app");
  expect(page).toContain("Use your password instead");
  const wrong = await server.post(`/courses/${w.course.id}/attest`, { ...form, totp: "000001" === codeAt(key, now) ? "000002" : "000001" }, alice);
  expect(wrong.status).toBe(400);
  expect(await w.db.selectFrom("attestations").select("id").execute()).toHaveLength(0);
  const signed = await server.post(`/courses/${w.course.id}/attest`, { ...form, totp: codeAt(key, now) }, alice);
  expect(signed.status).toBe(302);
  const row = await w.db.selectFrom("attestations").select(["auth_method", "verification_code"]).executeTakeFirstOrThrow();
  expect(row.auth_method).toBe(SIGNING_METHODS.totp);
  expect(await (await server.get(`/receipts/${row.verification_code}`, alice)).text()).toContain(SIGNING_METHODS.totp);
});

test("signing with a passkey; another account's passkey is refused at signing", async () => {
  const alice = await server.login("alice@test.example");
  const alicePasskey = await addPasskey(alice);
  const bobPasskey = await addPasskey(await server.login("bob@test.example"));
  const form = await readyToSign();
  const attest = `/courses/${w.course.id}/attest`;
  const o1 = await (await server.post("/passkeys/options", { purpose: "signing" }, alice)).json();
  const foreign = await server.post(attest, { ...form, passkey: usePasskey(bobPasskey, o1, server.url) }, alice);
  expect(foreign.status).toBe(400);
  expect(await foreign.text()).toContain("That passkey belongs to another account.");
  expect(await w.db.selectFrom("attestations").select("id").execute()).toHaveLength(0);
  const o2 = await (await server.post("/passkeys/options", { purpose: "signing" }, alice)).json();
  expect(o2.allowCredentials.map((c: { id: string }) => c.id)).toEqual([alicePasskey.credentialId]);
  const signed = await server.post(attest, { ...form, passkey: usePasskey(alicePasskey, o2, server.url) }, alice);
  expect(signed.status).toBe(302);
  const row = await w.db.selectFrom("attestations").select(["auth_method", "verification_code"]).executeTakeFirstOrThrow();
  expect(row.auth_method).toBe(SIGNING_METHODS.passkey);
  const pdfText = await (await server.get(`/receipts/${row.verification_code}`, alice)).text();
  expect(pdfText).toContain("passkey verified at signing");
});
