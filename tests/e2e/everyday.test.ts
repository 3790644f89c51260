// Everyday use in real Chromium against the demo organisation: a page that does not exist stays
// inside the layout, focus follows client-side navigation, the header folds behind a menu button
// on a phone, the home page's record columns stay on screen at 390 px, a printed receipt is the
// record without the menu, and a manager's reminders start unticked. axe-core checks each page
// visited, at 1280 and 390 px.
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { signIn, startDemoInBrowser, type DemoInBrowser } from "../support/demo-browser";
import { squash, waitForHydration } from "../support/browser";

const NOW = "2027-03-01T09:00:00.000Z";
let demo: DemoInBrowser;

beforeAll(async () => {
  demo = await startDemoInBrowser(NOW);
}, 90_000);

afterAll(async () => {
  await demo?.close();
});

/** axe-core on the page as it is now: every violation, by rule and element. */
async function axeViolations(page: Page): Promise<string[]> {
  // AxeBuilder takes a Playwright page; playwright-core's is the same object.
  const result = await new AxeBuilder({ page: page as never }).analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}`));
}

async function atBothWidths(page: Page, check: () => Promise<void>) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 844 });
    await check();
  }
}

const activeElement = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return el ? `${el.tagName.toLowerCase()}:${(el.textContent ?? "").replace(/\s+/g, " ").trim()}` : "none";
  });

test("an unknown address is a 404 inside the layout, with the menu and no script blocked", async () => {
  const { page, problems } = demo.tp;
  await signIn(page, "priya.shah@example.com");
  const before = problems.length;
  const res = await page.goto("/nope-nothing");
  expect(res?.status()).toBe(404);
  await waitForHydration(page);
  expect(squash((await page.getByRole("heading", { level: 1 }).textContent()) ?? "")).toBe("Page not found");
  expect(await page.getByText("No route matches").count()).toBe(0);
  await expect.poll(() => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My training" }).count()).toBe(1);
  // The only console error is the 404 itself: no Content-Security-Policy refusals.
  const now = problems.slice(before).map((p) => p.text);
  expect(now.filter((t) => /Content Security Policy|Refused to/i.test(t))).toEqual([]);
  await atBothWidths(page, async () => expect(await axeViolations(page)).toEqual([]));
});

test("after a client-side navigation, focus is on the new page's heading", async () => {
  const { page } = demo.tp;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/");
  await waitForHydration(page);
  // First load: focus is not moved.
  expect(await activeElement(page)).toMatch(/^body/);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
  await page.waitForURL((u) => u.pathname === "/account");
  await expect.poll(() => activeElement(page)).toMatch(/^h1:/);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My training" }).click();
  await page.waitForURL((u) => u.pathname === "/");
  await expect.poll(() => activeElement(page)).toBe("h1:Hello, Priya");
  // The next Tab goes on from the heading into the page, not back to the top of the document.
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => Boolean(document.activeElement?.closest("main")))).toBe(true);
});

test("on a phone the menu is one button; it opens, closes with Escape, and the record columns stay on screen", async () => {
  const { page } = demo.tp;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/");
  await waitForHydration(page);
  const header = page.locator("header.site-header");
  const menu = page.getByRole("button", { name: "Menu" });
  await expect.poll(() => menu.getAttribute("aria-expanded")).toBe("false");
  const headerHeight = (await header.boundingBox())!.height;
  expect(headerHeight).toBeLessThan(80);
  expect(await page.getByRole("navigation", { name: "Main" }).isVisible()).toBe(false);
  await menu.focus();
  await page.keyboard.press("Enter");
  expect(await menu.getAttribute("aria-expanded")).toBe("true");
  const nav = page.getByRole("navigation", { name: "Main" });
  expect(await nav.isVisible()).toBe(true);
  await nav.getByRole("link", { name: "My training" }).focus();
  await page.keyboard.press("Escape");
  expect(await menu.getAttribute("aria-expanded")).toBe("false");
  expect(await activeElement(page)).toBe("button:Menu");

  // Each completed course's receipt and certificate links are inside the screen's width.
  const history = page.getByRole("table", { name: "Completed" });
  const links = history.getByRole("link");
  expect(await links.count()).toBeGreaterThan(0);
  for (const link of await links.all()) {
    const box = (await link.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
  }
  await page.screenshot({ path: "/tmp/e2e-home-390.png", fullPage: true });
  await atBothWidths(page, async () => expect(await axeViolations(page)).toEqual([]));
});

test("a printed receipt shows the record without the menu or the download button", async () => {
  const { page } = demo.tp;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/");
  await waitForHydration(page);
  await page.getByRole("table", { name: "Completed" }).getByRole("link", { name: /View receipt/ }).first().click();
  await page.waitForURL((u) => u.pathname.startsWith("/receipts/"));
  await waitForHydration(page);
  const download = page.getByRole("link", { name: "Download PDF receipt" });
  expect(await download.isVisible()).toBe(true);
  await atBothWidths(page, async () => expect(await axeViolations(page)).toEqual([]));
  await page.emulateMedia({ media: "print" });
  expect(await page.locator("header.site-header").isVisible()).toBe(false);
  expect(await download.isVisible()).toBe(false);
  expect(await page.getByRole("heading", { level: 1 }).isVisible()).toBe(true);
  await page.emulateMedia({ media: "screen" });
});

test("a manager's reminder list starts unticked, and someone reminded today cannot be ticked again", async () => {
  const { page, context } = demo.tp;
  await context.clearCookies();
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, "manager@example.com");
  await page.goto("/team");
  await waitForHydration(page);
  const late = page.locator("section", { has: page.getByRole("heading", { name: "Late: remind them" }) });
  const boxes = late.getByRole("checkbox");
  expect(await boxes.count()).toBeGreaterThan(1);
  for (const box of await boxes.all()) expect(await box.isChecked()).toBe(false);
  await atBothWidths(page, async () => expect(await axeViolations(page)).toEqual([]));
  await page.setViewportSize({ width: 1280, height: 900 });

  await late.getByRole("checkbox", { name: "Tom Becker" }).check();
  await late.getByRole("button", { name: "Send reminders" }).click();
  await expect.poll(() => late.getByRole("status").locator("strong").textContent()).toBe("Sent 1 reminder.");
  // The address did not change (no "?index"), and Tom is now done for today.
  expect(new URL(page.url()).search).toBe("");
  const tom = late.getByRole("checkbox", { name: "Tom Becker" });
  await expect.poll(() => tom.isDisabled()).toBe(true);
  for (const box of await boxes.all()) expect(await box.isChecked()).toBe(false);
  const sent = await demo.t.db.selectFrom("notifications").select("user_id").where("kind", "=", "nudge").execute();
  expect(sent).toHaveLength(1);
});
