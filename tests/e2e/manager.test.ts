// The manager's journey in real Chromium against the built app and the demo organisation: Marcus
// signs in, sees at a glance who in his team is late, reminds Tom with a personal line, opens the
// top-compliers board and thanks the person at the top — who then signs in and sees it.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { DEMO_PASSWORD } from "../../scripts/seed";
import type { TestDb } from "../support/db";
import { startDemoInBrowser, type DemoInBrowser } from "../support/demo-browser";
import { COURSE_ID, realCatalog } from "../support/world";
import type { TestServer } from "../support/server";
import { squash, waitForHydration, type TestPage } from "../support/browser";

const NOW = "2027-03-01T09:00:00.000Z";
const catalog = realCatalog();
const course = catalog.courses.get(COURSE_ID)!;

let demo: DemoInBrowser;
let t: TestDb;
let server: TestServer;
let tp: TestPage;

beforeAll(async () => {
  demo = await startDemoInBrowser(NOW);
  ({ t, server, tp } = demo);
}, 90_000);

afterAll(async () => {
  await demo?.close();
});

const userByName = (name: string) => t.db.selectFrom("users").selectAll().where("name", "=", name).executeTakeFirstOrThrow();

async function arrive(page: Page, path: string | RegExp, heading: string) {
  await page.waitForURL((u) => (typeof path === "string" ? u.pathname === path : path.test(u.pathname)));
  await expect
    .poll(() =>
      page
        .getByRole("heading", { level: 1 })
        .textContent()
        .then((x) => squash(x ?? "")),
    )
    .toBe(heading);
}

async function signIn(page: Page, email: string, firstName: string) {
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await arrive(page, "/", `Hello, ${firstName}`);
}

test("the demo manager finds the late report, nudges them, and thanks the top complier, who sees it", async () => {
  const { page, problems } = tp;
  const tom = await userByName("Tom Becker");
  const tomAssignment = await t.db
    .selectFrom("assignments")
    .selectAll()
    .where("user_id", "=", tom.id)
    .where("course_id", "=", COURSE_ID)
    .executeTakeFirstOrThrow();

  // --- Marcus signs in and opens his team -------------------------------------------------
  await signIn(page, "manager@example.com", "Marcus");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My team" }).click();
  await arrive(page, "/team", "My team");

  // At a glance: how many people are late, and who.
  const glance = page.getByRole("list", { name: "Your team at a glance (people)" });
  expect(squash((await glance.getByRole("listitem").first().textContent()) ?? "")).toBe("2 people overdue 2 late assignments");
  const late = page.locator("section", { has: page.getByRole("heading", { name: "Late: remind them" }) });
  const tomRow = late.getByRole("row", { name: /Tom Becker/ });
  expect(squash((await tomRow.textContent()) ?? "")).toContain("20 days");
  await page.screenshot({ path: "/tmp/e2e-team.png", fullPage: true });

  // --- Remind Tom (only Tom), with a personal line -----------------------------------------
  const tomBox = late.getByRole("checkbox", { name: "Tom Becker" });
  const jonasBox = late.getByRole("checkbox", { name: "Jonas Berg" });
  // Nobody is ticked until the manager chooses.
  expect(await tomBox.isChecked()).toBe(false);
  expect(await jonasBox.isChecked()).toBe(false);
  await tomBox.check();
  await late.getByLabel("Add a personal line (optional)").fill("Tom, could you finish this before the client visit on Thursday? Thanks!");
  await late.getByRole("button", { name: "Send reminders" }).click();
  const confirmation = late.getByRole("status");
  await expect.poll(() => confirmation.locator("strong").textContent()).toBe("Sent 1 reminder.");
  expect(await confirmation.getByRole("listitem").allTextContents()).toEqual([`Reminder sent to Tom Becker about ${course.meta.title}.`]);
  // The page now marks Tom as reminded today.
  await expect.poll(() => tomRow.textContent().then((x) => squash(x ?? ""))).toContain("Reminded today");

  const outbox = await t.db.selectFrom("notifications").selectAll().where("kind", "=", "nudge").execute();
  expect(outbox).toHaveLength(1);
  expect(outbox[0]).toMatchObject({
    user_id: tom.id,
    to_email: "tom.becker@example.com",
    assignment_id: tomAssignment.id,
    event_key: `nudge:${tomAssignment.id}:2027-03-01`,
  });
  expect(outbox[0].body).toContain("Tom, could you finish this before the client visit on Thursday? Thanks!");
  expect(outbox[0].body).toContain(`${server.url}/courses/${COURSE_ID}`);

  // --- The board: who is at the top -------------------------------------------------------
  await page.getByRole("link", { name: "Top compliers" }).click();
  await arrive(page, "/team/board", "Top compliers");
  const board = page.getByRole("table", { name: "Your team's board" });
  const first = board.getByRole("row").nth(1);
  const topName = squash((await first.getByRole("rowheader").getByRole("link").textContent()) ?? "");
  expect(topName).toBe("Priya Shah");
  expect(squash((await first.locator("td.rank").textContent()) ?? "")).toBe("1");
  await page.screenshot({ path: "/tmp/e2e-board.png", fullPage: true });

  // --- Kudos to the top complier --------------------------------------------------------
  await first.getByRole("link", { name: `Send kudos to ${topName}` }).click();
  await arrive(page, "/team/kudos", `Send kudos to ${topName}`);
  const message = "Two courses, both early and right first time. Thank you for setting the standard for the platform team.";
  await page.getByLabel("Message").fill(message);
  await page.getByLabel("Badge (optional)").selectOption({ label: "Confidentiality champion" });
  await page.getByRole("button", { name: "Send kudos" }).click();
  await expect
    .poll(() =>
      page
        .getByRole("status")
        .textContent()
        .then((x) => squash(x ?? "")),
    )
    .toContain(`Kudos sent to ${topName}. They will see it on their home page and get it by email.`);

  const priya = await userByName(topName);
  const kudos = await t.db.selectFrom("kudos").selectAll().execute();
  expect(kudos).toHaveLength(1);
  expect(kudos[0]).toMatchObject({ to_user_id: priya.id, message, badge: "confidentiality-champion" });
  const mail = await t.db.selectFrom("notifications").selectAll().where("kind", "=", "kudos").execute();
  expect(mail.map((m) => [m.to_email, m.event_key])).toEqual([["priya.shah@example.com", `kudos:${kudos[0].id}`]]);

  // --- Priya signs in and sees it --------------------------------------------------------
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((u) => u.pathname === "/login");
  await signIn(page, "priya.shah@example.com", "Priya");
  const recognition = page.locator("section", { has: page.getByRole("heading", { name: "Recognition", level: 2 }) });
  const card = recognition.locator(".kudos").first();
  expect(squash((await card.textContent()) ?? "")).toBe(`From Marcus Lee, 1 March 2027${message}Confidentiality champion`);
  // Her own place and badges, and nobody else's score.
  const standing = squash((await recognition.textContent()) ?? "");
  expect(standing).toContain("You are 1st of");
  expect(standing).toContain("Early bird");
  expect(standing).not.toContain("Li Wei");
  await page.screenshot({ path: "/tmp/e2e-recognised.png", fullPage: true });

  expect((await verifyAuditChain(t.db)).ok).toBe(true);
  expect(problems).toEqual([]);
}, 180_000);
