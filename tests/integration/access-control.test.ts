// Who may see what: an employee only their own records; HR everyone's receipts. Refusals are
// 404s, so a URL never reveals that someone else's record exists.
import { afterAll, beforeAll, expect, test } from "vitest";
import { workThroughCourse } from "../../app/demo/factories.server";
import { assignCourse, makeWorld, PASSWORD, SECRET, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
let server: TestServer;
let aliceCode: string;
let aliceAttempt: string;
let alice: string;
let bob: string;
let hr: string;

beforeAll(async () => {
  w = await makeWorld();
  const a = await assignCourse(w, w.alice);
  await assignCourse(w, w.bob);
  aliceCode = (await workThroughCourse(w.db, { user: w.alice, assignment: a, course: w.course, catalog: w.catalog, upTo: "attested", failQuizFirst: true, password: PASSWORD, secret: SECRET }, w.clock))!;
  aliceAttempt = (await w.db.selectFrom("quiz_attempts").select("id").where("user_id", "=", w.alice.id).executeTakeFirstOrThrow()).id;
  server = await startTestServer(w);
  alice = await server.login("alice@test.example");
  bob = await server.login("bob@test.example");
  hr = await server.login("hr@test.example");
});
afterAll(async () => {
  await server.close();
  await w.close();
});

test("signed-out visitors are sent to sign in, from every page", async () => {
  for (const path of ["/", `/courses/${w.course.id}`, `/courses/${w.course.id}/what-is-a-trade-secret`, `/receipts/${aliceCode}`, `/receipts/${aliceCode}/pdf`, `/courses/${w.course.id}/quiz/${aliceAttempt}`]) {
    const res = await server.get(path);
    expect(res.status, path).toBe(302);
    expect(res.headers.get("location"), path).toMatch(/^\/login/);
  }
});

test("the signer sees their receipt, page and PDF", async () => {
  const page = await server.get(`/receipts/${aliceCode}`, alice);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain("Alice Archer");
  expect(html).toContain("UTC");
  const pdf = await server.get(`/receipts/${aliceCode}/pdf`, alice);
  expect(pdf.status).toBe(200);
  expect(pdf.headers.get("content-type")).toBe("application/pdf");
  expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe("%PDF-");
});

test("another employee cannot read someone's receipt, PDF, loader data or quiz attempt", async () => {
  for (const path of [
    `/receipts/${aliceCode}`,
    `/receipts/${aliceCode}/pdf`,
    `/receipts/${aliceCode}.data`,
    `/courses/${w.course.id}/quiz/${aliceAttempt}`,
    `/courses/${w.course.id}/quiz/${aliceAttempt}.data`,
  ]) {
    const res = await server.get(path, bob);
    expect(res.status, path).toBe(404);
    const body = await res.text();
    expect(body, path).not.toContain("Alice Archer");
    expect(body, path).not.toContain(aliceCode);
  }
});

test("a manager sees no receipts of their reports here (HR does)", async () => {
  const manager = await server.login("manager@test.example");
  expect((await server.get(`/receipts/${aliceCode}`, manager)).status).toBe(404);
  expect((await server.get(`/receipts/${aliceCode}`, hr)).status).toBe(200);
  expect((await server.get(`/receipts/${aliceCode}/pdf`, hr)).status).toBe(200);
});

test("HR cannot open someone else's quiz answers", async () => {
  expect((await server.get(`/courses/${w.course.id}/quiz/${aliceAttempt}`, hr)).status).toBe(404);
});

test("an employee cannot act on a course that is not assigned to them", async () => {
  const other = "leading-a-culture-of-confidentiality";
  expect((await server.get(`/courses/${other}`, bob)).status).toBe(404);
  const choose = await server.post(`/courses/${other}/joiners-and-leavers`, { intent: "complete" }, bob);
  expect(choose.status).toBe(404);
});

test("HR may preview any course, and a preview records nothing", async () => {
  const res = await server.get(`/courses/${w.course.id}/what-is-a-trade-secret`, hr);
  expect(res.status).toBe(200);
  expect(await res.text()).toContain("Preview");
  const post = await server.post(`/courses/${w.course.id}/what-is-a-trade-secret`, { intent: "complete" }, hr);
  expect(post.status).toBe(409);
  expect(await w.db.selectFrom("assignments").select("id").where("user_id", "=", w.hr.id).execute()).toHaveLength(0);
});

test("an HR preview of every page of a course, and every form posted from it, leaves every table as it was", async () => {
  const tables = ["assignments", "module_progress", "scenario_choices", "quiz_attempts", "attestations", "audit_log", "notifications", "course_versions"] as const;
  const counts = async () => Promise.all(tables.map(async (t) => [t, Number((await w.db.selectFrom(t).select(w.db.fn.countAll().as("n")).executeTakeFirstOrThrow()).n)] as const));
  const before = await counts();
  const c = w.course;
  const pages = [`/courses/${c.id}`, ...c.modules.map((m) => `/courses/${c.id}/${m.slug}`), `/courses/${c.id}/quiz`, `/courses/${c.id}/attest`];
  for (const page of pages) expect((await server.get(page, hr)).status, page).toBe(200);
  const mod = c.modules[0];
  const sc = mod.scenarios[0];
  const posts: Array<[string, Record<string, string>]> = [
    [`/courses/${c.id}/${mod.slug}`, { intent: "choose", module: mod.slug, scenario: sc.id, from: sc.steps[0].id, to: sc.steps[1].id }],
    [`/courses/${c.id}/${mod.slug}`, { intent: "complete" }],
    [`/courses/${c.id}/quiz?index`, Object.fromEntries(c.quiz!.questions.map((q) => [q.id, q.options[0].id]))],
    [`/courses/${c.id}/attest`, { intent: "on", name: w.hr.name, password: PASSWORD }],
  ];
  for (const [page, form] of posts) expect((await server.post(page, form, hr)).status, page).toBeGreaterThanOrEqual(400);
  expect(await counts()).toEqual(before);
});

test("a scenario choice that is not in the course is a 400 and is not stored", async () => {
  const before = await w.db.selectFrom("scenario_choices").select("id").where("assignment_id", "in", w.db.selectFrom("assignments").select("id").where("user_id", "=", w.bob.id)).execute();
  const mod = w.course.modules[0];
  const sc = mod.scenarios[0];
  const bad = [
    { scenario: "no-such-scenario", from: sc.steps[0].id, to: sc.steps[1].id },
    { scenario: sc.id, from: sc.steps[0].id, to: "no-such-step" },
    { scenario: sc.id, from: "no-such-step", to: sc.steps[1].id },
  ];
  for (const b of bad) {
    const res = await server.post(`/courses/${w.course.id}/${mod.slug}`, { intent: "choose", module: mod.slug, ...b }, bob);
    expect(res.status, JSON.stringify(b)).toBe(400);
  }
  const after = await w.db.selectFrom("scenario_choices").select("id").where("assignment_id", "in", w.db.selectFrom("assignments").select("id").where("user_id", "=", w.bob.id)).execute();
  expect(after).toHaveLength(before.length);
});

test("a module cannot be completed before its scenario ends, nor out of order", async () => {
  const mod = w.course.modules[0];
  const early = await server.post(`/courses/${w.course.id}/${mod.slug}`, { intent: "complete" }, bob);
  expect(early.status).toBe(400);
  expect(await early.text()).toContain("Work through the scenario");
  const skip = await server.post(`/courses/${w.course.id}/${w.course.modules[2].slug}`, { intent: "complete" }, bob);
  // Refused, and sent back to where they left off.
  expect(skip.status).toBe(302);
  expect(skip.headers.get("location")).toBe(`/courses/${w.course.id}/${mod.slug}`);
  const progress = await w.db.selectFrom("module_progress").select("module").where("assignment_id", "in", w.db.selectFrom("assignments").select("id").where("user_id", "=", w.bob.id)).execute();
  expect(progress).toHaveLength(0);
});

test("a quiz answer for a question that does not exist is a 400 and stores no attempt", async () => {
  // Bob has not finished the modules, so first finish them.
  const bobAssignment = await w.db.selectFrom("assignments").selectAll().where("user_id", "=", w.bob.id).executeTakeFirstOrThrow();
  await workThroughCourse(w.db, { user: w.bob, assignment: bobAssignment, course: w.course, catalog: w.catalog, upTo: "modules", password: PASSWORD, secret: SECRET }, w.clock);
  const res = await server.post(`/courses/${w.course.id}/quiz`, [["q.no-such-question", "a"]], bob);
  expect(res.status).toBe(400);
  expect(await res.text()).toContain("There is no question");
  const unanswered = await server.post(`/courses/${w.course.id}/quiz`, [], bob);
  expect(unanswered.status).toBe(400);
  expect(await w.db.selectFrom("quiz_attempts").select("id").where("user_id", "=", w.bob.id).execute()).toHaveLength(0);
});
