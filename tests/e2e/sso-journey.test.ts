// Single sign-on against a real OpenID Provider on 127.0.0.1 (oidc-provider), in Chromium: a
// person signs in on the provider's own login page and lands at home; signing out offers the
// provider's sign-out. Refused, each with a plain page and no session: a callback with the wrong
// state, a replayed callback (the code used twice), an ID token with the wrong nonce, a person the
// roster does not have, a deactivated person, and a provider that is down (503, not 500).
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { makePerson } from "../../app/demo/factories.server";
import { startOidc } from "../../app/auth/oidc.server";
import { agreementOf, consent, consentPolicy, readyToSign } from "../support/signature";
import { makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { launchBrowser, newTestPage, squash, type TestPage } from "../support/browser";
import { CLIENT_ID, CLIENT_SECRET, reserveProvider, type TestProvider } from "../support/oidc-provider";

let w: World;
let op: TestProvider;
let server: TestServer;
let browser: Browser;
let t: TestPage;

beforeAll(async () => {
  // The provider stamps ID tokens with the real time, so the app's clock is now as well.
  w = await makeWorld(new Date().toISOString());
  op = await reserveProvider();
  server = await startTestServer(w, { OIDC_ISSUER: op.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET });
  op.start(server.url);
  for (const email of ["alice@test.example", "stranger@test.example", "gone@test.example", "bob@test.example"]) op.accounts.set(email, { email, email_verified: true });
  await makePerson(w.db, { email: "gone@test.example", name: "Gwen Gone", startDate: "2025-01-01", status: "inactive" }, w.clock);
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await op?.close();
  await w?.close();
});

/** From Confidant's sign-in page through the provider's login and consent pages; returns the
 * callback address the provider sent the browser to. */
async function signInAtProvider(page: Page, login: string, beforeCallback?: () => Promise<void>): Promise<string> {
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in with your company account" }).click();
  await page.waitForURL((u) => u.href.startsWith(op.issuer));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("anything");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).waitFor();
  let callback = "";
  const seen = (r: { url: () => string }) => {
    if (r.url().startsWith(`${server.url}/auth/oidc/callback`)) callback = r.url();
  };
  page.on("request", seen);
  await beforeCallback?.();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL((u) => u.href.startsWith(server.url));
  await page.waitForLoadState("load");
  page.off("request", seen);
  return callback;
}

const sessionsOf = async (email: string) =>
  w.db.selectFrom("sessions").innerJoin("users", "users.id", "sessions.user_id").select(["sessions.sso_issuer", "sessions.sso_subject"]).where("users.email", "=", email).execute();

test("a person signs in on the provider's login page and lands at home; a replayed callback and a wrong state are refused", async () => {
  t = await newTestPage(browser, { baseURL: server.url });
  const callback = await signInAtProvider(t.page, "alice@test.example");
  expect(new URL(t.page.url()).pathname).toBe("/");
  expect(squash(await t.page.locator("header").innerText())).toContain("Alice Archer");
  expect(await sessionsOf("alice@test.example")).toEqual([{ sso_issuer: op.issuer, sso_subject: "alice@test.example" }]);
  const audit = await w.db.selectFrom("audit_log").select("data_json").where("action", "=", "auth.signed_in").where("subject_id", "=", w.alice.id).execute();
  expect(JSON.parse(audit[0].data_json)).toMatchObject({ via: "sso", issuer: op.issuer, subject: "alice@test.example" });

  // Signing out ends the session and offers the provider's own sign-out.
  await t.page.getByRole("button", { name: "Sign out" }).click();
  await t.page.waitForURL((u) => u.pathname === "/login");
  expect(await sessionsOf("alice@test.example")).toEqual([]);
  const offer = t.page.getByRole("link", { name: "Also sign out of your company account" });
  expect(await offer.getAttribute("href")).toMatch(new RegExp(`^${op.issuer}/session/end\\?`));

  // The same callback again, even with the state cookie put back: the request was used up, so
  // the code is never exchanged twice.
  await t.context.addCookies([{ name: "confidant_oidc", value: new URL(callback).searchParams.get("state")!, url: server.url }]);
  const replay = await t.page.goto(callback);
  expect(replay?.status()).toBe(400);
  expect(squash(await t.page.getByRole("alert").innerText())).toContain("could not be completed");
  expect(await sessionsOf("alice@test.example")).toEqual([]);

  // A callback whose state is not this browser's.
  const wrong = new URL(callback);
  wrong.searchParams.set("state", "not-the-state");
  expect((await t.page.goto(wrong.href))?.status()).toBe(400);
  expect(await sessionsOf("alice@test.example")).toEqual([]);
  const confidantProblems = t.problems.filter((p) => p.page.startsWith(server.url) && !/status of 40[03]/.test(p.text));
  expect(confidantProblems).toEqual([]);
  await t.close();
}, 90_000);

