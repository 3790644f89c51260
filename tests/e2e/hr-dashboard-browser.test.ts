// HR's pages in real Chromium: each hydrates with no console error (no CSP violation, no
// hydration mismatch), the charts are SVG with no inline styles, the filters are a GET form whose
// URL can be shared, and the two everyday actions work by clicking: remind ticked people from the
// overdue list, and grant an extension from a person's record.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { TestDb } from "../support/db";
import { signIn, startDemoInBrowser, type DemoInBrowser } from "../support/demo-browser";
import { squash, waitForHydration, type TestPage } from "../support/browser";

const NOW = "2027-03-01T09:00:00.000Z";
let t: TestDb;
let demo: DemoInBrowser;
let tp: TestPage;

beforeAll(async () => {
  demo = await startDemoInBrowser(NOW);
  ({ t, tp } = demo);
  await signIn(tp.page, "hr@example.com");
}, 120_000);

afterAll(async () => {
  await demo?.close();
});

test("the overview hydrates cleanly, draws its charts as SVG, and filters through the URL", async () => {
  const { page } = tp;
  await page.goto("/hr");
  await waitForHydration(page);
  expect(await page.locator("svg.chart-svg rect").count()).toBeGreaterThan(0);
  expect(await page.locator("svg.breakdown-bar").count()).toBe(3);
  expect(await page.locator("[style]").count()).toBe(0);
  await page.selectOption("#f-department", "Engineering");
  await page.selectOption("#f-type", "contractor");
  await Promise.all([page.waitForURL(/department=Engineering/), page.click("form[role=search] button[type=submit]")]);
  await waitForHydration(page);
  expect(page.url()).toContain("type=contractor");
  expect(squash(await page.locator(".hr-showing").innerText())).toBe("Showing: Engineering · Contractors");
  expect(tp.problems).toEqual([]);
});

test("overdue people can be ticked and reminded; a second reminder the same day is not sent", async () => {
  const { page } = tp;
  await page.goto("/hr/overdue");
  await waitForHydration(page);
  const boxes = page.locator("input[name=assignment]:not([disabled])");
  expect(await boxes.count()).toBeGreaterThanOrEqual(2);
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.click("text=Remind selected people now");
  await page.waitForSelector("p.notice[role=status]");
  expect(squash(await page.locator("p.notice[role=status]").innerText())).toBe("Reminder queued for 2 people.");
  // Those two cannot be ticked again today.
  expect(await page.locator("input[name=assignment][disabled]").count()).toBeGreaterThanOrEqual(2);
  const sent = await t.db.selectFrom("notifications").select("event_key").where("event_key", "like", "hr-reminder:%").execute();
  expect(sent).toHaveLength(2);
  expect(tp.problems).toEqual([]);
});

test("a person's record hydrates, and an extension is granted from it", async () => {
  const { page } = tp;
  const tom = await t.db.selectFrom("users").select("id").where("email", "=", "tom.becker@example.com").executeTakeFirstOrThrow();
  await page.goto(`/hr/people/${tom.id}`);
  await waitForHydration(page);
  expect(await page.locator("a", { hasText: "Evidence pack" }).getAttribute("href")).toBe(`/hr/people/${tom.id}/evidence`);
  await page.click("details.hr-manage summary");
  const form = page.locator("details.hr-manage form").first();
  await form.locator("input[name=due]").fill("2027-04-30");
  await form.locator("textarea[name=reason]").fill("Agreed with his manager after the launch");
  await form.locator("button[type=submit]").click();
  await page.waitForSelector("p.notice[role=status]");
  expect(squash(await page.locator("p.notice[role=status]").innerText())).toContain("Extended: now due 30 April 2027");
  // A reason that is too short is refused, with the message by the field.
  await page.click("details.hr-manage summary");
  const again = page.locator("details.hr-manage form").first();
  await again.locator("input[name=due]").fill("2027-05-30");
  await again.locator("textarea[name=reason]").fill("no");
  await again.locator("button[type=submit]").click();
  await page.waitForSelector(".field-error");
  expect(await page.locator(".field-error").first().innerText()).toContain("at least 5 characters");
  expect(tp.problems.filter((p) => !/status of 400/.test(p.text))).toEqual([]);
});

test("the assignment form hydrates, previews a department with its count, and assigns on confirmation", async () => {
  const { page } = tp;
  tp.problems.length = 0;
  await page.goto("/hr/assign");
  await waitForHydration(page);
  await page.selectOption("#course", "leading-a-culture-of-confidentiality");
  await page.check("#group-department");
  await page.selectOption("#department", "Sales");
  await page.fill("#cycle", "sales-review-2027");
  await page.fill("#due", "2027-03-31");
  await page.fill("#reason", "Customer lists shared outside the CRM");
  await page.click("button:has-text('Assign')");
  // First the preview: nothing is assigned yet, focus is on it, and it says what will happen.
  const preview = page.getByRole("region", { name: "Check before assigning" });
  await preview.waitFor();
  await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("Check before assigning");
  expect(squash(await preview.innerText())).toContain("Issues 8 assignments and sends 8 emails");
  expect(await t.db.selectFrom("assignments").select("id").where("cycle", "=", "sales-review-2027").execute()).toEqual([]);
  await preview.getByRole("button", { name: "Assign to 8 people" }).click();
  await page.waitForSelector("p.notice[role=status]");
  expect(squash(await page.locator("p.notice[role=status]").innerText())).toContain("for everyone active in Sales: assigned to 8 people.");
  expect(tp.problems).toEqual([]);
});
