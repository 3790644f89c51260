// The catalog for HR, and history that survives a course's removal from courses/.
import { afterEach, beforeEach, expect, test } from "vitest";
import { workThroughCourse } from "../../app/demo/factories.server";
import type { Catalog } from "../../app/courses/catalog.server";
import { assignCourse, makeWorld, PASSWORD, SECRET, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
let servers: TestServer[] = [];
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  await w.close();
});

async function serve(catalog: Catalog = w.catalog) {
  const s = await startTestServer({ ...w, catalog });
  servers.push(s);
  return s;
}

test("HR sees every course in the catalog with its settings; others get 404", async () => {
  const server = await serve();
  const page = await server.get("/courses", await server.login("hr@test.example"));
  expect(page.status).toBe(200);
  const html = await page.text();
  for (const c of w.catalog.courses.values()) expect(html).toContain(c.meta.title);
  expect(html).toContain("Every 12 months from completion");
  expect((await server.get("/courses", await server.login("alice@test.example"))).status).toBe(404);
});

test("a broken course is listed for HR with its file and line, while the others keep working", async () => {
  const withProblem: Catalog = { ...w.catalog, problems: [{ file: "courses/broken/course.yaml", line: 3, message: "passingScore must be at most 100" }] };
  const server = await serve(withProblem);
  const html = await (await server.get("/courses", await server.login("hr@test.example"))).text();
  expect(html).toContain("courses/broken/course.yaml<!-- -->:<!-- -->3");
  expect(html).toContain("passingScore must be at most 100");
});

test("after a completed course is removed from courses/, its history, receipt and PDF stay readable", async () => {
  const assignment = await assignCourse(w, w.alice);
  const code = (await workThroughCourse(
    w.db,
    { user: w.alice, assignment, course: w.course, catalog: w.catalog, upTo: "attested", password: PASSWORD, secret: SECRET },
    w.clock,
  ))!;
  const courses = new Map(w.catalog.courses);
  courses.delete(w.course.id);
  const policies = new Map(w.catalog.policies);
  policies.delete(w.course.meta.policy!);
  const server = await serve({ ...w.catalog, courses, policies });
  const alice = await server.login("alice@test.example");

  const home = await (await server.get("/", alice)).text();
  expect(home).toContain(w.course.meta.title); // the recorded title, from course_versions
  expect(home).toContain(`/receipts/${code}`);

  const receipt = await server.get(`/receipts/${code}`, alice);
  expect(receipt.status).toBe(200);
  const html = await receipt.text();
  expect(html).toContain("Confidentiality and Trade Secret Agreement");
  expect(html).toContain(w.catalog.policies.get(w.course.meta.policy!)!.current.sha256);

  const pdf = await server.get(`/receipts/${code}/pdf`, alice);
  expect(pdf.status).toBe(200);
  expect(Buffer.from(await pdf.arrayBuffer()).length).toBeGreaterThan(5_000); // receipt + the signed text

  // The course page itself is gone, with a clear 404.
  expect((await server.get(`/courses/${w.course.id}`, alice)).status).toBe(404);
});
