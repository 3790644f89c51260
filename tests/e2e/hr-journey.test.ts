// HR's whole job in real Chromium, as a new HR admin would do it: import a messy roster (upload,
// preview, confirm), see the dashboard, find the overdue, download the CSV and read it as a
// spreadsheet would, and download an evidence pack that verifies offline.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ASSIGNMENT_CSV_COLUMNS } from "../../app/reports/export.server";
import type { TestDb } from "../support/db";
import { signIn, startDemoInBrowser, type DemoInBrowser } from "../support/demo-browser";
import { squash, waitForHydration, type TestPage } from "../support/browser";

const run = promisify(execFile);
const NOW = "2027-03-01T09:00:00.000Z";
let t: TestDb;
let demo: DemoInBrowser;
let tp: TestPage;
let downloads: string;

beforeAll(async () => {
  demo = await startDemoInBrowser(NOW);
  ({ t, tp } = demo);
  downloads = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-hr-journey-"));
  await signIn(tp.page, "hr@example.com");
}, 120_000);

afterAll(async () => {
  await demo?.close();
  if (downloads) fs.rmSync(downloads, { recursive: true, force: true });
});

async function download(click: () => Promise<unknown>, name: string): Promise<Buffer> {
  const [file] = await Promise.all([tp.page.waitForEvent("download"), click()]);
  const target = path.join(downloads, name);
  await file.saveAs(target);
  return fs.readFileSync(target);
}

test("a messy spreadsheet roster is previewed, then applied in one go", async () => {
  const { page } = tp;
  await page.goto("/hr/import");
  await waitForHydration(page);
  await page.setInputFiles("#roster", "tests/fixtures/rosters/messy.csv");
  await Promise.all([page.waitForURL(/\/hr\/import\/[^/]+$/), page.click("form[enctype='multipart/form-data'] button[type=submit]")]);
  await waitForHydration(page);
  const preview = squash(await page.locator("main").innerText());
  // Quoted commas, a name with a comma, upper-case emails: read as the people they are.
  expect(preview).toContain("Lee, Morgan");
  expect(preview).toContain("dana.reyes@example.com");
  // Nothing changes before HR confirms.
  expect(await t.db.selectFrom("users").select("id").where("email", "=", "dana.reyes@example.com").executeTakeFirst()).toBeUndefined();
  // At 1280 px every column of the preview, Dates included, fits without scrolling its box.
  await page.setViewportSize({ width: 1280, height: 900 });
  const overflow = await page.evaluate(() =>
    [...document.querySelectorAll("main .table-wrap")].map((w) => w.scrollWidth - w.clientWidth),
  );
  expect(overflow.length).toBeGreaterThan(0);
  expect(overflow.filter((px) => px > 0)).toEqual([]);

  await page.click("text=Apply this import");
  await page.waitForSelector("text=What the import did");
  const dana = await t.db.selectFrom("users").select(["name", "department", "title"]).where("email", "=", "dana.reyes@example.com").executeTakeFirstOrThrow();
  expect(dana).toEqual({ name: "Dana Reyes", department: "Executive", title: "Chief Executive Officer" });
  // Tom was already here: the roster moves him to Sales and puts him on leave.
  const tom = await t.db.selectFrom("users").select(["department", "status"]).where("email", "=", "tom.becker@example.com").executeTakeFirstOrThrow();
  expect(tom).toEqual({ department: "Sales", status: "leave" });
  expect(tp.problems).toEqual([]);
});

test("the dashboard shows the organisation and the overdue list names who is late", async () => {
  const { page } = tp;
  await page.goto("/hr");
  await waitForHydration(page);
  expect(await page.locator("h1").innerText()).toMatch(/overview|dashboard|compliance/i);
  expect(await page.locator("main table").count()).toBeGreaterThan(0);

  await page.goto("/hr/overdue");
  await waitForHydration(page);
  const overdue = squash(await page.locator("main table").first().innerText());
  expect(overdue).toContain("Daniel Novak");
  expect(overdue).toContain("Tom Becker");
  expect(tp.problems).toEqual([]);
});

test("the CSV download opens as a spreadsheet would read it, with the roster's changes", async () => {
  const { page } = tp;
  await page.goto("/hr");
  await waitForHydration(page);
  const bytes = await download(() => page.click("text=Download these assignments as CSV"), "assignments.csv");
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const rows = parse(bytes.toString("utf8"), { bom: true, columns: true }) as Array<Record<string, string>>;
  expect(Object.keys(rows[0])).toEqual([...ASSIGNMENT_CSV_COLUMNS]);
  const tom = rows.find((r) => r.email === "tom.becker@example.com");
  expect(tom).toMatchObject({ name: "Tom Becker", department: "Sales", status: "overdue", completed_at: "" });
  const grace = rows.find((r) => r.email === "grace.okafor@example.com" && r.status === "completed");
  expect(grace?.on_time).toBe("true");
  expect(grace?.attested_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  expect(tp.problems).toEqual([]);
});

test("an evidence pack is found from the people list, downloaded, and verifies offline", async () => {
  const { page } = tp;
  await page.goto("/hr/people?q=grace");
  await waitForHydration(page);
  await Promise.all([page.waitForURL(/\/hr\/people\/[^/?]+$/), page.click("main table a:has-text('Grace Okafor')")]);
  await Promise.all([page.waitForURL(/\/evidence$/), page.click("text=Evidence pack")]);
  await waitForHydration(page);
  // One production gives both files, from the same snapshot.
  await Promise.all([page.waitForURL(/\/evidence\/evp_[a-z2-7]+$/), page.click("text=Produce evidence pack")]);
  await waitForHydration(page);
  const pdf = await download(() => page.click("a[href$='.pdf']"), "pack.pdf");
  expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
  const json = await download(() => page.click("a[href$='.json']"), "pack.json");
  expect(JSON.parse(json.toString()).person.email).toBe("grace.okafor@example.com");

  const verified = await run("npx", ["tsx", "scripts/evidence-verify.ts", path.join(downloads, "pack.json")]);
  expect(verified.stdout).toContain("Evidence pack verified: Grace Okafor <grace.okafor@example.com>");

  // One changed byte in the signed record and the same check refuses it.
  const pack = JSON.parse(json.toString());
  expect(pack.attestations[0].printed_name).toBe("Grace Okafor");
  pack.attestations[0].printed_name = "Someone Else";
  fs.writeFileSync(path.join(downloads, "edited.json"), JSON.stringify(pack));
  const refused = await run("npx", ["tsx", "scripts/evidence-verify.ts", path.join(downloads, "edited.json")]).catch((e: { code: number; stderr: string }) => e);
  expect(refused).toMatchObject({ code: 1 });
  expect((refused as { stderr: string }).stderr).toContain("FAILED verification");
  expect(tp.problems).toEqual([]);
}, 60_000);
