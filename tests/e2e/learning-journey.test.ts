// The whole learning journey in real Chromium against the built app: the demo employee signs in,
// works through every module's scenarios, fails the quiz, passes it, signs the agreement (after
// first forgetting the intent box), and downloads the PDF receipt. Then the database is checked.
import fs from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { formatDate } from "../../app/components/format";
import { pathToEnding, wrongAnswers } from "../../app/demo/factories.server";
import { presentationFor } from "../../app/learning/quiz.server";
import { policyStatement } from "../../app/courses/catalog.server";
import { DEMO_PASSWORD } from "../../scripts/seed";
import type { TestDb } from "../support/db";
import { startDemoInBrowser, type DemoInBrowser } from "../support/demo-browser";
import { COURSE_ID, realCatalog } from "../support/world";
import type { TestServer } from "../support/server";
import { newTestPage, squash, waitForHydration, type TestPage } from "../support/browser";

const NOW = "2027-03-01T09:00:00.000Z";
const EMAIL = "employee@example.com";
const NAME = "Erin Walsh";

const catalog = realCatalog();
const course = catalog.courses.get(COURSE_ID)!;
const policy = catalog.policies.get(course.meta.policy!)!;

let demo: DemoInBrowser;
let t: TestDb;
let server: TestServer;
let browser: Browser;
let tp: TestPage;

beforeAll(async () => {
  demo = await startDemoInBrowser(NOW);
  ({ t, server, browser, tp } = demo);
}, 90_000);

afterAll(async () => {
  await demo?.close();
});

async function erin() {
  const user = await t.db.selectFrom("users").selectAll().where("email", "=", EMAIL).executeTakeFirstOrThrow();
  const assignment = await t.db.selectFrom("assignments").selectAll().where("user_id", "=", user.id).where("course_id", "=", COURSE_ID).executeTakeFirstOrThrow();
  return { user, assignment };
}

const pathname = (page: Page) => new URL(page.url()).pathname;

/** Waits for a client-side (or full) navigation to `path` and for its heading. */
async function arrive(page: Page, path: string | RegExp, heading: string) {
  await page.waitForURL((u) => (typeof path === "string" ? u.pathname === path : path.test(u.pathname)));
  await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent().then((x) => squash(x ?? ""))).toBe(heading);
}

test("a page loads with no error in the browser console, favicon included", async () => {
  const fresh = await newTestPage(browser, { baseURL: server.url });
  try {
    await fresh.page.goto("/login");
    await waitForHydration(fresh.page);
    await fresh.page.waitForLoadState("networkidle");
    // Runs first: Chromium asks for the favicon once per browser.
    expect(fresh.problems).toEqual([]);
  } finally {
    await fresh.close();
  }
});

