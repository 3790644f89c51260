// Scenario endings with outcomes and quiz attempts that keep what they showed, on SQLite; the same
// story runs on PostgreSQL in learning-outcomes-postgres.test.ts. Over HTTP: a forged "complete"
// after only a poor ending is refused.
import { afterEach, beforeEach, expect, test } from "vitest";
import { recordScenarioChoice } from "../../app/learning/progress.server";
import { submitQuizAttempt } from "../../app/learning/quiz.server";
import { correctAnswers, workThroughCourse, wrongAnswers } from "../../app/demo/factories.server";
import { fixedClock } from "../../app/clock";
import { assignCourse, makeWorld, PASSWORD, SECRET, type World } from "../support/world";
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
    expect(page).toMatch(/<button type="submit" class="button" disabled=""[^>]*>Complete and continue<\/button>/);
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

test("over HTTP, after three failed attempts the quiz page lists the modules to revisit and takes no answers", async () => {
  let server: TestServer | null = null;
  try {
    server = await startTestServer(w);
    const assignment = await assignCourse(w, w.alice);
    await workThroughCourse(w.db, { user: w.alice, assignment, course: w.course, catalog: w.catalog, upTo: "modules", password: PASSWORD, secret: SECRET }, w.clock);
    for (let n = 1; n <= 3; n++) await submitQuizAttempt(w.db, { assignment, course: w.course, entries: wrongAnswers(w.course), actorId: w.alice.id }, fixedClock(`2027-03-01T10:0${n}:00.000Z`));
    const cookie = await server.login(w.alice.email);
    const html = (await (await server.get(`/courses/${w.course.id}/quiz`, cookie)).text()).replaceAll("<!-- -->", "");
    expect(html).toContain("Revisit before your next attempt");
    const links = [...html.matchAll(/<li><a [^>]*href="([^"]+)"[^>]*>([^<]+)<\/a><\/li>/g)].map((m) => [m[1], m[2].replaceAll("&#x27;", "'")]);
    expect(links).toEqual(w.course.modules.map((m) => [`/courses/${w.course.id}/${m.slug}`, m.title]));
    expect(html).not.toContain("Submit answers");
    const res = await server.post(`/courses/${w.course.id}/quiz`, [...correctAnswers(w.course), ["attempt", "4"]], cookie);
    expect(res.status).toBe(409);
    expect(await w.db.selectFrom("quiz_attempts").select("id").where("assignment_id", "=", assignment.id).execute()).toHaveLength(3);
  } finally {
    await server?.close();
  }
});