test("an ID token with the wrong nonce is refused", async () => {
  t = await newTestPage(browser, { baseURL: server.url });
  await signInAtProvider(t.page, "bob@test.example", async () => {
    // The nonce the provider will put in the ID token is no longer the one Confidant expects.
    await w.db.updateTable("oidc_requests").set({ nonce: "another-nonce" }).execute();
  });
  expect(squash(await t.page.getByRole("alert").innerText())).toContain("could not be completed");
  expect(await sessionsOf("bob@test.example")).toEqual([]);
  await t.close();
}, 90_000);

test("a person the roster does not have, and a deactivated person, are refused with a plain page", async () => {
  for (const [login, text] of [["stranger@test.example", "Nobody on Confidant's people list has the email stranger@test.example"], ["gone@test.example", "deactivated"]] as const) {
    t = await newTestPage(browser, { baseURL: server.url });
    let status = 0;
    t.page.on("response", (r) => {
      if (r.url().includes("/auth/oidc/callback")) status = r.status();
    });
    await signInAtProvider(t.page, login);
    expect(status).toBe(403);
    expect(squash(await t.page.getByRole("alert").innerText())).toContain(text);
    expect(await sessionsOf(login)).toEqual([]);
    await t.close();
  }
  expect(await w.db.selectFrom("users").select("id").where("email", "=", "stranger@test.example").execute()).toEqual([]);
  const refusals = await w.db.selectFrom("audit_log").select("data_json").where("action", "=", "auth.sso_refused").execute();
  expect(refusals.map((r) => JSON.parse(r.data_json).reason)).toEqual(["not on the roster", "inactive"]);
}, 90_000);

test("signing the agreement sends the person back to the provider's login page, and the receipt names the issuer and auth_time", async () => {
  const now = new Date().toISOString();
  await readyToSign(w.db, { user: w.alice, course: w.course, catalog: w.catalog, at: now });
  await consent(w.db, { user: w.alice, policy: consentPolicy(w.catalog), shownAt: now, at: now });
  t = await newTestPage(browser, { baseURL: server.url });
  await signInAtProvider(t.page, "alice@test.example");
  expect(new URL(t.page.url()).pathname).toBe("/");
  await t.page.goto(`/courses/${w.course.id}/attest`);
  const startedAt = Math.floor(Date.now() / 1000);
  await t.page.locator("#intent").check();
  await t.page.getByLabel("Your full name").fill("Alice Archer");
  await t.page.getByRole("button", { name: "Sign the agreement" }).click();
  // prompt=login: the provider asks for the login again although its session is still open.
  await t.page.waitForURL((u) => u.href.startsWith(op.issuer));
  await t.page.locator('input[name="login"]').fill("alice@test.example");
  await t.page.locator('input[name="password"]').fill("anything");
  await t.page.getByRole("button", { name: "Sign-in" }).click();
  const consentButton = t.page.getByRole("button", { name: "Continue" });
  await Promise.race([consentButton.waitFor().then(() => consentButton.click()).catch(() => undefined), t.page.waitForURL((u) => u.pathname.startsWith("/receipts/"))]);
  await t.page.waitForURL((u) => u.pathname.startsWith("/receipts/"));
  const receipt = squash(await t.page.locator("main").innerText());
  expect(receipt).toContain(`issuer ${op.issuer}`);
  const authTime = /auth_time (\S+?)[;)]/.exec(receipt)?.[1];
  expect(Date.parse(authTime!) / 1000).toBeGreaterThanOrEqual(startedAt);
  const row = await w.db.selectFrom("attestations").select(["auth_strength", "auth_method", "outcome"]).where("user_id", "=", w.alice.id).executeTakeFirstOrThrow();
  expect(row).toMatchObject({ auth_strength: "fresh_sso", outcome: "signed" });
  expect(row.auth_method).toContain("subject alice@test.example");
  await t.close();
}, 120_000);

