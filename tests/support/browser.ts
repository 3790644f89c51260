// Real Chromium for end-to-end tests (playwright-core, the system browser). One browser per test
// file; each test gets a fresh context (no cookies, no storage) that records what the page
// reports as an error: console errors (CSP violations, hydration mismatches, failed loads) and
// uncaught exceptions.
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}

export interface PageProblem {
  kind: "console" | "pageerror";
  text: string;
  /** The URL the message is about, when the browser says (e.g. a failed load). */
  url?: string;
  /** The page's URL when it was reported. */
  page: string;
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Everything the page reported as an error so far. */
  problems: PageProblem[];
  close: () => Promise<void>;
}

export async function newTestPage(browser: Browser, options: { baseURL: string; timeout?: number }): Promise<TestPage> {
  const context = await browser.newContext({
    baseURL: options.baseURL,
    acceptDownloads: true,
    viewport: { width: 1200, height: 900 },
    locale: "en-GB",
    timezoneId: "UTC",
    // Headless Chromium reports prefers-reduced-motion: no-preference; keep it predictable.
    reducedMotion: "reduce",
  });
  context.setDefaultTimeout(options.timeout ?? 15_000);
  context.setDefaultNavigationTimeout(options.timeout ?? 15_000);
  const page = await context.newPage();
  const problems: PageProblem[] = [];
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    problems.push({ kind: "console", text: msg.text(), url: msg.location()?.url, page: page.url() });
  });
  page.on("pageerror", (err) => {
    problems.push({ kind: "pageerror", text: `${err.name}: ${err.message}\n${err.stack ?? ""}`, page: page.url() });
  });
  return { context, page, problems, close: () => context.close() };
}

/** Waits until React has hydrated the page (the Remix client router is initialised and React
 * owns the DOM), so clicks are handled by the app and not by a plain full-page form post. */
export async function waitForHydration(page: Page) {
  await page.waitForFunction(() => {
    const w = window as unknown as { __remixRouter?: { state?: { initialized?: boolean } } };
    const main = document.querySelector("main");
    const hydrated = main !== null && Object.keys(main).some((k) => k.startsWith("__reactFiber"));
    return Boolean(w.__remixRouter?.state?.initialized) && hydrated;
  });
  // Hydration runs in a transition; let it commit before the test interacts.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null)))));
}

/** Collapses whitespace the way a reader sees it. */
export function squash(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
