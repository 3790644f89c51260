// The whole way in for a new person, in real Chromium with the DevTools protocol's virtual
// authenticator: imported by HR, invited by email (a real SMTP server on loopback), sets a
// password from the link, adds a passkey, signs out, signs in with the passkey alone, and signs
// the agreement re-authenticating with it. The receipt says how they re-authenticated.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, CDPSession } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { readConfig } from "../../app/config.server";
import { runOnce } from "../../app/scheduler/run.server";
import { workThroughCourse } from "../../app/demo/factories.server";
import { SIGNING_METHODS } from "../../app/auth/second-factor.server";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { makePerson } from "../../app/demo/factories.server";
import { makeWorld, passwordHash, PASSWORD, SECRET, COURSE_ID, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { startSmtp, type TestSmtp } from "../support/smtp";
import { launchBrowser, newTestPage, squash, waitForHydration, type TestPage } from "../support/browser";

const EMAIL = "nina.novak@test.example";
const NAME = "Nina Novak";
const NEW_PASSWORD = "orbit velvet canyon lantern";

let w: World;
let server: TestServer;
let smtp: TestSmtp;
let browser: Browser;
let tp: TestPage;
let cdp: CDPSession;
let dataDir: string;

beforeAll(async () => {
  w = await makeWorld();
  server = await startTestServer(w, { hostname: "localhost" });
  smtp = await startSmtp();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-passkeys-"));
  browser = await launchBrowser();
  tp = await newTestPage(browser, { baseURL: server.url, timeout: 20_000 });
  cdp = await tp.page.context().newCDPSession(tp.page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
}, 90_000);

afterAll(async () => {
  await tp?.close();
  await browser?.close();
  await server?.close();
  await smtp?.close();
  await w?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function importAndInvite() {
  const hr = await server.login("hr@test.example");
  const csv = `email,name,start_date\n${EMAIL},${NAME},2027-02-25\n`;
  const form = new FormData();
  form.append("roster", new Blob([csv], { type: "text/csv" }), "people.csv");
  const up = await fetch(`${server.url}/hr/import`, { method: "POST", body: form, redirect: "manual", headers: { Origin: server.url, Cookie: hr } });
  const location = up.headers.get("location")!;
  const preview = await (await server.get(location, hr)).text();
  const digest = /name="digest" value="([0-9a-f]{64})"/.exec(preview)![1];
  expect((await server.post(location, { intent: "confirm", digest, invite: "now" }, hr)).status).toBe(302);
  const config = readConfig({ NODE_ENV: "test", APP_ORIGIN: server.url, SMTP_URL: smtp.url, APP_SECRET: SECRET, DATA_DIR: dataDir, LOG_LEVEL: "silent" });
  await runOnce(w.db, { catalog: w.catalog, config, now: w.clock() });
  const mail = smtp.received.find((m) => m.to[0] === EMAIL && /\/set-password\//.test(m.text));
  expect(mail, "the invitation arrived by SMTP").toBeTruthy();
  const link = /https?:\/\/[^\s]+\/set-password\/[a-z2-7]+/.exec(mail!.text)![0];
  return new URL(link).pathname;
}

test("invited by email, sets a password, adds a passkey, signs in with it and signs the agreement with it", async () => {
  const { page, problems } = tp;
  const linkPath = await importAndInvite();

  // The link from the mail: set a password.
  await page.goto(linkPath);
  await waitForHydration(page);
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByLabel("Type it again").fill(NEW_PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === "/login"), page.getByRole("button", { name: /password/i }).click()]);

  // Sign in with it, then add a passkey on the account page.
  await waitForHydration(page);
  await page.getByLabel("Work email").fill(EMAIL);
  await page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.getByRole("button", { name: "Sign in", exact: true }).click()]);
  await page.goto("/account/security");
  await waitForHydration(page);
  await page.getByLabel("Name for this passkey").fill("Nina's laptop");
  await page.getByLabel("Your password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await page.getByRole("status").filter({ hasText: "Your passkey is added" }).waitFor();
  expect(squash((await page.getByRole("list", { name: "Your passkeys" }).textContent()) ?? "")).toContain("Nina's laptop");
  const nina = await w.db.selectFrom("users").select(["id", "name"]).where("email", "=", EMAIL).executeTakeFirstOrThrow();
  expect(await w.db.selectFrom("passkeys").select("id").where("user_id", "=", nina.id).execute()).toHaveLength(1);

  // Sign out, and back in with the passkey alone: no email, no password.
  await Promise.all([page.waitForURL((u) => u.pathname === "/login" || u.pathname === "/"), page.getByRole("button", { name: "Sign out" }).click()]);
  await page.goto("/login");
  await waitForHydration(page);
  await Promise.all([page.waitForURL((u) => u.pathname === "/"), page.getByRole("button", { name: "Use a passkey" }).click()]);
  expect(squash((await page.locator(".who").textContent()) ?? "")).toBe(NAME);

  // The course done (modules and quiz), the agreement is signed with the passkey.
  const user = await w.db.selectFrom("users").selectAll().where("id", "=", nina.id).executeTakeFirstOrThrow();
  const assignment = await w.db.selectFrom("assignments").selectAll().where("user_id", "=", nina.id).where("course_id", "=", COURSE_ID).executeTakeFirstOrThrow();
  await workThroughCourse(w.db, { user, assignment, course: w.course, catalog: w.catalog, upTo: "quiz", password: NEW_PASSWORD, secret: SECRET }, w.clock);
  await page.goto(`/courses/${COURSE_ID}/attest`);
  await waitForHydration(page);
  // First electronic signature: the consent to electronic records comes first, once.
  await page.getByLabel(/^I have read this disclosure/).check();
  await page.getByLabel("Your full name").fill(NAME);
  await Promise.all([page.waitForURL((u) => u.pathname === `/courses/${COURSE_ID}/attest`), page.locator('form:has(input[name="_action"][value="consent"]) button[type="submit"]').click()]);
  await page.getByLabel(/^I agree to sign this document electronically/).waitFor();
  await waitForHydration(page);
  await page.getByLabel(/^I agree to sign this document electronically/).check();
  await page.getByLabel("Your full name").fill(NAME);
  await Promise.all([page.waitForURL((u) => u.pathname.startsWith("/receipts/")), page.getByRole("button", { name: "Sign the agreement with my passkey" }).click()]);
  expect(squash((await page.locator("main").textContent()) ?? "")).toContain(SIGNING_METHODS.passkey);
  const row = await w.db.selectFrom("attestations").select(["auth_method", "printed_name"]).where("user_id", "=", nina.id).executeTakeFirstOrThrow();
  expect(row).toEqual({ auth_method: SIGNING_METHODS.passkey, printed_name: NAME });
  expect((await verifyAuditChain(w.db)).ok).toBe(true);
  // Under the app's Content-Security-Policy, with no error in the console.
  expect(problems).toEqual([]);
}, 120_000);

test("an HR admin without a second factor is sent to add one, adds a passkey, and then reaches the HR pages", async () => {
  const hana = await makePerson(w.db, { email: "hana@test.example", name: "Hana Hale", startDate: "2025-01-01", isHr: true, passwordHash: await passwordHash() }, w.clock);
  const fresh = await newTestPage(browser, { baseURL: server.url, timeout: 20_000 });
  try {
    const { page, problems } = fresh;
    const session = await page.context().newCDPSession(page);
    await session.send("WebAuthn.enable");
    await session.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    await page.goto("/login");
    await waitForHydration(page);
    await page.getByLabel("Work email").fill(hana.email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === "/"), page.getByRole("button", { name: "Sign in", exact: true }).click()]);
    await page.goto("/hr/people");
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe("/account/security?required=hr");
    await waitForHydration(page);
    await page.getByRole("alert").filter({ hasText: "HR admins must have a second factor." }).waitFor();
    await page.getByLabel("Your password").fill(PASSWORD);
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByRole("status").filter({ hasText: "Your passkey is added" }).waitFor();
    await page.goto("/hr/people");
    expect(new URL(page.url()).pathname).toBe("/hr/people");
    expect(problems).toEqual([]);
  } finally {
    await fresh.close();
  }
}, 60_000);
