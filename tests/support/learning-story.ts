// One learner's story through the scenario outcome rule and the quiz's stored presentation, run
// against whichever database it is given (SQLite per test, or a PostgreSQL server).
import { expect } from "vitest";
import type { Db } from "../../db/connection";
import type { Catalog, Course } from "../../app/courses/catalog.server";
import { fixedClock } from "../../app/clock";
import { assign, correctAnswers, makePerson, replayModules, workThroughCourse, wrongAnswers } from "../../app/demo/factories.server";
import { completeModule, getCourseState, recordScenarioChoice } from "../../app/learning/progress.server";
import { presentationFor, quizGate, submitQuizAttempt } from "../../app/learning/quiz.server";
import { getMyAttempt } from "../../app/learning/attempt-view.server";
import { auditPages, verifyAuditChain } from "../../app/audit/audit.server";
import { crossCheckRows, RecordedRows } from "../../app/audit/rows.server";
import { PASSWORD, SECRET } from "./world";

/** The first module's scenario: the way to a poor ending, and that ending. */
function poorWay(course: Course) {
  const mod = course.modules[0];
  const sc = mod.scenarios[0];
  const poor = sc.steps.find((s) => s.ending === "poor" && sc.steps[0].choices.some((c) => c.to === s.id))!;
  return { mod, sc, poor };
}

export async function scenarioOutcomeStory(db: Db, catalog: Catalog, course: Course, email: string) {
  const clock = fixedClock("2027-03-02T09:00:00.000Z");
  const person = await makePerson(db, { email, name: "Pat Poor", startDate: "2027-02-20" }, clock);
  const assignment = await assign(db, { userId: person.id, course }, clock);
  const { mod, sc, poor } = poorWay(course);
  const first = sc.steps[0].id;
  await recordScenarioChoice(db, { assignment, course, module: mod.slug, scenarioId: sc.id, from: first, to: poor.id }, clock);
  const row = await db.selectFrom("scenario_choices").select(["to_step", "ending"]).where("assignment_id", "=", assignment.id).executeTakeFirstOrThrow();
  expect(row).toEqual({ to_step: poor.id, ending: "poor" });
  expect((await getCourseState(db, assignment, course)).scenarios[sc.id]).toEqual({ path: [first, poor.id], completed: false, runs: 1 });
  // Completing now is refused, and changes nothing.
  await expect(completeModule(db, { assignment, course, module: mod.slug, actorId: person.id }, clock)).rejects.toThrow(/to its end before you continue/);
  expect(await db.selectFrom("module_progress").select("module").where("assignment_id", "=", assignment.id).execute()).toEqual([]);
  // "Try again" may only lead to the poor ending's retry step.
  const elsewhere = sc.steps.find((s) => s.id !== poor.retry && s.id !== poor.id)!;
  await expect(recordScenarioChoice(db, { assignment, course, module: mod.slug, scenarioId: sc.id, from: poor.id, to: elsewhere.id }, clock)).rejects.toThrow(/not part of this scenario/);
  // Seeing the better move (the poor ending's "try again") completes the scenario and leads to the retry step.
  expect(poor.retry).toBe(first);
  expect(poor.betterMove).toBeTruthy();
  await recordScenarioChoice(db, { assignment, course, module: mod.slug, scenarioId: sc.id, from: poor.id, to: poor.retry! }, clock);
  expect((await getCourseState(db, assignment, course)).scenarios[sc.id]).toEqual({ path: [first, poor.id, first], completed: true, runs: 1 });
  await completeModule(db, { assignment, course, module: mod.slug, actorId: person.id }, clock);
  expect(await db.selectFrom("module_progress").select("module").where("assignment_id", "=", assignment.id).execute()).toEqual([{ module: mod.slug }]);
}

export async function quizPresentationStory(db: Db, catalog: Catalog, course: Course, email: string) {
  const clock = fixedClock("2027-03-02T09:00:00.000Z");
  const person = await makePerson(db, { email, name: "Quinn Quiz", startDate: "2027-02-20" }, clock);
  const assignment = await assign(db, { userId: person.id, course }, clock);
  await workThroughCourse(db, { user: person, assignment, course, catalog, upTo: "modules", password: PASSWORD, secret: SECRET }, clock);
  for (let n = 1; n <= 3; n++) {
    const r = await submitQuizAttempt(db, { assignment, course, entries: wrongAnswers(course), actorId: person.id, attemptNumber: n }, fixedClock(`2027-03-03T09:0${n}:00.000Z`));
    expect(r.ok && !r.passed).toBe(true);
  }
  const rows = await db.selectFrom("quiz_attempts").select(["id", "presented_json", "revisit_json", "question_count"]).where("assignment_id", "=", assignment.id).orderBy("submitted_at").execute();
  rows.forEach((r, i) => {
    // Stored exactly as shown: the draw of that attempt, and every module named.
    expect(JSON.parse(r.presented_json!)).toEqual(presentationFor(course, assignment.id, i + 1));
    expect(JSON.parse(r.revisit_json!)).toEqual(course.modules.map((m) => m.slug));
    expect(r.question_count).toBe(2 * course.modules.length);
  });
  // The result page shows the attempt as it was seen.
  const view = (await getMyAttempt(db, { viewerId: person.id, attemptId: rows[1].id, course }))!;
  expect(view.questions!.map((q) => ({ id: q.id, options: q.options.map((o) => o.id) }))).toEqual(presentationFor(course, assignment.id, 2).questions);
  expect((await quizGate(db, { assignment, course })).kind).toBe("revisit");
  await replayModules(db, { assignment, course, modules: course.modules.map((m) => m.slug) }, fixedClock("2027-03-03T10:00:00.000Z"));
  expect((await quizGate(db, { assignment, course })).kind).toBe("open");
  const passed = await submitQuizAttempt(db, { assignment, course, entries: correctAnswers(course), actorId: person.id }, fixedClock("2027-03-03T11:00:00.000Z"));
  expect(passed.ok && passed.passed).toBe(true);
  // audit:verify's cross-check: every attempt row matches the hash its audit entry recorded.
  expect((await verifyAuditChain(db)).ok).toBe(true);
  const recorded = new RecordedRows();
  for await (const e of auditPages(db)) recorded.note(e);
  const report = await crossCheckRows(db, recorded);
  expect(report.problems).toEqual([]);
  expect(report.checked["quiz attempt"]).toBeGreaterThanOrEqual(4);
}
