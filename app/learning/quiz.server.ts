// Quiz attempts: graded on the server, stored whole (answers, score, pass/fail, time), never
// changed afterwards (the database refuses UPDATE and DELETE on quiz_attempts).
import type { Db } from "../../db/connection";
import type { Assignment } from "../../db/schema";
import type { Clock } from "../clock";
import { randomId } from "../ids.server";
import { appendAudit } from "../audit/audit.server";
import { storedRowHash } from "../audit/rows.server";
import type { Course } from "../courses/catalog.server";
import type { QuizQuestionView, QuizResultQuestion } from "../components/learner-views";
import { gradeQuiz, parseAnswers, type Answers } from "./grading";
import { completeIfDone, getCourseState, LearningError, quizUnlocked } from "./progress.server";

/** Prompts and options only: what the quiz page may send to the browser. */
export function questionsForBrowser(course: Course): QuizQuestionView[] {
  return (course.quiz?.questions ?? []).map((q) => ({
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
  input: { assignment: Assignment; course: Course; entries: Iterable<[string, FormDataEntryValue]>; actorId: string },
  clock: Clock,
): Promise<SubmitResult> {
  const { assignment, course } = input;
  if (!course.quiz) throw new LearningError("This course has no quiz.", 404);
  if (assignment.completed_at) throw new LearningError("This course is already complete for this cycle.", 409);
  const state = await getCourseState(db, assignment, course);
  if (!quizUnlocked(course, state)) throw new LearningError("Complete every module before taking the quiz.", 409);
  if (state.quiz.passedAttemptId) throw new LearningError("You have already passed this quiz.", 409);
  const parsed = parseAnswers(course.quiz, input.entries);
  if (!parsed.ok) return parsed;
  const grade = gradeQuiz(course.quiz, parsed.answers, course.meta.passingScore);
  const now = clock();
  const attemptId = `att_${randomId()}`;
  await db.transaction().execute(async (trx) => {
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

export interface AttemptView {
  id: string;
  courseId: string;
  score: number;
  passingScore: number;
  passed: boolean;
  correctCount: number;
  questionCount: number;
  submittedAt: string;
  /** Null when the course's questions changed since the attempt was made. */
  questions: QuizResultQuestion[] | null;
}

/** One attempt, only for the person who made it. After a failed attempt the correct options are
 * not revealed (the explanations are), so a retry still tests understanding. */
export async function getMyAttempt(
  db: Db,
  { viewerId, attemptId, course }: { viewerId: string; attemptId: string; course: Course },
): Promise<AttemptView | null> {
  const row = await db
    .selectFrom("quiz_attempts")
    .selectAll()
    .where("id", "=", attemptId)
    .where("user_id", "=", viewerId)
    .where("course_id", "=", course.id)
    .executeTakeFirst();
  if (!row) return null;
  const answers = JSON.parse(row.answers_json) as Answers;
  const passed = row.passed === 1;
  const sameContent = row.content_hash === course.contentHash && course.quiz;
  const grade = course.quiz ? gradeQuiz(course.quiz, answers, row.passing_score) : null;
  return {
    id: row.id,
    courseId: row.course_id,
    score: row.score,
    passingScore: row.passing_score,
    passed,
    correctCount: row.correct_count,
    questionCount: row.question_count,
    submittedAt: row.submitted_at,
    questions:
      sameContent && grade && course.quiz
        ? course.quiz.questions.map((q) => ({
            id: q.id,
            prompt: q.prompt,
            select: q.select,
            right: grade.perQuestion[q.id],
            explanation: q.explanation,
            options: q.options.map((o) => {
              const chosen = (answers[q.id] ?? []).includes(o.id);
              return {
                id: o.id,
                text: o.text,
                chosen,
                correct: passed ? o.correct : false,
                why: passed || chosen ? (o.why ?? null) : null,
              };
            }),
          }))
        : null,
  };
}
