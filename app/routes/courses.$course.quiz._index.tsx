import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { notFound, readForm } from "~/http/guards.server";
import { asResponse, courseAccess, requireAssignment } from "~/http/course-access.server";
import { getCourseState, LearningError, quizUnlocked } from "~/learning/progress.server";
import { questionsForBrowser, submitQuizAttempt } from "~/learning/quiz.server";
import { QuizForm } from "~/components/Quiz";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Quiz · ${data?.course.title ?? ""} · Confidant` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { course, assignment, preview } = await courseAccess(request, context, params.course);
  if (!course.quiz) throw notFound("This course has no quiz.");
  if (assignment) {
    const state = await getCourseState(context.db, assignment, course);
    if (state.quiz.passedAttemptId) throw redirect(`/courses/${course.id}/quiz/${state.quiz.passedAttemptId}`);
    if (!quizUnlocked(course, state)) throw redirect(`/courses/${course.id}`);
  }
  return {
    course: { id: course.id, title: course.meta.title, passingScore: course.meta.passingScore },
    preview,
    // Prompts and options only: answer keys stay on the server.
    questions: questionsForBrowser(course),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { viewer, course, assignment } = await requireAssignment(request, context, params.course);
  const form = await readForm(request);
  try {
    const result = await submitQuizAttempt(context.db, { assignment, course, entries: form.entries(), actorId: viewer.id }, context.clock);
    if (!result.ok) return data({ formError: result.formError ?? null, fieldErrors: result.fieldErrors }, { status: 400 });
    return redirect(`/courses/${course.id}/quiz/${result.attemptId}`);
  } catch (e) {
    if (e instanceof LearningError && e.status === 409) return data({ formError: e.message, fieldErrors: {} }, { status: 409 });
    asResponse(e);
  }
}

export default function QuizPage() {
  const { course, questions, preview } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <p className="eyebrow">
        <Link to={`/courses/${course.id}`}>{course.title}</Link> · Quiz
      </p>
      <h1>Check your understanding</h1>
      <p>
        {questions.length} questions. You need {course.passingScore}% to pass. A question counts as right only when you choose exactly the
        right answers.
      </p>
      {preview ? <p className="notice">Preview: answers are not submitted.</p> : null}
      <QuizForm questions={questions} errors={result?.fieldErrors} formError={result?.formError ?? undefined} busy={busy || preview} />
    </>
  );
}
