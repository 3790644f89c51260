// Keyboard only, in real Chromium: sign in, open the first module, play its scenario with Tab
// and Enter/Space, and complete the module. Focus must be visible on the choices, and after each
// choice focus must move to the step it revealed.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { ScenarioShape } from "../../app/courses/mdx.server";
import { assignCourse, COURSE_ID, makeWorld, PASSWORD, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { launchBrowser, newTestPage, squash, waitForHydration, type TestPage } from "../support/browser";

let w: World;
let server: TestServer;
let browser: Browser;
let tp: TestPage;

beforeAll(async () => {
  w = await makeWorld();
  await assignCourse(w, w.alice);
  server = await startTestServer(w);
  browser = await launchBrowser();
  tp = await newTestPage(browser, { baseURL: server.url, timeout: 20_000 });
}, 90_000);

afterAll(async () => {
  await tp?.close();
  await browser?.close();
  await server?.close();
  await w?.close();
});

interface Focused {
  tag: string;
  id: string;
  text: string;
  className: string;
  /** data-step of the enclosing scenario step, if any. */
  step: string | null;
  outlineStyle: string;
  outlineWidth: number;
  focusVisible: boolean;
}

function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return { tag: "", id: "", text: "", className: "", step: null, outlineStyle: "none", outlineWidth: 0, focusVisible: false };
    const style = getComputedStyle(el);
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      text: (el.textContent ?? "").replace(/\s+/g, " ").trim(),
      className: typeof el.className === "string" ? el.className : "",
      step: el.closest<HTMLElement>(".scenario-step")?.dataset.step ?? null,
      outlineStyle: style.outlineStyle,
      outlineWidth: parseFloat(style.outlineWidth) || 0,
      focusVisible: el.matches(":focus-visible"),
    };
  });
}

/** Presses Tab until the focused element satisfies `want`; fails after `max` presses. */
async function tabTo(page: Page, what: string, want: (f: Focused) => boolean, max = 60): Promise<Focused> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    if (want(f)) return f;
    seen.push(`${f.tag}${f.id ? `#${f.id}` : ""} "${f.text.slice(0, 40)}"`);
  }
  throw new Error(`Tab never reached ${what}. Focus went through:\n${seen.join("\n")}`);
}

/** The longest way through a scenario to an ending (so focus moves more than once), preferring
 * better endings among equally long ones. */
function longestPath(sc: ScenarioShape): Array<{ from: string; to: string; label: string }> {
  const byId = new Map(sc.steps.map((s) => [s.id, s]));
  const rank = { best: 3, acceptable: 2, poor: 1 } as const;
  let best: { trail: Array<{ from: string; to: string; label: string }>; score: number } | null = null;
  const walk = (id: string, trail: Array<{ from: string; to: string; label: string }>, seen: Set<string>) => {
    const step = byId.get(id)!;
    if (step.ending) {
      const score = trail.length * 10 + rank[step.ending];
      if (!best || score > best.score) best = { trail, score };
      return;
    }
    for (const c of step.choices) if (!seen.has(c.to)) walk(c.to, [...trail, { from: id, to: c.to, label: squash(c.label) }], new Set([...seen, c.to]));
  };
  walk(sc.steps[0].id, [], new Set([sc.steps[0].id]));
  return best!.trail;
}

