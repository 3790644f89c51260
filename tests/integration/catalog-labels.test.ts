// The catalog's words: who each course is for, counts in the singular when there is one, and a
// review date that has passed shown to HR as overdue (the course keeps running).
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Catalog } from "../../app/courses/catalog.server";
import { AUDIENCE_LABEL, countText } from "../../app/labels";
import { makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { words } from "../support/html";

let w: World;
let server: TestServer;
let page: string;

beforeAll(async () => {
  w = await makeWorld("2027-03-01T09:00:00.000Z");
  const refresher = w.catalog.courses.get("annual-refresher")!;
  const overdue = { ...refresher, meta: { ...refresher.meta, reviewDate: "2027-02-28" } };
  const catalog: Catalog = { ...w.catalog, courses: new Map([...w.catalog.courses, [overdue.id, overdue]]) };
  server = await startTestServer({ ...w, catalog });
  const res = await server.get("/courses", await server.login(w.hr.email));
  expect(res.status).toBe(200);
  page = words(await res.text());
});
afterAll(async () => {
  await server?.close();
  await w?.close();
});

/** The words of one course's entry, from its title to the next course's. */
function entry(title: string): string {
  const start = page.indexOf(title);
  expect(start, title).toBeGreaterThan(-1);
  const rest = page.slice(start + title.length);
  const next = Math.min(...[...w.catalog.courses.values()].map((c) => rest.indexOf(c.meta.title)).filter((i) => i > 0), rest.length);
  return rest.slice(0, next);
}

test("the managers' course says it is for managers, not contractors", () => {
  const text = entry(w.catalog.courses.get("leading-a-culture-of-confidentiality")!.meta.title);
  expect(text).toContain("Audience Managers (anyone with at least one report)");
  expect(text).not.toContain("Contractors");
});

test("a course with one module says '1 module'", () => {
  const c = w.catalog.courses.get("exit-acknowledgement")!;
  expect(c.modules).toHaveLength(1);
  expect(entry(c.meta.title)).toMatch(/\b1 module ·/);
  expect(page).not.toMatch(/\b1 modules\b/);
  expect(page).not.toMatch(/\b1 quiz questions\b/);
});

test("HR sees that a course's review is overdue; a course reviewed later shows no note", () => {
  expect(entry(w.catalog.courses.get("annual-refresher")!.meta.title)).toContain("Review overdue");
  expect(entry(w.catalog.courses.get("protecting-trade-secrets")!.meta.title)).not.toContain("Review overdue");
});

test("the labels themselves", () => {
  expect(countText(1, "module")).toBe("1 module");
  expect(countText(0, "module")).toBe("0 modules");
  expect(countText(2, "quiz question")).toBe("2 quiz questions");
  expect(Object.keys(AUDIENCE_LABEL).sort()).toEqual(["both", "contractors", "employees", "managers"]);
});
