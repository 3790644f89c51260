import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { notFound } from "~/http/guards.server";
import { courseAccess } from "~/http/course-access.server";
import { getMyAttempt } from "~/learning/attempt-view.server";
import { QuizResult, RevisitModules } from "~/components/Quiz";
import { formatDateTime } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Quiz result · Confidant" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { viewer, course } = await courseAccess(request, context, params.course);
  const attempt = await getMyAttempt(context.db, { viewerId: viewer.id, attemptId: String(params.attempt), course });
  if (!attempt) throw notFound("There is no such quiz attempt.");
  return { course: { id: course.id, title: course.meta.title, hasPolicy: Boolean(course.meta.policy) }, attempt };
}

export default function AttemptPage() {
  const { course, attempt } = useLoaderData<typeof loader>();
  return (
    <>
      <p className="eyebrow">
        <Link to={`/courses/${course.id}`}>{course.title}</Link> · Quiz result
      </p>
      <h1>{attempt.passed ? "You passed" : "Not passed yet"}</h1>
      <p className="score" role="status">
        {attempt.score}% · {attempt.correctCount} of {attempt.questionCount} right (pass mark {attempt.passingScore}%)
      </p>
      <p className="muted">Submitted {formatDateTime(attempt.submittedAt)}</p>
      {attempt.passed ? (
        course.hasPolicy ? (
          <p>
            <Link className="button" to={`/courses/${course.id}/attest`}>
              Continue: sign the agreement
            </Link>
          </p>
        ) : (
          <p>
            <Link className="button" to="/">
              Back to my training
            </Link>
          </p>
        )
      ) : (
        <>
          <p>
            Your answers are not marked question by question, and the right answers are shown once you pass. Look again at the modules below
            and the ideas they teach, then try again.
          </p>
          <RevisitModules courseId={course.id} modules={attempt.revisit} />
          <p>
            <Link className="button" to={`/courses/${course.id}/quiz`}>
              Try again
            </Link>
          </p>
        </>
      )}
      <h2>Your answers</h2>
      {attempt.questions ? (
        <QuizResult questions={attempt.questions} />
      ) : (
        <p className="muted">The quiz has changed since this attempt, so its questions cannot be shown again. Your score stands as recorded.</p>
      )}
    </>
  );
}