test("a fresh authentication for signing: the provider is asked for prompt=login and max_age=0, and an ID token older than the request is refused", async () => {
  const oidc = { issuer: op.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: "openid email", createPeople: false };
  const started = await startOidc(w.db, { oidc, callbackUrl: `${server.url}/auth/oidc/callback`, purpose: "sign", redirectTo: "/", userId: w.alice.id, loginHint: "alice@test.example" }, w.clock);
  if (!started.ok) throw new Error(started.message);
  const asked = new URL(started.url).searchParams;
  expect({ prompt: asked.get("prompt"), maxAge: asked.get("max_age"), method: asked.get("code_challenge_method") }).toEqual({ prompt: "login", maxAge: "0", method: "S256" });
  // The request is dated a minute later than the authentication the provider will report.
  await w.db.updateTable("oidc_requests").set({ created_at: new Date(Date.now() + 60_000).toISOString() }).execute();
  t = await newTestPage(browser, { baseURL: server.url });
  await t.context.addCookies([{ name: "confidant_oidc", value: asked.get("state")!, url: server.url }]);
  let status = 0;
  t.page.on("response", (r) => {
    if (r.url().startsWith(`${server.url}/auth/oidc/callback`)) status = r.status();
  });
  await t.page.goto(started.url);
  await t.page.locator('input[name="login"]').fill("alice@test.example");
  await t.page.locator('input[name="password"]').fill("anything");
  await t.page.getByRole("button", { name: "Sign-in" }).click();
  const consent = t.page.getByRole("button", { name: "Continue" });
  await Promise.race([consent.waitFor().then(() => consent.click()), t.page.waitForURL((u) => u.href.startsWith(server.url))]);
  await t.page.waitForURL((u) => u.href.startsWith(server.url));
  expect(status).toBe(403);
  expect(squash(await t.page.getByRole("alert").innerText())).toContain("did not ask for your password again");
  expect(await w.db.selectFrom("oidc_requests").select("id").execute()).toEqual([]);
  await t.close();
}, 90_000);

test("a provider that is down: a clear page with 503, not a 500, and nothing recorded", async () => {
  const down = await startTestServer(w, { OIDC_ISSUER: "http://127.0.0.1:9/", OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET });
  try {
    t = await newTestPage(browser, { baseURL: down.url });
    await t.page.goto("/login");
    const [answer] = await Promise.all([t.page.waitForResponse((r) => r.url().endsWith("/auth/oidc")), t.page.getByRole("button", { name: "Sign in with your company account" }).click()]);
    expect({ status: answer.status(), url: answer.url(), location: answer.headers()["location"] }).toMatchObject({ status: 503 });
    expect(squash(await t.page.getByRole("alert").innerText())).toContain("sign-in service is not answering");
    expect(await w.db.selectFrom("oidc_requests").select("id").execute()).toEqual([]);
    await t.close();
  } finally {
    await down.close();
  }
}, 60_000);
