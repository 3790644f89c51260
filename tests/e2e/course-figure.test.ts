// In real Chromium: a learner's module page shows the course's figure (loaded from the media
// route under the page's CSP), with its alt text, and the page reports no errors.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { workThroughCourse } from "../../app/demo/factories.server";
import { assignCourse, makeWorld, PASSWORD, SECRET, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { launchBrowser, newTestPage, waitForHydration, type TestPage } from "../support/browser";

let w: World;
let server: TestServer;
let browser: Browser;
let tp: TestPage;

beforeAll(async () => {
  w = await makeWorld();
  const a = await assignCourse(w, w.alice);
  // The figure is in the third module; modules open in order.
  await workThroughCourse(w.db, { user: w.alice, assignment: a, course: w.course, catalog: w.catalog, upTo: "modules", modules: 2, password: PASSWORD, secret: SECRET }, w.clock);
  server = await startTestServer(w);
  browser = await launchBrowser();
  tp = await newTestPage(browser, { baseURL: server.url, timeout: 20_000 });
  const [name, value] = (await server.login(w.alice.email)).split("=");
  await tp.context.addCookies([{ name, value, url: server.url }]);
}, 90_000);

afterAll(async () => {
  await tp?.close();
  await browser?.close();
  await server?.close();
  await w?.close();
});

test("the need-to-know figure loads and is described", async () => {
  const { page, problems } = tp;
  await page.goto(`/courses/${w.course.id}/handling-and-access`);
  await waitForHydration(page);
  const img = page.locator("figure.course-figure img");
  await img.waitFor();
  expect(await img.getAttribute("alt")).toMatch(/^Three roles and three folders\./);
  await page.waitForFunction(() => {
    const el = document.querySelector<HTMLImageElement>("figure.course-figure img");
    return el !== null && el.complete && el.naturalWidth > 0;
  });
  expect(await page.locator("figure.course-figure figcaption").textContent()).toBe("Least privilege: each role reaches the folders its work needs, and nothing else.");
  expect(problems).toEqual([]);
});