test(
  "the demo employee learns, fails and passes the quiz, signs, and downloads the receipt",
  async () => {
    const { page, problems } = tp;
    const { user, assignment } = await erin();
    expect(assignment.completed_at).toBeNull();

    // --- Sign in --------------------------------------------------------------------------
    await page.goto("/login");
    await waitForHydration(page);
    await page.getByLabel("Work email").fill(EMAIL);
    await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await arrive(page, "/", "Hello, Erin");

    // --- Home: the course, not started, with its due date ---------------------------------
    const card = page.locator("li.assignment", { has: page.getByRole("heading", { name: course.meta.title }) });
    await expect.poll(() => card.count()).toBe(1);
    expect(squash((await card.locator(".badge").textContent()) ?? "")).toBe("Not started");
    expect(squash((await card.textContent()) ?? "")).toContain(`Due ${formatDate(assignment.due_at)} (in 30 days)`);
    expect(squash((await card.textContent()) ?? "")).toContain(`0 of ${course.modules.length} modules done`);

    await card.getByRole("link", { name: course.meta.title, exact: true }).click();
    await arrive(page, `/courses/${COURSE_ID}`, course.meta.title);
    await page.getByRole("link", { name: "Start the course" }).click();

    // --- Every module, every scenario, through the UI -------------------------------------
    for (const [i, mod] of course.modules.entries()) {
      await arrive(page, `/courses/${COURSE_ID}/${mod.slug}`, mod.title);
      expect(squash((await page.locator(".eyebrow").textContent()) ?? "")).toContain(`Module ${i + 1} of ${course.modules.length}`);
      const complete = page.getByRole("button", { name: /^Complete/ });
      if (mod.scenarios.length > 0) expect(await complete.isDisabled()).toBe(true);

      for (const sc of mod.scenarios) {
        const section = page.locator(`section[aria-labelledby="scenario-${sc.id}-title"]`);
        expect(squash((await section.locator("h2").textContent()) ?? "")).toBe(`Scenario ${sc.title}`);
        const trail = pathToEnding(sc);
        expect(trail.length).toBeGreaterThan(0);
        for (const step of trail) {
          const label = sc.steps.find((s) => s.id === step.from)!.choices.find((c) => c.to === step.to)!.label;
          const button = section.locator(`[data-step="${step.from}"]`).getByRole("button", { name: squash(label), exact: true });
          await button.click();
          await section.locator(`.scenario-step[data-step="${step.to}"]`).waitFor();
        }
        await section.getByRole("status").filter({ hasText: "Scenario complete." }).waitFor();
        // The chosen path is shown as past choices.
        expect(await section.locator(".choice-past.picked").count()).toBe(trail.length);
      }

      if (i === 0) await page.screenshot({ path: "/tmp/e2e-module.png", fullPage: true });
      await expect.poll(() => complete.isEnabled()).toBe(true);
      const name = i < course.modules.length - 1 ? "Complete and continue" : "Complete and go to the quiz";
      expect(squash((await complete.textContent()) ?? "")).toBe(name);
      await complete.click();
    }

    // --- The quiz, wrong first -------------------------------------------------------------
    const quiz = course.quiz!;
    const quizPath = `/courses/${COURSE_ID}/quiz`;
    await arrive(page, quizPath, "Check your understanding");
    const wrong = new Map(wrongAnswers(course).map(([k, v]) => [k.slice(2), v]));
    // Each attempt shows the questions drawn for it (two per module), options in its own order.
    const drawnFor = (n: number) => presentationFor(course, assignment.id, n).questions.map((d) => quiz.questions.find((q) => q.id === d.id)!);
    const drawnCount = drawnFor(1).length;
    expect(drawnCount).toBe(2 * course.modules.length);
    let attemptNumber = 0;
    const answer = async (pick: (q: (typeof quiz.questions)[number]) => string[]) => {
      attemptNumber++;
      for (const [qi, q] of drawnFor(attemptNumber).entries()) {
        const group = page.getByRole("group", { name: `Question ${qi + 1}: ${squash(q.prompt)}`, exact: true });
        for (const id of pick(q)) {
          const option = q.options.find((o) => o.id === id)!;
          await group.getByLabel(squash(option.text), { exact: true }).check();
        }
      }
      await page.getByRole("button", { name: "Submit answers" }).click();
    };
    await answer((q) => [wrong.get(q.id)!]);
    await arrive(page, new RegExp(`^${quizPath}/att_\\w+$`), "Not passed yet");
    const failedScore = squash((await page.getByRole("status").filter({ hasText: "pass mark" }).textContent()) ?? "");
    expect(failedScore).toBe(`0% · 0 of ${drawnCount} right (pass mark ${course.meta.passingScore}%)`);
    // The right answers are not shown until a pass, and no question is marked right or wrong;
    // the modules to revisit are named, each a link to its module.
    expect(await page.locator(".tag-correct").count()).toBe(0);
    expect(await page.locator(".result-mark").count()).toBe(0);
    const revisit = page.getByRole("region", { name: "Modules to revisit" });
    expect(await revisit.getByRole("link").allTextContents()).toEqual(course.modules.map((m) => m.title));

    await page.getByRole("link", { name: "Try again" }).click();
    await arrive(page, quizPath, "Check your understanding");
    // A fresh form: nothing is ticked.
    expect(await page.locator(".quiz input:checked").count()).toBe(0);
    await answer((q) => q.options.filter((o) => o.correct).map((o) => o.id));
    await arrive(page, new RegExp(`^${quizPath}/att_\\w+$`), "You passed");
    const passedScore = squash((await page.getByRole("status").filter({ hasText: "pass mark" }).textContent()) ?? "");
    expect(passedScore).toBe(`100% · ${drawnCount} of ${drawnCount} right (pass mark ${course.meta.passingScore}%)`);

    // --- Sign the agreement ----------------------------------------------------------------
    await page.getByRole("link", { name: "Continue: sign the agreement" }).click();
    const attestPath = `/courses/${COURSE_ID}/attest`;
    // Before her first electronic signature: the consent to electronic records, asked once.
    await arrive(page, attestPath, "Consent to Electronic Records and Signatures");
    const disclosure = squash((await page.getByRole("region", { name: "Consent to Electronic Records and Signatures, full text" }).textContent()) ?? "");
    expect(disclosure).toContain("Your right to paper");
    expect(disclosure).toContain("How to withdraw your consent");
    await page.getByLabel(/^I have read this disclosure/).check();
    await page.getByLabel("Your full name").fill(NAME);
    await page.getByRole("button", { name: "I agree to use electronic records" }).click();
    await arrive(page, attestPath, policy.title);
    expect(await t.db.selectFrom("electronic_consents").select("id").where("user_id", "=", user.id).execute()).toHaveLength(1);
    const text = page.getByRole("region", { name: `${policy.title}, full text` });
    const shown = squash((await text.textContent()) ?? "");
    expect(shown).toContain("This agreement explains what the company expects of you in protecting its confidential information and trade secrets");
    expect(shown).toContain("1. Who this agreement applies to");
    const statement = policyStatement(policy, policy.current.version);
    expect(squash((await page.locator("form.panel").textContent()) ?? "")).toContain(`By signing you state: ${squash(statement)}`);

    const signaturesBefore = await t.db.selectFrom("attestations").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    const intent = page.getByLabel(/^I agree to sign this document electronically/);
    expect(await intent.isChecked()).toBe(false);
    await page.getByLabel("Your full name").fill(NAME);
    await page.getByLabel("Your password").fill(DEMO_PASSWORD);
    const isSignPost = (r: { request(): { method(): string }; url(): string }) =>
      r.request().method() === "POST" && new URL(r.url()).pathname.startsWith(attestPath);
    const [refused] = await Promise.all([page.waitForResponse(isSignPost), page.getByRole("button", { name: "Sign the agreement" }).click()]);
    expect(refused.status()).toBe(400);
    await page.getByRole("alert").filter({ hasText: "The agreement was not signed" }).waitFor();
    expect(squash((await page.locator("#intent-error").textContent()) ?? "")).toBe("Tick the box to confirm you intend to sign.");
    expect(await intent.getAttribute("aria-invalid")).toBe("true");
    expect(pathname(page)).toBe(attestPath);
    // Nothing was signed: no attestation for Erin, none at all added.
    expect(await t.db.selectFrom("attestations").select("id").where("user_id", "=", user.id).execute()).toEqual([]);
    const signaturesAfter = await t.db.selectFrom("attestations").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    expect(signaturesAfter.n).toBe(signaturesBefore.n);
    expect((await erin()).assignment.completed_at).toBeNull();

    await intent.check();
    await page.getByLabel("Your full name").fill(NAME);
    await page.getByLabel("Your password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign the agreement" }).click();

    // --- The receipt -----------------------------------------------------------------------
    await arrive(page, /^\/receipts\/[^/]+$/, policy.title);
    const code = decodeURIComponent(pathname(page).split("/")[2]);
    const manifestation = page.locator("section.manifestation");
    expect(squash((await manifestation.locator(".signature").textContent()) ?? "")).toBe(NAME);
    const when = squash((await manifestation.locator("strong").first().textContent()) ?? "");
    expect(when).toBe("1 March 2027, 09:00:00 UTC");
    expect(squash((await manifestation.textContent()) ?? "")).toContain(`Meaning of this signature: ${squash(statement)}`);
    await page.screenshot({ path: "/tmp/e2e-receipt.png", fullPage: true });

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download PDF receipt" }).click()]);
    expect(download.suggestedFilename()).toBe(`confidant-receipt-${code}.pdf`);
    const file = await download.path();
    const pdf = fs.readFileSync(file!);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.length).toBeGreaterThan(1000);

    // --- What the database now says --------------------------------------------------------
    const signed = await t.db.selectFrom("attestations").selectAll().where("user_id", "=", user.id).execute();
    expect(signed).toHaveLength(1);
    expect(signed[0]).toMatchObject({
      verification_code: code,
      assignment_id: assignment.id,
      policy_id: policy.id,
      policy_version: policy.current.version,
      printed_name: NAME,
      profile_name: NAME,
      signed_at: NOW,
      statement,
    });
    expect(signed[0].user_agent).toMatch(/Chrome/);
    const after = await erin();
    expect(after.assignment.completed_at).toBe(NOW);
    const attempts = await t.db.selectFrom("quiz_attempts").selectAll().where("assignment_id", "=", assignment.id).execute();
    expect(attempts.map((a) => a.passed).sort()).toEqual([0, 1]);
    expect(attempts.find((a) => a.passed === 1)!.id).toBe(signed[0].quiz_attempt_id);
    expect(attempts.find((a) => a.passed === 0)!.score).toBe(0);
    const chain = await verifyAuditChain(t.db);
    expect(chain).toMatchObject({ ok: true });

    // --- And the browser saw no errors -----------------------------------------------------
    // The one expected: the refused signature's 400, which Chromium logs as a failed load.
    const unexpected = problems.filter(
      (p) => !(p.kind === "console" && /status of 400/.test(p.text) && p.url !== undefined && new URL(p.url).pathname.startsWith(attestPath)),
    );
    expect(unexpected).toEqual([]);
  },
  180_000,
);
