// What one quiz attempt shows: the questions drawn from each module's pool and the order of each
// question's options. Pure: the seed names the assignment and the attempt's number, so the quiz
// page (a GET, which records nothing) and the submission compute the same presentation, and the
// attempt stores it so it can be shown and graded later exactly as it was seen.
import type { Question, Quiz } from "../courses/schema";
import { seededShuffle } from "../components/shuffle";

export interface Presentation {
  /** Drawn questions in the order shown, each with its option ids in the order shown. */
  questions: Array<{ id: string; options: string[] }>;
}

/** The pool a question belongs to: its module, or one pool for questions naming none. */
const poolOf = (q: Question) => q.module ?? "";

export function presentQuiz(quiz: Quiz, seed: string): Presentation {
  const pools = new Map<string, Question[]>();
  for (const q of quiz.questions) {
    const list = pools.get(poolOf(q)) ?? [];
    list.push(q);
    pools.set(poolOf(q), list);
  }
  const drawn = new Set<string>();
  for (const [pool, questions] of pools) {
    const count = (pool && quiz.pools?.[pool]) || quiz.draw || questions.length;
    for (const q of seededShuffle(questions, `${seed}:pool:${pool}`).slice(0, count)) drawn.add(q.id);
  }
  // Course order (module by module) for the drawn questions; options in an order of their own.
  return {
    questions: quiz.questions
      .filter((q) => drawn.has(q.id))
      .map((q) => ({ id: q.id, options: seededShuffle(q.options.map((o) => o.id), `${seed}:options:${q.id}`) })),
  };
}

/** The quiz as one attempt presented it: only its questions, options in the order shown. Null
 * when the quiz has changed so much that a presented question or option no longer exists. */
export function presentedQuiz(quiz: Quiz, presentation: Presentation): Quiz | null {
  const byId = new Map(quiz.questions.map((q) => [q.id, q]));
  const questions: Question[] = [];
  for (const p of presentation.questions) {
    const q = byId.get(p.id);
    if (!q) return null;
    const options = p.options.map((id) => q.options.find((o) => o.id === id));
    if (options.some((o) => !o) || options.length !== q.options.length) return null;
    questions.push({ ...q, options: options as Question["options"] });
  }
  return { ...quiz, questions };
}

/** Modules in course order whose questions the attempt got wrong: what its feedback names. */
export function modulesToRevisit(quiz: Quiz, perQuestion: Record<string, boolean>, moduleOrder: string[]): string[] {
  const missed = new Set(quiz.questions.filter((q) => perQuestion[q.id] === false && q.module).map((q) => q.module as string));
  return moduleOrder.filter((m) => missed.has(m));
}
