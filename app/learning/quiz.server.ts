// Quiz attempts: drawn from the pools and shuffled per attempt, graded on the server against what
// was shown, stored whole (answers, presentation, score, pass/fail, modules to revisit, time),
// never changed afterwards (the database refuses UPDATE and DELETE on quiz_attempts).
import type { Db } from "../../db/connection";
import type { Assignment } from "../../db/schema";
import type { Clock } from "../clock";
import { randomId } from "../ids.server";
import { appendAudit, auditedTransaction } from "../audit/audit.server";
import { storedRowHash } from "../audit/rows.server";
import type { Course } from "../courses/catalog.server";
import type { QuizQuestionView } from "../components/learner-views";
import { gradeQuiz, parseAnswers } from "./grading";
import { modulesToRevisit, presentedQuiz, presentQuiz, type Presentation } from "./presentation";
import { quizGate, type QuizGate } from "./quiz-policy.server";
import { completeIfDone, getCourseState, LearningError, quizUnlocked } from "./progress.server";

export { quizGate, type QuizGate };

/** The presentation of attempt number `attemptNumber` (1-based) of an assignment; a preview
 * (no assignment) sees the first one. */
export function presentationFor(course: Course, assignmentId: string | null, attemptNumber: number): Presentation {
  return presentQuiz(course.quiz!, `${assignmentId ?? "preview"}:${attemptNumber}`);
}

/** Prompts and options only, as the presentation orders them: what the quiz page may send. */
export function questionsForBrowser(course: Course, presentation?: Presentation): QuizQuestionView[] {
  if (!course.quiz) return [];
  const quiz = presentation ? presentedQuiz(course.quiz, presentation) : course.quiz;
  return (quiz?.questions ?? []).map((q) => ({
    id: q.id,
    prompt: q.prompt,
    select: q.select,
    options: q.options.map((o) => ({ id: o.id, text: o.text })),
  }));
}

export type SubmitResult =
  | { ok: true; attemptId: string; passed: boolean; score: number }
  | { ok: false; formError?: string; fieldErrors: Record<string, string> };

export async function submitQuizAttempt(
  db: Db,
  input: { assignment: Assignment; course: Course; entries: Iterable<[string, FormDataEntryValue]>; actorId: string; attemptNumber?: number },
  clock: Clock,
): Promise<SubmitResult> {
  const { assignment, course } = input;
  if (!course.quiz) throw new LearningError("This course has no quiz.", 404);
  if (assignment.completed_at) throw new LearningError("This course is already complete for this cycle.", 409);
  const state = await getCourseState(db, assignment, course);
  if (!quizUnlocked(course, state)) throw new LearningError("Complete every module before taking the quiz.", 409);
  if (state.quiz.passedAttemptId) throw new LearningError("You have already passed this quiz.", 409);
  const gate = await quizGate(db, { assignment, course });
  if (gate.kind === "closed") throw new LearningError(gate.message, 409);
  if (gate.kind === "revisit") throw new LearningError(`Before your next attempt, revisit: ${gate.modules.map((m) => m.title).join(", ")}.`, 409);
  const attemptNumber = state.quiz.attempts + 1;
  if (input.attemptNumber !== undefined && input.attemptNumber !== attemptNumber) {
    throw new LearningError("This quiz was submitted meanwhile (another tab or window); reload the page for a fresh attempt.", 409);
  }
  const presentation = presentationFor(course, assignment.id, attemptNumber);
  const shown = presentedQuiz(course.quiz, presentation)!;
  const drawn = new Set(shown.questions.map((q) => q.id));
  const parsed = parseAnswers(shown, input.entries, new Set(course.quiz.questions.map((q) => q.id).filter((id) => !drawn.has(id))));
  if (!parsed.ok) return parsed;
  const grade = gradeQuiz(shown, parsed.answers, course.meta.passingScore);
  const revisit = grade.passed ? [] : modulesToRevisit(shown, grade.perQuestion, course.modules.map((m) => m.slug));
  const now = clock();
  const attemptId = `att_${randomId()}`;
  await auditedTransaction(db, async (trx) => {
    await trx
      .insertInto("quiz_attempts")
      .values({
        id: attemptId,
        assignment_id: assignment.id,
        user_id: assignment.user_id,
        course_id: course.id,
        content_hash: course.contentHash,
        answers_json: JSON.stringify(parsed.answers),
        correct_count: grade.correctCount,
        question_count: grade.questionCount,
        score: grade.score,
        passing_score: course.meta.passingScore,
        passed: grade.passed ? 1 : 0,
        submitted_at: now.toISOString(),
        presented_json: JSON.stringify(presentation),
        revisit_json: JSON.stringify(revisit),
      })
      .execute();
    await appendAudit(
      trx,
      {
        actorId: input.actorId,
        action: "quiz.attempted",
        subjectType: "quiz_attempt",
        subjectId: attemptId,
        data: { assignmentId: assignment.id, courseId: course.id, score: grade.score, passed: grade.passed, contentHash: course.contentHash, rowSha256: await storedRowHash(trx, "quiz_attempts", attemptId) },
      },
      now,
    );
    if (grade.passed) await completeIfDone(trx, { assignment, course, actorId: input.actorId }, now);
  });
  return { ok: true, attemptId, passed: grade.passed, score: grade.score };
}
