// Quiz grading. Pure: the server calls it with the answer key from the course folder; nothing
// here is ever sent to the browser.
import type { Quiz } from "../courses/schema";

export type Answers = Record<string, string[]>;

export type ParsedAnswers =
  | { ok: true; answers: Answers }
  | { ok: false; formError?: string; fieldErrors: Record<string, string> };

const MAX_FIELDS = 500;

/** Reads `q.<questionId>` fields from a form. Unknown questions or options are a bad request;
 * unanswered questions are field errors the learner can fix. Answers to the questions in
 * `notDrawn` (in the quiz, not in this attempt) are left out. */
export function parseAnswers(quiz: Quiz, entries: Iterable<[string, FormDataEntryValue]>, notDrawn: ReadonlySet<string> = new Set()): ParsedAnswers {
  const answers: Answers = {};
  const fieldErrors: Record<string, string> = {};
  const byId = new Map(quiz.questions.map((q) => [q.id, q]));
  let count = 0;
  for (const [key, value] of entries) {
    if (++count > MAX_FIELDS) return { ok: false, formError: "Too many answers were sent.", fieldErrors };
    if (!key.startsWith("q.")) continue;
    const qid = key.slice(2);
    const question = byId.get(qid);
    if (!question && notDrawn.has(qid)) continue;
    if (!question) return { ok: false, formError: `There is no question '${qid.slice(0, 60)}' in this quiz.`, fieldErrors };
    if (typeof value !== "string" || !question.options.some((o) => o.id === value)) {
      return { ok: false, formError: `'${String(value).slice(0, 60)}' is not an option of question '${qid}'.`, fieldErrors };
    }
    const list = (answers[qid] ??= []);
    if (!list.includes(value)) list.push(value);
  }
  for (const q of quiz.questions) {
    const given = answers[q.id] ?? [];
    if (given.length === 0) fieldErrors[q.id] = "Please answer this question.";
    else if (q.select === "one" && given.length > 1) fieldErrors[q.id] = "Choose only one answer.";
  }
  if (Object.keys(fieldErrors).length > 0) {
    return { ok: false, formError: "Some questions are not answered yet.", fieldErrors };
  }
  return { ok: true, answers };
}

export interface Grade {
  correctCount: number;
  questionCount: number;
  /** Whole percent, rounded down so that a pass is never granted by rounding. */
  score: number;
  passed: boolean;
  perQuestion: Record<string, boolean>;
}

/** A question is right only when exactly the correct options were chosen. */
export function gradeQuiz(quiz: Quiz, answers: Answers, passingScore: number): Grade {
  const perQuestion: Record<string, boolean> = {};
  let correctCount = 0;
  for (const q of quiz.questions) {
    const correct = new Set(q.options.filter((o) => o.correct).map((o) => o.id));
    const given = new Set(answers[q.id] ?? []);
    const right = given.size === correct.size && [...given].every((id) => correct.has(id));
    perQuestion[q.id] = right;
    if (right) correctCount++;
  }
  const questionCount = quiz.questions.length;
  const score = questionCount === 0 ? 0 : Math.floor((correctCount * 100) / questionCount);
  return { correctCount, questionCount, score, passed: score >= passingScore, perQuestion };
}
