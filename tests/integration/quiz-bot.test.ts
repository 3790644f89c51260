// A bot that knows nothing about the answers gets 50 attempts at the shipped onboarding quiz,
// through the real quiz module and its attempt policy, and does not pass. It sees only what a
// learner's browser sees: the drawn questions with their options in the order shown, and the
// result page of each attempt (score, and the modules to revisit). Three strategies, each with a
// seeded generator: random answers, always the longest option, and a bot that remembers what
// the feedback of earlier attempts taught it (a module not named to revisit had every answer
// right; a named module whose other answers it already knows had this one wrong). The bot is
// even told which module each question belongs to, which a browser is not.
import { afterEach, beforeEach, expect, test } from "vitest";
import { replayModules, workThroughCourse } from "../../app/demo/factories.server";
import { getCourseState, LearningError } from "../../app/learning/progress.server";
import { presentationFor, questionsForBrowser, quizGate, submitQuizAttempt } from "../../app/learning/quiz.server";
import { getMyAttempt } from "../../app/learning/attempt-view.server";
import { seededRandom } from "../../app/components/shuffle";
import type { QuizQuestionView } from "../../app/components/learner-views";
import type { Assignment, User } from "../../db/schema";
import { assignCourse, makeWorld, PASSWORD, SECRET, type World } from "../support/world";
import { fixedClock } from "../../app/clock";

let w: World;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.close();
});

type Strategy = "random" | "longest" | "memory";

interface Memory {
  /** prompt → option texts known to be the answer. */
  known: Map<string, string[]>;
  /** prompt → answers (sorted option texts, joined) known to be wrong. */
  wrong: Map<string, Set<string>>;
}

const key = (texts: string[]) => [...texts].sort().join("\u0000");

function subsets<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let mask = 1; mask < 1 << items.length; mask++) out.push(items.filter((_, i) => mask & (1 << i)));
  return out;
}

function pick(q: QuizQuestionView, strategy: Strategy, memory: Memory, random: () => number): string[] {
  const texts = q.options.map((o) => o.text);
  if (strategy === "longest") {
    const longest = texts.reduce((a, b) => (b.length > a.length ? b : a));
    return [longest];
  }
  const known = memory.known.get(q.prompt);
  if (strategy === "memory" && known) return known;
  const candidates = (q.select === "one" ? texts.map((t) => [t]) : subsets(texts)).filter(
    (c) => strategy !== "memory" || !memory.wrong.get(q.prompt)?.has(key(c)),
  );
  return candidates[Math.floor(random() * candidates.length)];
}

async function revisit(assignment: Assignment, modules: string[], at: string) {
  await replayModules(w.db, { assignment, course: w.course, modules }, fixedClock(at));
}

async function runBot(user: User, strategy: Strategy, seed: string) {
  const assignment = await assignCourse(w, user);
  await workThroughCourse(w.db, { user, assignment, course: w.course, catalog: w.catalog, upTo: "modules", password: PASSWORD, secret: SECRET, at: "2027-03-02T09:00:00.000Z" }, w.clock);
  const random = seededRandom(seed);
  const memory: Memory = { known: new Map(), wrong: new Map() };
  const moduleOf = new Map(w.course.quiz!.questions.map((q) => [q.prompt, q.module!]));
  let passed = 0;
  let refused = 0;
  let revisits = 0;
  for (let i = 0; i < 50; i++) {
    const at = new Date(Date.parse("2027-03-03T09:00:00.000Z") + i * 3_600_000);
    const gate = await quizGate(w.db, { assignment, course: w.course });
    if (gate.kind === "revisit") {
      revisits++;
      await revisit(assignment, gate.modules.map((m) => m.slug), new Date(at.getTime() - 60_000).toISOString());
    }
    const state = await getCourseState(w.db, assignment, w.course);
    const questions = questionsForBrowser(w.course, presentationFor(w.course, assignment.id, state.quiz.attempts + 1));
    const chosen = new Map(questions.map((q) => [q.prompt, pick(q, strategy, memory, random)]));
    const entries = questions.flatMap((q) => chosen.get(q.prompt)!.map((text) => [`q.${q.id}`, q.options.find((o) => o.text === text)!.id] as [string, string]));
    let result;
    try {
      result = await submitQuizAttempt(w.db, { assignment, course: w.course, entries, actorId: user.id, attemptNumber: state.quiz.attempts + 1 }, fixedClock(at.toISOString()));
    } catch (e) {
      if (!(e instanceof LearningError)) throw e;
      expect(e.message).toContain(`Contact the course owner, ${w.course.meta.owner}`);
      refused++;
      continue;
    }
    expect(result.ok).toBe(true);
    if (!result.ok) continue;
    if (result.passed) passed++;
    // What the result page shows: the modules to revisit (nothing per question).
    const view = (await getMyAttempt(w.db, { viewerId: user.id, attemptId: result.attemptId, course: w.course }))!;
    expect(view.questions!.every((q) => q.right === null && q.options.every((o) => !o.correct))).toBe(true);
    const named = new Set(view.revisit.map((m) => m.slug));
    for (const slug of new Set(questions.map((q) => moduleOf.get(q.prompt)!))) {
      const inModule = questions.filter((q) => moduleOf.get(q.prompt) === slug);
      if (!named.has(slug)) {
        for (const q of inModule) memory.known.set(q.prompt, chosen.get(q.prompt)!);
        continue;
      }
      const unknown = inModule.filter((q) => !memory.known.has(q.prompt));
      if (unknown.length === 1) {
        const q = unknown[0];
        const set = memory.wrong.get(q.prompt) ?? new Set<string>();
        set.add(key(chosen.get(q.prompt)!));
        memory.wrong.set(q.prompt, set);
      }
    }
  }
  const stored = await w.db.selectFrom("quiz_attempts").select(["passed"]).where("assignment_id", "=", assignment.id).execute();
  const done = await w.db.selectFrom("assignments").select("completed_at").where("id", "=", assignment.id).executeTakeFirstOrThrow();
  return { passed, refused, revisits, stored: stored.length, storedPassed: stored.filter((r) => r.passed === 1).length, completed: done.completed_at, learned: memory.known.size };
}

