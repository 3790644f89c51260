import { expect, test } from "vitest";
import { gradeQuiz, parseAnswers, type Answers } from "../../app/learning/grading";
import type { Question, Quiz } from "../../app/courses/schema";

function question(id: string, select: "one" | "many", correct: string[], options = ["a", "b", "c", "d"]): Question {
  return {
    id,
    prompt: `Prompt ${id}`,
    select,
    options: options.map((o) => ({ id: o, text: `Option ${o}`, correct: correct.includes(o) })),
    explanation: `Because ${id}.`,
  };
}

function quiz(...questions: Question[]): Quiz {
  return { questions };
}

/** n select:one questions q1…qn whose correct option is always "a". */
function quizOf(n: number): Quiz {
  return quiz(...Array.from({ length: n }, (_, i) => question(`q${i + 1}`, "one", ["a"])));
}

/** Answers with the first `right` questions of quizOf(n) right and the rest wrong. */
function answersWithRight(n: number, right: number): Answers {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`q${i + 1}`, [i < right ? "a" : "b"]]));
}

const twoQuestions = () => quiz(question("pick-one", "one", ["b"]), question("pick-many", "many", ["a", "c"]));

test("a fully answered form parses into answers per question", () => {
  const parsed = parseAnswers(twoQuestions(), [
    ["q.pick-one", "b"],
    ["q.pick-many", "a"],
    ["q.pick-many", "c"],
  ]);
  expect(parsed).toEqual({ ok: true, answers: { "pick-one": ["b"], "pick-many": ["a", "c"] } });
});

test("fields that are not answers (such as intent) are ignored", () => {
  const parsed = parseAnswers(twoQuestions(), [
    ["intent", "submit"],
    ["q.pick-one", "b"],
    ["q.pick-many", "a"],
  ]);
  expect(parsed).toEqual({ ok: true, answers: { "pick-one": ["b"], "pick-many": ["a"] } });
});

test("an unanswered question is a field error the learner can fix, not a bad request", () => {
  const parsed = parseAnswers(twoQuestions(), [["q.pick-one", "b"]]);
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(parsed.fieldErrors).toEqual({ "pick-many": "Please answer this question." });
  expect(parsed.formError).toBe("Some questions are not answered yet.");
});

test("an empty form marks every question unanswered", () => {
  const parsed = parseAnswers(twoQuestions(), []);
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(Object.keys(parsed.fieldErrors).sort()).toEqual(["pick-many", "pick-one"]);
});

test("an answer to a question that is not in the quiz is a bad request (form error, no field errors)", () => {
  const parsed = parseAnswers(twoQuestions(), [
    ["q.pick-one", "b"],
    ["q.pick-many", "a"],
    ["q.no-such-question", "a"],
  ]);
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(parsed.formError).toContain("There is no question 'no-such-question'");
  expect(parsed.fieldErrors).toEqual({});
});

test("an option that does not belong to the question is a bad request", () => {
  const parsed = parseAnswers(twoQuestions(), [
    ["q.pick-one", "z"],
    ["q.pick-many", "a"],
  ]);
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(parsed.formError).toBe("'z' is not an option of question 'pick-one'.");
  expect(parsed.fieldErrors).toEqual({});
});

test("an uploaded file instead of an option id is a bad request", () => {
  const file = new File(["a"], "a.txt");
  const parsed = parseAnswers(twoQuestions(), [
    ["q.pick-one", file],
    ["q.pick-many", "a"],
  ]);
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(parsed.formError).toContain("is not an option of question 'pick-one'");
});

test("two answers to a select-one question is a field error", () => {
  const parsed = parseAnswers(twoQuestions(), [
    ["q.pick-one", "a"],
    ["q.pick-one", "b"],
    ["q.pick-many", "a"],
  ]);
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(parsed.fieldErrors).toEqual({ "pick-one": "Choose only one answer." });
});

test("the same option sent twice counts once", () => {
  const parsed = parseAnswers(twoQuestions(), [
    ["q.pick-one", "b"],
    ["q.pick-one", "b"],
    ["q.pick-many", "c"],
    ["q.pick-many", "a"],
    ["q.pick-many", "c"],
  ]);
  expect(parsed).toEqual({ ok: true, answers: { "pick-one": ["b"], "pick-many": ["c", "a"] } });
});

test("a form with more than 500 fields is rejected", () => {
  const entries: Array<[string, string]> = [["q.pick-one", "b"], ["q.pick-many", "a"]];
  while (entries.length < 501) entries.push(["padding", "x"]);
  const parsed = parseAnswers(twoQuestions(), entries);
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(parsed.formError).toBe("Too many answers were sent.");
});

