// "Continue" on the home page opens the next thing to do — the first unfinished module, then the
// quiz, then the signature — not the course page one more click away (README, "What a person does").
import { afterEach, beforeEach, expect, test } from "vitest";
import { workThroughCourse } from "../../app/demo/factories.server";
import { assignCourse, makeWorld, PASSWORD, SECRET, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
let server: TestServer;
beforeEach(async () => {
  w = await makeWorld();
  server = await startTestServer(w);
});
afterEach(async () => {
  await server.close();
  await w.close();
});

async function continueHref(cookie: string): Promise<string | null> {
  const html = await (await server.get("/", cookie)).text();
  const m = html.match(/<a class="button"[^>]* href="([^"]+)"[^>]*>(?:Continue|Start)</);
  return m ? m[1].replace(/&amp;/g, "&") : null;
}

test("Continue goes to the first unfinished module, then to the quiz, then to the signature", async () => {
  const assignment = await assignCourse(w, w.alice);
  const cookie = await server.login(w.alice.email);
  const modules = w.course.modules;
  expect(modules.length).toBeGreaterThan(2);
  expect(await continueHref(cookie)).toBe(`/courses/${w.course.id}/${modules[0].slug}`);

  const base = { user: w.alice, assignment, course: w.course, catalog: w.catalog, password: PASSWORD, secret: SECRET };
  await workThroughCourse(w.db, { ...base, upTo: "modules", modules: 2 }, w.clock);
  expect(await continueHref(cookie)).toBe(`/courses/${w.course.id}/${modules[2].slug}`);
  // The link opens that module itself.
  expect((await server.get(`/courses/${w.course.id}/${modules[2].slug}`, cookie)).status).toBe(200);

  const fresh = await assignCourse(w, w.bob);
  const bob = await server.login(w.bob.email);
  await workThroughCourse(w.db, { ...base, user: w.bob, assignment: fresh, upTo: "modules" }, w.clock);
  expect(await continueHref(bob)).toBe(`/courses/${w.course.id}/quiz`);

  const third = await assignCourse(w, w.manager);
  const manager = await server.login(w.manager.email);
  await workThroughCourse(w.db, { ...base, user: w.manager, assignment: third, upTo: "quiz" }, w.clock);
  expect(await continueHref(manager)).toBe(`/courses/${w.course.id}/attest`);
});
