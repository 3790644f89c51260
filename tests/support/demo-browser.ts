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
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.getByRole("button", { name: "Sign in" }).click()]);
}
