// A course's own page: its modules with what is done and what is unlocked, the quiz and the
// policy to sign, for the viewer's assignment (or an HR preview, where everything is open).
import type { Db } from "../../db/connection";
import type { Catalog } from "../courses/catalog.server";
import { assignmentStatus } from "../assignments/status";
import type { CourseAccess } from "./access.server";
import { attestationUnlocked, emptyState, getCourseState, moduleUnlocked, nextModule, quizUnlocked } from "./progress.server";

export async function coursePage(db: Db, catalog: Catalog, { course, assignment, preview }: CourseAccess, now: Date) {
  const state = assignment
    ? await getCourseState(db, assignment, course)
    : emptyState();
  const next = nextModule(course, state);
  const policy = course.meta.policy ? catalog.policies.get(course.meta.policy) : undefined;
  return {
    id: course.id,
    title: course.meta.title,
    summary: course.meta.summary,
    preview,
    passingScore: course.meta.passingScore,
    assignment: assignment
      ? {
          cycle: assignment.cycle,
          dueAt: assignment.due_at,
          completedAt: assignment.completed_at,
          /** When HR published a new version that restarted unfinished modules (decision 024). */
          restartedAt: assignment.completed_at ? null : assignment.content_since,
          status: assignmentStatus({ ...assignment, started: state.completedModules.size > 0 }, now),
        }
      : null,
    modules: course.modules.map((m) => ({
      slug: m.slug,
      title: m.title,
      minutes: m.minutes,
      done: state.completedModules.has(m.slug),
      unlocked: preview || (!state.trainingWaived && moduleUnlocked(course, state, m.slug)),
    })),
    next: next?.slug ?? null,
    quiz: course.quiz
      ? {
          questions: course.quiz.questions.length,
          unlocked: quizUnlocked(course, state),
          attempts: state.quiz.attempts,
          passed: state.quiz.passedAttemptId !== null,
          lastAttemptId: state.quiz.lastAttemptId,
          bestScore: state.quiz.bestScore,
        }
      : null,
    policy: policy ? { title: policy.title, version: policy.current.version, unlocked: attestationUnlocked(course, state), code: state.attestationCode } : null,
  };
}
