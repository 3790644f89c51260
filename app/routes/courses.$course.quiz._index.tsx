import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { notFound, readForm } from "~/http/guards.server";
import { asResponse, courseAccess, requireAssignment } from "~/http/course-access.server";
import { getCourseState, LearningError, quizUnlocked } from "~/learning/progress.server";
import { presentationFor, questionsForBrowser, quizGate, submitQuizAttempt, type QuizGate } from "~/learning/quiz.server";
import { QuizForm } from "~/components/Quiz";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Quiz · ${data?.course.title ?? ""} · Confidant` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { course, assignment, preview } = await courseAccess(request, context, params.course);
  if (!course.quiz) throw notFound("This course has no quiz.");
  let attemptNumber = 1;
  let gate: QuizGate | null = null;
  if (assignment) {
    const state = await getCourseState(context.db, assignment, course);
    if (state.quiz.passedAttemptId) throw redirect(`/courses/${course.id}/quiz/${state.quiz.passedAttemptId}`);
    if (!quizUnlocked(course, state)) throw redirect(`/courses/${course.id}`);
    attemptNumber = state.quiz.attempts + 1;
    gate = await quizGate(context.db, { assignment, course });
  }
  const open = !gate || gate.kind === "open";
  return {
    course: { id: course.id, title: course.meta.title, passingScore: course.meta.passingScore },
    preview,
    attemptNumber,
    gate,
    // Prompts and options only, as drawn for this attempt: answer keys stay on the server.
    questions: open ? questionsForBrowser(course, presentationFor(course, assignment?.id ?? null, attemptNumber)) : [],
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { viewer, course, assignment } = await requireAssignment(request, context, params.course);
  const form = await readForm(request);
  try {
    const attemptNumber = Number(form.get("attempt") ?? NaN);
    const result = await submitQuizAttempt(
      context.db,
      { assignment, course, entries: form.entries(), actorId: viewer.id, attemptNumber: Number.isInteger(attemptNumber) ? attemptNumber : undefined },
      context.clock,
    );
    if (!result.ok) return data({ formError: result.formError ?? null, fieldErrors: result.fieldErrors }, { status: 400 });
    return redirect(`/courses/${course.id}/quiz/${result.attemptId}`);
  } catch (e) {
    if (e instanceof LearningError && e.status === 409) return data({ formError: e.message, fieldErrors: {} }, { status: 409 });
    asResponse(e);
  }
}

export default function QuizPage() {
  const { course, questions, preview, gate, attemptNumber } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <p className="eyebrow">
        <Link to={`/courses/${course.id}`}>{course.title}</Link> · Quiz
      </p>
      <h1>Check your understanding</h1>
      {gate?.kind === "closed" ? (
        <p className="notice" role="status">
          {gate.message}
        </p>
      ) : gate?.kind === "revisit" ? (
        <section className="notice" aria-labelledby="revisit-first">
          <h2 id="revisit-first">Revisit before your next attempt</h2>
          <p>After {gate.failed} attempts that did not pass, work through the scenarios of these modules again, then come back:</p>
          <ul>
            {gate.modules.map((m) => (
              <li key={m.slug}>
                <Link to={`/courses/${course.id}/${m.slug}`}>{m.title}</Link>
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <>
          <p>
            {questions.length} questions. You need {course.passingScore}% to pass. A question counts as right only when you choose exactly the
            right answers.{gate?.kind === "open" && gate.attemptsLeft !== null ? ` Attempts left: ${gate.attemptsLeft}.` : ""}
          </p>
          {preview ? <p className="notice">Preview: answers are not submitted.</p> : null}
          <QuizForm
            questions={questions}
            errors={result?.fieldErrors}
            formError={result?.formError ?? undefined}
            busy={busy || preview}
            attemptNumber={preview ? undefined : attemptNumber}
          />
        </>
      )}
    </>
  );
}
