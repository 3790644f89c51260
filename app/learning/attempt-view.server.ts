// One quiz attempt as its result page shows it: the questions it drew, in the order they were
// shown, with what the learner chose. A passed attempt shows what was right and why. A failed one
// marks nothing: it names the modules to revisit and gives the ideas behind their questions.
import type { Db } from "../../db/connection";
import type { Course } from "../courses/catalog.server";
import type { QuizResultQuestion, QuizRevisitModule } from "../components/learner-views";
import { gradeQuiz, type Answers } from "./grading";
import { presentedQuiz, type Presentation } from "./presentation";
import { parseModules } from "./quiz-policy.server";

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
  /** After a failed attempt: the modules to revisit, each with the ideas of its questions. */
  revisit: QuizRevisitModule[];
}

function presentationOf(json: string | null): Presentation | null {
  if (!json) return null;
  try {
    return JSON.parse(json) as Presentation;
  } catch {
    return null;
  }
}

/** One attempt, only for the person who made it. */
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
  const presentation = presentationOf(row.presented_json);
  // Attempts made before presentations were stored showed every question in file order.
  const shown = course.quiz && (presentation ? presentedQuiz(course.quiz, presentation) : row.content_hash === course.contentHash ? course.quiz : null);
  const grade = shown ? gradeQuiz(shown, answers, row.passing_score) : null;
  const named = parseModules(row.revisit_json);
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
      shown && grade
        ? shown.questions.map((q) => ({
            id: q.id,
            prompt: q.prompt,
            select: q.select,
            right: passed ? grade.perQuestion[q.id] : null,
            explanation: passed ? q.explanation : null,
            options: q.options.map((o) => {
              const chosen = (answers[q.id] ?? []).includes(o.id);
              return { id: o.id, text: o.text, chosen, correct: passed ? o.correct : false, why: passed ? (o.why ?? null) : null };
            }),
          }))
        : null,
    revisit: passed
      ? []
      : course.modules
          .filter((m) => named.includes(m.slug))
          .map((m) => ({
            slug: m.slug,
            title: m.title,
            ideas: (shown?.questions ?? []).filter((q) => q.module === m.slug).map((q) => q.explanation),
          })),
  };
}