test("a form with exactly 500 fields is still accepted", () => {
  const entries: Array<[string, string]> = [["q.pick-one", "b"], ["q.pick-many", "a"]];
  while (entries.length < 500) entries.push(["padding", "x"]);
  expect(parseAnswers(twoQuestions(), entries).ok).toBe(true);
});

test("the field limit stops reading a huge stream of fields early", () => {
  let produced = 0;
  function* huge(): Generator<[string, string]> {
    for (let i = 0; i < 100_000; i++) {
      produced++;
      yield ["padding", "x"];
    }
  }
  const parsed = parseAnswers(twoQuestions(), huge());
  expect(parsed.ok).toBe(false);
  expect(produced).toBeLessThanOrEqual(501);
});

test("a select-many question is right only with exactly the correct options", () => {
  const q = quiz(question("many", "many", ["a", "c"]));
  expect(gradeQuiz(q, { many: ["a", "c"] }, 100).perQuestion.many).toBe(true);
  expect(gradeQuiz(q, { many: ["c", "a"] }, 100).perQuestion.many).toBe(true);
  // A subset misses a correct option.
  expect(gradeQuiz(q, { many: ["a"] }, 100).perQuestion.many).toBe(false);
  // A superset adds a wrong one: choosing everything must not score.
  expect(gradeQuiz(q, { many: ["a", "b", "c"] }, 100).perQuestion.many).toBe(false);
  expect(gradeQuiz(q, { many: ["a", "b", "c", "d"] }, 100).perQuestion.many).toBe(false);
  // Same size, different options.
  expect(gradeQuiz(q, { many: ["a", "b"] }, 100).perQuestion.many).toBe(false);
});

test("a select-one question is right only with its correct option", () => {
  const q = quiz(question("one", "one", ["b"]));
  expect(gradeQuiz(q, { one: ["b"] }, 100).perQuestion.one).toBe(true);
  expect(gradeQuiz(q, { one: ["a"] }, 100).perQuestion.one).toBe(false);
});

test("a question with no answer at all is graded wrong", () => {
  const g = gradeQuiz(quizOf(2), { q1: ["a"] }, 50);
  expect(g.perQuestion).toEqual({ q1: true, q2: false });
  expect(g.correctCount).toBe(1);
});

test("grading counts right questions and reports a whole-percent score", () => {
  const g = gradeQuiz(quizOf(5), answersWithRight(5, 4), 80);
  expect(g).toMatchObject({ correctCount: 4, questionCount: 5, score: 80, passed: true });
});

test("a score exactly at the passing score passes", () => {
  expect(gradeQuiz(quizOf(5), answersWithRight(5, 4), 80).passed).toBe(true);
  expect(gradeQuiz(quizOf(5), answersWithRight(5, 4), 81).passed).toBe(false);
});

test("a score below the passing score fails (7 of 9 is 77%)", () => {
  const g = gradeQuiz(quizOf(9), answersWithRight(9, 7), 80);
  expect(g.score).toBe(77);
  expect(g.passed).toBe(false);
});

test("the score is rounded down, so rounding never grants a pass", () => {
  // 2 of 3 is 66.67%: rounded to the nearest it would be 67 and pass at 67.
  const twoOfThree = gradeQuiz(quizOf(3), answersWithRight(3, 2), 67);
  expect(twoOfThree.score).toBe(66);
  expect(twoOfThree.passed).toBe(false);
  // 7 of 9 is 77.78%: rounded it would be 78 and pass at 78.
  const sevenOfNine = gradeQuiz(quizOf(9), answersWithRight(9, 7), 78);
  expect(sevenOfNine.score).toBe(77);
  expect(sevenOfNine.passed).toBe(false);
});

test("all right is 100 and passes a 100% quiz; none right is 0", () => {
  expect(gradeQuiz(quizOf(3), answersWithRight(3, 3), 100)).toMatchObject({ score: 100, passed: true });
  expect(gradeQuiz(quizOf(3), answersWithRight(3, 0), 1)).toMatchObject({ score: 0, passed: false, correctCount: 0 });
});

test("answers to questions that are not in the quiz do not count", () => {
  const g = gradeQuiz(quizOf(2), { q1: ["a"], q2: ["b"], extra: ["a"] }, 50);
  expect(g.correctCount).toBe(1);
  expect(g.questionCount).toBe(2);
  expect(Object.keys(g.perQuestion).sort()).toEqual(["q1", "q2"]);
});
