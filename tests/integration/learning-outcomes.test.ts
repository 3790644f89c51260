// Scenario endings with outcomes and quiz attempts that keep what they showed, on SQLite; the same
// story runs on PostgreSQL in learning-outcomes-postgres.test.ts. Over HTTP: a forged "complete"
// after only a poor ending is refused.
import { afterEach, beforeEach, expect, test } from "vitest";
import { recordScenarioChoice } from "../../app/learning/progress.server";
import { assignCourse, makeWorld, type World } from "../support/world";
import { quizPresentationStory, scenarioOutcomeStory } from "../support/learning-story";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.close();
});

test("a poor ending completes its scenario only once the better move was shown, and try again leads to the retry step", async () => {
  await scenarioOutcomeStory(w.db, w.catalog, w.course, "pat@test.example");
});

test("each quiz attempt stores the questions it drew, their option order and the modules it named; audit rows still match", async () => {
  await quizPresentationStory(w.db, w.catalog, w.course, "quinn@test.example");
});

test("over HTTP, completing a module after only a poor ending is refused with 400 and records nothing", async () => {
  let server: TestServer | null = null;
  try {
    server = await startTestServer(w);
    const assignment = await assignCourse(w, w.alice);
    const mod = w.course.modules[0];
    const sc = mod.scenarios[0];
    const poor = sc.steps.find((s) => s.ending === "poor" && sc.steps[0].choices.some((c) => c.to === s.id))!;
    await recordScenarioChoice(w.db, { assignment, course: w.course, module: mod.slug, scenarioId: sc.id, from: sc.steps[0].id, to: poor.id }, w.clock);
    const cookie = await server.login(w.alice.email);
    const page = await (await server.get(`/courses/${w.course.id}/${mod.slug}`, cookie)).text();
    // The poor ending offers the better move, and does not say the scenario is complete.
    expect(page).toContain("See the better move and try again");
    expect(page).not.toContain("Scenario complete.");
    const res = await server.post(`/courses/${w.course.id}/${mod.slug}`, [["intent", "complete"]], cookie);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("to its end before you continue");
    expect(await w.db.selectFrom("module_progress").select("module").where("assignment_id", "=", assignment.id).execute()).toEqual([]);
    // The better move, then completing, works.
    const retry = await server.post(`/courses/${w.course.id}/${mod.slug}`, [["intent", "choose"], ["scenario", sc.id], ["from", poor.id], ["to", poor.retry!]], cookie);
    expect(retry.status).toBe(200);
    const after = await (await server.get(`/courses/${w.course.id}/${mod.slug}`, cookie)).text();
    expect(after).toContain("The better move");
    const done = await server.post(`/courses/${w.course.id}/${mod.slug}`, [["intent", "complete"]], cookie);
    expect(done.status).toBe(302);
    expect(await w.db.selectFrom("module_progress").select("module").where("assignment_id", "=", assignment.id).execute()).toEqual([{ module: mod.slug }]);
  } finally {
    await server?.close();
  }
});
