// Quiz pools, the per-attempt draw and option order, and the shipped quizzes' options.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { loadCatalog } from "../../app/courses/catalog.server";
import { quizSchema, type Question, type Quiz } from "../../app/courses/schema";
import { modulesToRevisit, presentedQuiz, presentQuiz } from "../../app/learning/presentation";
import { seededShuffle } from "../../app/components/shuffle";
import { recordHash } from "../../app/audit/rows.server";

function question(id: string, module: string, options = ["a", "b", "c", "d"]): Question {
  return { id, module, prompt: `Prompt ${id}`, select: "one", options: options.map((o, i) => ({ id: o, text: `Option ${o}`, correct: i === 0 })), explanation: `Because ${id}.` };
}

/** Three modules with four questions each. */
function pooled(extra: Partial<Quiz> = {}): Quiz {
  return { questions: ["m1", "m2", "m3"].flatMap((m) => [1, 2, 3, 4].map((n) => question(`${m}-q${n}`, m))), ...extra };
}

test("each attempt draws `draw` questions from every module's pool, in course order, with every option once", () => {
  const quiz = pooled({ draw: 2, pools: { m3: 1 } });
  const p = presentQuiz(quiz, "asg_x:1");
  const modules = p.questions.map((q) => q.id.split("-")[0]);
  expect(modules).toEqual(["m1", "m1", "m2", "m2", "m3"]);
  for (const q of p.questions) expect([...q.options].sort()).toEqual(["a", "b", "c", "d"]);
  // Questions without a module form one pool of their own.
  const loose = { ...quiz, questions: [...quiz.questions, ...[1, 2, 3].map((n) => ({ ...question(`x-q${n}`, "m1"), module: undefined }))] };
  expect(presentQuiz(loose, "asg_x:1").questions.filter((q) => q.id.startsWith("x-"))).toHaveLength(2);
  // Without draw, every question is shown.
  expect(presentQuiz(pooled(), "asg_x:1").questions).toHaveLength(12);
});

test("the same assignment and attempt number give the same presentation; other attempts differ", () => {
  const quiz = pooled({ draw: 2 });
  expect(presentQuiz(quiz, "asg_x:1")).toEqual(presentQuiz(quiz, "asg_x:1"));
  const seen = new Set(Array.from({ length: 20 }, (_, i) => JSON.stringify(presentQuiz(quiz, `asg_x:${i + 1}`))));
  expect(seen.size).toBeGreaterThan(15);
  // Options really are shuffled: over 20 attempts the correct option is not always first.
  const firsts = new Set(Array.from({ length: 20 }, (_, i) => presentQuiz(quiz, `asg_x:${i + 1}`).questions[0].options[0]));
  expect(firsts.size).toBeGreaterThan(1);
});

test("the presented quiz holds only the drawn questions, options in the order shown; null once the quiz lost one", () => {
  const quiz = pooled({ draw: 1 });
  const p = presentQuiz(quiz, "s");
  const shown = presentedQuiz(quiz, p)!;
  expect(shown.questions.map((q) => ({ id: q.id, options: q.options.map((o) => o.id) }))).toEqual(p.questions);
  const fewer = { ...quiz, questions: quiz.questions.map((q) => (q.id === p.questions[0].id ? { ...q, options: q.options.slice(1) } : q)) };
  expect(presentedQuiz(fewer, p)).toBeNull();
});

test("feedback names the modules with a wrong answer, in course order, never a module answered right", () => {
  const quiz = pooled();
  const perQuestion = Object.fromEntries(quiz.questions.map((q) => [q.id, !(q.id === "m3-q2" || q.id === "m1-q4")]));
  expect(modulesToRevisit(quiz, perQuestion, ["m1", "m2", "m3"])).toEqual(["m1", "m3"]);
  expect(modulesToRevisit(quiz, Object.fromEntries(quiz.questions.map((q) => [q.id, true])), ["m1", "m2", "m3"])).toEqual([]);
});

test("quiz.yaml takes draw, pools and an attempt policy, and refuses nonsense", () => {
  expect(quizSchema.safeParse({ ...pooled(), draw: 2, attemptPolicy: { afterFailedAttempts: 3, maxAttempts: 8 } }).success).toBe(true);
  expect(quizSchema.safeParse({ ...pooled(), draw: 0 }).success).toBe(false);
  expect(quizSchema.safeParse({ ...pooled(), attemptPolicy: { afterFailed: 3 } }).success).toBe(false);
  expect(quizSchema.safeParse({ ...pooled(), pools: { "Not A Module": 1 } }).success).toBe(false);
});

test("a seeded shuffle is a permutation, the same for the same seed", () => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  expect(seededShuffle(items, "x")).toEqual(seededShuffle(items, "x"));
  expect([...seededShuffle(items, "x")].sort((a, b) => a - b)).toEqual(items);
  expect(seededShuffle(items, "x")).not.toEqual(seededShuffle(items, "y"));
});

test("in the shipped quizzes the right option is the strictly longest in at most a quarter of single-answer questions", () => {
  const catalog = loadCatalog(path.resolve("courses"));
  expect(catalog.problems).toEqual([]);
  let single = 0;
  let longest = 0;
  for (const course of catalog.courses.values()) {
    const questions = (course.quiz?.questions ?? []).filter((q) => q.select === "one");
    const giveaway = questions.filter((q) => {
      const lengths = q.options.map((o) => o.text.length);
      const max = Math.max(...lengths);
      const right = q.options.findIndex((o) => o.correct);
      return lengths[right] === max && lengths.filter((l) => l === max).length === 1;
    });
    expect(giveaway.length, `${course.id}: ${giveaway.map((q) => q.id).join(", ")}`).toBeLessThanOrEqual(questions.length / 4);
    single += questions.length;
    longest += giveaway.length;
  }
  expect(single).toBeGreaterThan(30);
  expect(longest).toBeLessThanOrEqual(single / 4);
});

test("the shipped onboarding quiz has a pool of three per module, draws two, and has an attempt policy", () => {
  const course = loadCatalog(path.resolve("courses")).courses.get("protecting-trade-secrets")!;
  const quiz = course.quiz!;
  for (const m of course.modules) expect(quiz.questions.filter((q) => q.module === m.slug).length, m.slug).toBe(3);
  expect(quiz.draw).toBe(2);
  expect(quiz.attemptPolicy).toEqual({ afterFailedAttempts: 3, maxAttempts: 6 });
});

test("the audit row hash leaves out the presentation columns while they are null, so older attempts keep their hash", () => {
  const before = { id: "att_1", score: 50, passed: 0 };
  expect(recordHash({ ...before, presented_json: null, revisit_json: null })).toBe(recordHash(before));
  expect(recordHash({ ...before, presented_json: "{}", revisit_json: null })).not.toBe(recordHash(before));
  // Other null columns still count, as before.
  expect(recordHash({ ...before, ip: null })).not.toBe(recordHash(before));
});

test("a pool named for a module no question belongs to is reported at its line", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-pools-"));
  try {
    fs.cpSync(path.resolve("courses"), root, { recursive: true });
    const file = path.join(root, "exit-acknowledgement", "quiz.yaml");
    fs.writeFileSync(file, `pools:\n  before-you-go: 2\n  no-such-module: 1\n${fs.readFileSync(file, "utf8")}`);
    const catalog = loadCatalog(root);
    expect(catalog.problems).toEqual([{ file: "courses/exit-acknowledgement/quiz.yaml".replace("courses", path.basename(root)), line: 3, message: "pools names module 'no-such-module', which no question belongs to" }]);
    expect(catalog.courses.has("exit-acknowledgement")).toBe(false);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
