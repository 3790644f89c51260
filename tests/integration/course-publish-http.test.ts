// HR's publishing pages over HTTP: the list with each course's state, a draft's preview that
// records nothing, the count preview and the confirmed publication; and every refusal to anyone
// who is not HR (404, nothing changed).
import { afterEach, beforeEach, expect, test } from "vitest";
import { makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { addDraftCourse, coursesCopy, editLiveCourse } from "../support/publishing";
import { replaceCatalog } from "../../app/courses/reload.server";
import { loadCatalog } from "../../app/courses/catalog.server";
import { assign, workThroughCourse } from "../../app/demo/factories.server";
import { recordBaseline } from "../../app/scheduler/publishing.server";
import { liveCatalog } from "../../app/courses/live.server";
import { compileMdx } from "../../app/courses/mdx.server";
import type { Catalog } from "../../app/courses/catalog.server";

let w: World & { drafts: Catalog };
let server: TestServer;
let folder: ReturnType<typeof coursesCopy>;

beforeEach(async () => {
  const world = await makeWorld();
  folder = coursesCopy();
  await recordBaseline(world.db, folder.load(), world.clock());
  addDraftCourse(folder.dir);
  const drafts = folder.load();
  w = { ...world, catalog: await liveCatalog(world.db, drafts), drafts };
  server = await startTestServer(w);
});
afterEach(async () => {
  await server.close();
  await w.close();
  folder.remove();
});

const DRAFT = "visitor-badges";
const PREVIEW = `/hr/courses/${DRAFT}/preview/at-the-door`;

async function counts() {
  const n = async (table: "module_progress" | "scenario_choices" | "quiz_attempts" | "audit_log" | "course_publications" | "assignments" | "notifications") =>
    Number((await w.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
  return { progress: await n("module_progress"), choices: await n("scenario_choices"), attempts: await n("quiz_attempts"), audit: await n("audit_log"), publications: await n("course_publications"), assignments: await n("assignments"), notifications: await n("notifications") };
}

test("HR sees each course's state, previews a draft with its scenario map without recording anything, and publishes it after seeing the counts", async () => {
  const hr = await server.login(w.hr.email);
  const list = await (await server.get("/hr/courses", hr)).text();
  expect(list).toMatch(/data-course="visitor-badges"[\s\S]*?Draft/);
  expect(list).toMatch(/data-course="protecting-trade-secrets"[\s\S]*?Published/);

  const before = await counts();
  const page = await server.get(PREVIEW, hr);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('role="img"');
  expect(html).toMatch(/<title id="map-tailgater-title">Map of the scenario “Someone follows you in”<\/title>/);
  expect(html).toContain("start — “Ask him, politely, to badge in or wait at reception” → ask-badge (best outcome)");
  expect(html).toContain("start — “Hold the door: he has his hands full” → hold-door — “Let him get on with it” → let-go (poor outcome)");
  const mod = w.drafts.courses.get(DRAFT)!.modules[0];
  const js = await server.get(`/mdx/${(await compileMdx(mod.source)).hash}.js`, hr);
  expect(js.status).toBe(200);
  expect(await counts()).toEqual(before); // a preview records nothing

  const plan = await server.post(`/hr/courses/${DRAFT}`, { intent: "plan" }, hr);
  expect(plan.status).toBe(200);
  const planHtml = await plan.text();
  expect(planHtml).toContain("Publishing issues 4 assignments, 4 emails");
  expect(planHtml).toContain("Alice Archer &lt;alice@test.example&gt;");
  expect(await counts()).toEqual(before); // nor does the count preview
  const hash = /name="contentHash" value="([0-9a-f]+)"/.exec(planHtml)![1];
  const done = await server.post(`/hr/courses/${DRAFT}`, { intent: "publish", contentHash: hash }, hr);
  expect(done.status).toBe(302);
  expect(done.headers.get("location")).toBe("/hr/courses");
  const after = await counts();
  expect(after.publications).toBe(before.publications + 1);
  expect(after.assignments).toBe(before.assignments); // the scheduler issues it, at its next run
  const entry = await w.db.selectFrom("audit_log").select(["actor_id", "data_json"]).where("action", "=", "course.published").executeTakeFirstOrThrow();
  expect(entry.actor_id).toBe(w.hr.id);
  expect(JSON.parse(entry.data_json)).toMatchObject({ contentHash: hash, assignments: 4, emails: 4 });
  expect(w.catalog.courses.has(DRAFT)).toBe(true);
  const listAfter = await (await server.get("/hr/courses", hr)).text();
  expect(listAfter).toMatch(/data-course="visitor-badges"[\s\S]*?Published/);
});

test("a learner gets 404 for a draft's course, module, preview, publishing page and compiled module, and cannot publish it", async () => {
  const alice = await server.login(w.alice.email);
  const before = await counts();
  const mod = w.drafts.courses.get(DRAFT)!.modules[0];
  const hash = (await compileMdx(mod.source)).hash;
  for (const url of [`/courses/${DRAFT}`, `/courses/${DRAFT}/at-the-door`, PREVIEW, `/hr/courses/${DRAFT}`, "/hr/courses", `/mdx/${hash}.js`]) {
    expect((await server.get(url, alice)).status, url).toBe(404);
  }
  const draftHash = w.drafts.courses.get(DRAFT)!.contentHash;
  expect((await server.post(`/hr/courses/${DRAFT}`, { intent: "publish", contentHash: draftHash }, alice)).status).toBe(404);
  expect((await server.post(`/hr/courses/${DRAFT}`, { intent: "plan" }, alice)).status).toBe(404);
  expect(await counts()).toEqual(before);
  expect(w.catalog.courses.has(DRAFT)).toBe(false);
});

test("HR gets 404 for a course or module that does not exist, and publishing a stale preview changes nothing", async () => {
  const hr = await server.login(w.hr.email);
  expect((await server.get("/hr/courses/no-such-course", hr)).status).toBe(404);
  expect((await server.get(`/hr/courses/${DRAFT}/preview/no-such-module`, hr)).status).toBe(404);
  const before = await counts();
  const stale = await server.post(`/hr/courses/${DRAFT}`, { intent: "publish", contentHash: "0123456789abcdef" }, hr);
  expect(stale.status).toBe(409);
  expect(await stale.text()).toContain("changed in the folder since you previewed it");
  expect(await counts()).toEqual(before);
});

test("publishing with “restart in-progress learners” tells a learner part-way through that unfinished modules start again; one left on the old version is not told", async () => {
  const course = w.catalog.courses.get("protecting-trade-secrets")!;
  const a = await assign(w.db, { userId: w.alice.id, course }, w.clock);
  await workThroughCourse(w.db, { user: w.alice, assignment: a, course, catalog: w.catalog, upTo: "modules", modules: 1, password: "", secret: "" }, w.clock);
  editLiveCourse(folder.dir);
  replaceCatalog(w.drafts, loadCatalog(folder.dir)); // as npm run dev does on a change
  const hr = await server.login(w.hr.email);
  const alice = await server.login(w.alice.email);
  const v2 = w.drafts.courses.get("protecting-trade-secrets")!.contentHash;
  expect((await server.post("/hr/courses/protecting-trade-secrets", { intent: "publish", contentHash: v2 }, hr)).status).toBe(302);
  const before = await (await server.get("/courses/protecting-trade-secrets", alice)).text();
  expect(before).not.toContain("This course was updated on");
  expect((await server.post("/hr/courses/protecting-trade-secrets", { intent: "publish", contentHash: v2, restart: "on" }, hr)).status).toBe(302);
  const after = await (await server.get("/courses/protecting-trade-secrets", alice)).text();
  expect(after).toContain("This course was updated on 1 March 2027. The modules you had not finished start again from the beginning in the new version; the modules you finished stay finished.");
  expect(after).toContain("✓ Done");
});