test(
  "sign in, play the first module's scenarios and complete it, then finish a poor ending through its better move, with the keyboard alone",
  async () => {
    const { page, problems } = tp;
    const mod = w.course.modules[0];
    const second = w.course.modules[1];
    expect(mod.scenarios.length).toBeGreaterThan(0);

    // --- Sign in: Tab to the fields, type, Enter ------------------------------------------
    await page.goto("/login");
    await waitForHydration(page);
    await tabTo(page, "the email field", (f) => f.id === "email");
    await page.keyboard.type(w.alice.email);
    await page.keyboard.press("Tab");
    expect((await focused(page)).id).toBe("password");
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await page.waitForURL((u) => u.pathname === "/");
    await page.getByRole("heading", { name: "Hello, Alice" }).waitFor();

    // --- Home → course → first module, following links with Enter ----------------------------
    // (The Start button goes straight to the first module; the course's title opens its page.)
    await tabTo(page, "the course's title", (f) => f.tag === "a" && f.text === w.course.meta.title);
    await page.keyboard.press("Enter");
    await page.waitForURL((u) => u.pathname === `/courses/${COURSE_ID}`);
    await page.getByRole("heading", { level: 1, name: w.course.meta.title }).waitFor();
    await tabTo(page, "Start the course", (f) => f.tag === "a" && f.text === "Start the course");
    await page.keyboard.press("Enter");
    await page.waitForURL((u) => u.pathname === `/courses/${COURSE_ID}/${mod.slug}`);
    await page.getByRole("heading", { level: 1, name: mod.title }).waitFor();

    // --- The scenarios: Tab to a choice, check its focus ring, Enter/Space, focus follows ------
    let presses = 0;
    for (const sc of mod.scenarios) {
      const section = page.locator(`section[aria-labelledby="scenario-${sc.id}-title"]`);
      const trail = longestPath(sc);
      for (const step of trail) {
        const f = await tabTo(page, `the choice "${step.label}"`, (x) => x.tag === "button" && x.step === step.from && x.text === step.label);
        // Visible focus: the :focus-visible ring from the app's styles, not the browser default.
        expect(f.focusVisible).toBe(true);
        expect(f.outlineStyle).not.toBe("none");
        expect(f.outlineWidth).toBeGreaterThan(0);
        // Alternate the two keys that activate a button.
        await page.keyboard.press(presses++ % 2 === 0 ? "Enter" : " ");
        await section.locator(`.scenario-step[data-step="${step.to}"]`).waitFor();
        // Focus moved into the newly revealed step (the last one), not left on a vanished button.
        await expect
          .poll(async () => (await focused(page)).step, { timeout: 10_000 })
          .toBe(step.to);
        const last = await section.locator(".scenario-step").last().getAttribute("data-step");
        expect(last).toBe(step.to);
        expect(await page.evaluate(() => document.activeElement?.classList.contains("scenario-step"))).toBe(true);
      }
      await section.getByRole("status").filter({ hasText: "Scenario complete." }).waitFor();
    }
    expect(presses).toBeGreaterThan(1);

    // --- Complete the module with the keyboard ---------------------------------------------
    const complete = await tabTo(page, "Complete and continue", (f) => f.tag === "button" && f.text === "Complete and continue");
    expect(complete.focusVisible).toBe(true);
    expect(complete.outlineWidth).toBeGreaterThan(0);
    await page.keyboard.press(" ");
    await page.waitForURL((u) => u.pathname === `/courses/${COURSE_ID}/${second.slug}`);
    await page.getByRole("heading", { level: 1, name: second.title }).waitFor();

    const assignment = await w.db.selectFrom("assignments").select("id").where("user_id", "=", w.alice.id).executeTakeFirstOrThrow();
    const done = await w.db.selectFrom("module_progress").select("module").where("assignment_id", "=", assignment.id).execute();
    expect(done.map((d) => d.module)).toEqual([mod.slug]);

    // --- A poor ending in the second module: the better move and try again, by keyboard ------
    const sc = second.scenarios[0];
    const poor = sc.steps.find((s) => s.ending === "poor" && sc.steps[0].choices.some((c) => c.to === s.id))!;
    const label = squash(sc.steps[0].choices.find((c) => c.to === poor.id)!.label);
    const section = page.locator(`section[aria-labelledby="scenario-${sc.id}-title"]`);
    await tabTo(page, `the choice "${label}"`, (x) => x.tag === "button" && x.step === sc.steps[0].id && x.text === label);
    await page.keyboard.press("Enter");
    await section.locator(`.scenario-step[data-step="${poor.id}"]`).waitFor();
    expect(await section.getByRole("status").textContent()).not.toContain("Scenario complete.");
    const better = await tabTo(page, "See the better move and try again", (f) => f.tag === "button" && f.text === "See the better move and try again");
    expect(better.focusVisible).toBe(true);
    expect(better.outlineWidth).toBeGreaterThan(0);
    await page.keyboard.press("Enter");
    await section.getByText("The better move", { exact: true }).waitFor();
    // Focus follows to the step the better choice is on, whose choices are open again.
    await expect.poll(async () => (await focused(page)).step, { timeout: 10_000 }).toBe(poor.retry);
    expect(await section.locator(".scenario-step").last().getAttribute("data-step")).toBe(poor.retry);
    const next = await tabTo(page, "Complete and continue", (f) => f.tag === "button" && f.text === "Complete and continue");
    expect(next.focusVisible).toBe(true);
    await page.keyboard.press("Enter");
    await page.waitForURL((u) => u.pathname === `/courses/${COURSE_ID}/${w.course.modules[2].slug}`);
    const after = await w.db.selectFrom("module_progress").select("module").where("assignment_id", "=", assignment.id).orderBy("completed_at").execute();
    expect(after.map((d) => d.module).sort()).toEqual([mod.slug, second.slug].sort());

    expect(problems).toEqual([]);
  },
  120_000,
);
