// A new course, in real Chromium: HR finds it as a draft, clicks through two branches of its
// scenario in the preview (nothing recorded), reads the scenario map, publishes it after seeing
// what publishing issues, and the scheduler issues it only afterwards — exactly what was shown.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { fixedClock } from "../../app/clock";
import { readConfig } from "../../app/config.server";
import { liveCatalog } from "../../app/courses/live.server";
import { recordBaseline } from "../../app/scheduler/publishing.server";
import { runScheduler } from "../../app/scheduler/scheduler.server";
import type { Catalog } from "../../app/courses/catalog.server";
import { seedDemo } from "../../scripts/seed";
import { launchBrowser, newTestPage, squash, waitForHydration, type TestPage } from "../support/browser";
import { freshDb, type TestDb } from "../support/db";
import { enrolDemoTotp, signIn } from "../support/demo-browser";
import { startTestServer, type TestServer } from "../support/server";
import { addDraftCourse, coursesCopy } from "../support/publishing";
import { SECRET } from "../support/world";

const NOW = "2027-03-01T09:00:00.000Z";
const clock = fixedClock(NOW);
const rules = readConfig({ NODE_ENV: "test", APP_SECRET: SECRET }).reminders;
let t: TestDb;
let folder: ReturnType<typeof coursesCopy>;
let live: Catalog;
let server: TestServer;
let browser: Browser;
let tp: TestPage;

beforeAll(async () => {
  t = await freshDb();
  folder = coursesCopy();
  const before = folder.load();
  await seedDemo(t.db, { catalog: before, secret: SECRET, clock });
  await recordBaseline(t.db, before, clock());
  addDraftCourse(folder.dir);
  const drafts = folder.load();
  live = await liveCatalog(t.db, drafts);
  await enrolDemoTotp(t.db, "hr@example.com", clock);
  server = await startTestServer({ db: t.db, catalog: live, drafts, clock });
  browser = await launchBrowser();
  tp = await newTestPage(browser, { baseURL: server.url, timeout: 20_000 });
  await signIn(tp.page, "hr@example.com");
}, 120_000);

afterAll(async () => {
  await tp?.close();
  await browser?.close();
  await server?.close();
  await t?.close();
  folder?.remove();
});

const issued = async () => {
  const a = await t.db.selectFrom("assignments").select((eb) => eb.fn.countAll<number>().as("n")).where("course_id", "=", "visitor-badges").executeTakeFirstOrThrow();
  const m = await t.db
    .selectFrom("notifications as n")
    .innerJoin("assignments as a", "a.id", "n.assignment_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("a.course_id", "=", "visitor-badges")
    .executeTakeFirstOrThrow();
  return { assignments: Number(a.n), emails: Number(m.n) };
};
const recorded = async () => Number((await t.db.selectFrom("scenario_choices").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);

test("HR previews a draft through two branches, sees its map, publishes it with the count preview, and only then does the scheduler issue it", async () => {
  const { page } = tp;
  // Before publishing, a scheduler run issues the draft to nobody.
  await runScheduler(t.db, { catalog: live, now: clock(), rules, origin: server.url });
  expect(await issued()).toEqual({ assignments: 0, emails: 0 });

  await page.goto("/hr/courses");
  await waitForHydration(page);
  expect(squash(await page.locator('tr[data-course="visitor-badges"]').innerText())).toContain("Draft");
  await page.getByRole("link", { name: "Visitors and Badges" }).click();
  await page.waitForURL(/\/hr\/courses\/visitor-badges$/);
  await page.getByRole("link", { name: "At the door" }).click();
  await page.waitForURL(/\/preview\/at-the-door$/);
  await waitForHydration(page);
  const choicesBefore = await recorded();

  // The first branch, to its poor ending.
  const scenario = page.locator("section.scenario");
  await scenario.getByRole("button", { name: "Hold the door: he has his hands full" }).click();
  await expect.poll(() => scenario.locator('[data-step="hold-door"]').count()).toBe(1);
  await scenario.getByRole("button", { name: "Let him get on with it" }).click();
  await expect.poll(async () => squash(await scenario.innerText())).toContain("Poor outcome");
  // Back to the start, and the other branch, to the best ending.
  await scenario.getByRole("button", { name: "Try another path" }).click();
  await scenario.getByRole("button", { name: "Ask him, politely, to badge in or wait at reception" }).click();
  await expect.poll(async () => squash(await scenario.innerText())).toContain("Best outcome");
  expect(await scenario.locator('[data-step="hold-door"]').count()).toBe(0);
  expect(await recorded()).toBe(choicesBefore); // nothing recorded

  // The map: an image with a text alternative, and every path written out.
  const map = page.locator('figure.scenario-map[data-scenario="tailgater"]');
  const svg = map.locator('svg[role="img"]');
  expect(await svg.isVisible()).toBe(true);
  expect(await svg.locator('[data-step]').count()).toBe(5);
  expect(await map.locator("ol.map-paths li").allInnerTexts()).toEqual([
    "start — “Hold the door: he has his hands full” → hold-door — “Let him get on with it” → let-go (poor outcome)",
    "start — “Hold the door: he has his hands full” → hold-door — “Call security and stay with him until they come” → call-security (acceptable outcome)",
    "start — “Ask him, politely, to badge in or wait at reception” → ask-badge (best outcome)",
  ]);

  // Publishing shows what it will do first, from the scheduler's own dry run.
  await page.getByRole("link", { name: "Back to publishing" }).click();
  await page.waitForURL(/\/hr\/courses\/visitor-badges$/);
  await waitForHydration(page);
  await page.getByRole("button", { name: "Show what publishing does" }).click();
  const heading = page.locator("#plan-h");
  await heading.waitFor();
  const people = Number(
    (await t.db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n")).where("status", "=", "active").where("start_date", "<=", NOW.slice(0, 10)).executeTakeFirstOrThrow()).n,
  );
  const shown = people.toLocaleString("en");
  expect(await heading.innerText()).toBe(`Publishing issues ${shown} assignments, ${shown} emails`);
  expect(await issued()).toEqual({ assignments: 0, emails: 0 });
  await Promise.all([page.waitForURL(/\/hr\/courses$/), page.getByRole("button", { name: `Publish: issue ${shown} assignments, ${shown} emails` }).click()]);
  await waitForHydration(page);
  expect(squash(await page.locator("main").innerText())).toContain(`Published Visitors and Badges: the next scheduler run issues ${shown} assignments and ${shown} emails.`);
  expect(squash(await page.locator('tr[data-course="visitor-badges"]').innerText())).toContain("Published");
  expect(await issued()).toEqual({ assignments: 0, emails: 0 }); // the scheduler has not run yet

  await runScheduler(t.db, { catalog: live, now: clock(), rules, origin: server.url });
  expect(await issued()).toEqual({ assignments: people, emails: people });
  expect(tp.problems).toEqual([]);
}, 120_000);