test("a bot that knows nothing about the answers, given 50 attempts, does not pass the onboarding quiz", { timeout: 120_000 }, async () => {
  const policy = w.course.quiz!.attemptPolicy!;
  expect(policy).toEqual({ afterFailedAttempts: 3, maxAttempts: 6 });
  const bots: Array<[User, Strategy, string]> = [
    [w.alice, "random", "bot-random-1"],
    [w.bob, "longest", "bot-longest-1"],
    [w.manager, "memory", "bot-memory-1"],
  ];
  for (const [user, strategy, seed] of bots) {
    const r = await runBot(user, strategy, seed);
    expect({ strategy, passed: r.passed, storedPassed: r.storedPassed, completed: r.completed }).toEqual({ strategy, passed: 0, storedPassed: 0, completed: null });
    // Every one of the 50 tries was made: the first 6 were graded and kept, the rest refused.
    expect(r.stored, strategy).toBe(policy.maxAttempts);
    expect(r.refused, strategy).toBe(50 - policy.maxAttempts!);
    // The policy made the bot revisit the named modules before each attempt after the third.
    expect(r.revisits, strategy).toBe(policy.maxAttempts! - policy.afterFailedAttempts!);
  }
});

test("the quiz refuses an attempt until the modules named by the last failed one are revisited", async () => {
  const assignment = await assignCourse(w, w.alice);
  await workThroughCourse(w.db, { user: w.alice, assignment, course: w.course, catalog: w.catalog, upTo: "modules", password: PASSWORD, secret: SECRET, at: "2027-03-02T09:00:00.000Z" }, w.clock);
  const wrong = (n: number) =>
    questionsForBrowser(w.course, presentationFor(w.course, assignment.id, n)).map((q) => {
      const key = w.course.quiz!.questions.find((x) => x.id === q.id)!;
      return [`q.${q.id}`, key.options.find((o) => !o.correct)!.id] as [string, string];
    });
  for (let n = 1; n <= 3; n++) {
    const r = await submitQuizAttempt(w.db, { assignment, course: w.course, entries: wrong(n), actorId: w.alice.id }, fixedClock(`2027-03-03T09:0${n}:00.000Z`));
    expect(r.ok && !r.passed).toBe(true);
  }
  const gate = await quizGate(w.db, { assignment, course: w.course });
  expect(gate.kind).toBe("revisit");
  const named = gate.kind === "revisit" ? gate.modules.map((m) => m.slug) : [];
  // Every module had a question wrong, so every module is named, in course order.
  expect(named).toEqual(w.course.modules.map((m) => m.slug));
  const before = await w.db.selectFrom("quiz_attempts").select("id").where("assignment_id", "=", assignment.id).execute();
  await expect(submitQuizAttempt(w.db, { assignment, course: w.course, entries: wrong(4), actorId: w.alice.id }, fixedClock("2027-03-03T10:00:00.000Z"))).rejects.toThrow(/Before your next attempt, revisit: /);
  expect(await w.db.selectFrom("quiz_attempts").select("id").where("assignment_id", "=", assignment.id).execute()).toHaveLength(before.length);
  // Revisiting all but one module is not enough; the last one opens the quiz again.
  await revisit(assignment, named.slice(0, -1), "2027-03-03T10:05:00.000Z");
  const still = await quizGate(w.db, { assignment, course: w.course });
  expect(still.kind === "revisit" ? still.modules.map((m) => m.slug) : still.kind).toEqual(named.slice(-1));
  await revisit(assignment, named.slice(-1), "2027-03-03T10:06:00.000Z");
  expect((await quizGate(w.db, { assignment, course: w.course })).kind).toBe("open");
});
