// The demo organisation, served by the built app, with a Chromium page on it: what the
// browser suites that follow HR through the product start from.
import type { Browser, Page } from "playwright-core";
import { fixedClock, type Clock } from "../../app/clock";
import type { Catalog } from "../../app/courses/catalog.server";
import { refreshRollup } from "../../app/reports/rollup.server";
import { DEMO_PASSWORD, seedDemo } from "../../scripts/seed";
import { launchBrowser, newTestPage, waitForHydration, type TestPage } from "./browser";
import { freshDb, type TestDb } from "./db";
import { startTestServer, type TestServer } from "./server";
import { realCatalog, SECRET } from "./world";
import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { confirmTotp, startTotpEnrolment, totpState } from "../../app/auth/totp.server";
import type { Db } from "../../db/connection";

// HR admins must have a second factor: the demo's HR admin gets an authenticator app here, and
// signIn() answers the second step with a code computed from its key.
const totpKeys = new Map<string, { key: Uint8Array; clock: Clock }>();

const codeFor = (key: Uint8Array, at: Date, steps = 0) => generateHOTP(key, BigInt(Math.floor(at.getTime() / 30_000) + steps), 6);

export async function enrolDemoTotp(db: Db, email: string, clock: Clock): Promise<Uint8Array> {
  const user = await db.selectFrom("users").select(["id", "email"]).where("email", "=", email).executeTakeFirstOrThrow();
  await startTotpEnrolment(db, { userId: user.id, appSecret: SECRET }, clock);
  const state = await totpState(db, { userId: user.id, email, appSecret: SECRET });
  if (state.status !== "pending") throw new Error("The demo authenticator app did not start");
  const key = decodeBase32IgnorePadding(state.secret.replace(/ /g, ""));
  // Confirmed with the previous step's code, so the current step's is free for the sign-in.
  const confirmed = await confirmTotp(db, { userId: user.id, code: codeFor(key, clock(), -1), appSecret: SECRET }, clock);
  if (!confirmed.ok) throw new Error(confirmed.error);
  totpKeys.set(email, { key, clock });
  return key;
}

export interface DemoInBrowser {
  t: TestDb;
  catalog: Catalog;
  clock: Clock;
  server: TestServer;
  browser: Browser;
  tp: TestPage;
  close: () => Promise<void>;
}

/** Seeds the demo organisation as of `now` (dashboards counted), serves it, opens a page. */
export async function startDemoInBrowser(now: string): Promise<DemoInBrowser> {
  const t = await freshDb();
  const catalog = realCatalog();
  const clock = fixedClock(now);
  const seeded = await seedDemo(t.db, { catalog, secret: SECRET, clock });
  if (!seeded.seeded) throw new Error("The demo organisation was not seeded into the fresh database.");
  await refreshRollup(t.db, new Date(now));
  await enrolDemoTotp(t.db, "hr@example.com", clock);
  const server = await startTestServer({ db: t.db, catalog, clock });
  const browser = await launchBrowser();
  const tp = await newTestPage(browser, { baseURL: server.url, timeout: 20_000 });
  return {
    t,
    catalog,
    clock,
    server,
    browser,
    tp,
    close: async () => {
      await tp.close();
      await browser.close();
      await server.close();
      await t.close();
    },
  };
}

/** Signs in through the form, as a person would, and waits to leave the sign-in page. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  const totp = totpKeys.get(email);
  if (!totp) {
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.getByRole("button", { name: "Sign in" }).click()]);
    return;
  }
  await Promise.all([page.waitForURL((u) => u.pathname === "/login/verify"), page.getByRole("button", { name: "Sign in" }).click()]);
  await waitForHydration(page);
  await page.getByLabel("Code from your authenticator app").fill(codeFor(totp.key, totp.clock()));
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.getByRole("button", { name: "Continue" }).click()]);
}
