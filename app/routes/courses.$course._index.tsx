import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { courseAccess } from "~/http/course-access.server";
import { coursePage } from "~/learning/course-page.server";
import { STATUS_LABEL } from "~/assignments/status";
import { formatDate } from "~/components/format";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Course"} · Confidant` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const access = await courseAccess(request, context, params.course);
  return coursePage(context.db, context.catalog, access, context.clock());
}

export default function CoursePage() {
  const c = useLoaderData<typeof loader>();
  const allDone = c.modules.every((m) => m.done);
  return (
    <>
      <p className="eyebrow">Course</p>
      <h1>{c.title}</h1>
      <p>{c.summary}</p>
      {c.preview ? (
        <p className="notice">Preview: this course is not assigned to you, so nothing you do here is recorded.</p>
      ) : null}
      {c.assignment ? (
        <p className="meta">
          <span className={`badge status-${c.assignment.status}`}>{STATUS_LABEL[c.assignment.status]}</span>{" "}
          {c.assignment.completedAt ? `Completed ${formatDate(c.assignment.completedAt)}` : `Due ${formatDate(c.assignment.dueAt)}`} · Cycle {c.assignment.cycle}
        </p>
      ) : null}
      {c.assignment?.restartedAt ? (
        <p className="notice" role="status">
          {`This course was updated on ${formatDate(c.assignment.restartedAt)}. The modules you had not finished start again from the beginning in the new version; the modules you finished stay finished.`}
        </p>
      ) : null}
      {!c.preview && c.next ? (
        <p>
          <Link className="button" to={`/courses/${c.id}/${c.next}`}>
            {c.modules.some((m) => m.done) ? "Continue where you left off" : "Start the course"}
          </Link>
        </p>
      ) : null}
      <h2 id="modules">Modules</h2>
      <ol className="module-list" aria-labelledby="modules">
        {c.modules.map((m, i) => (
          <li key={m.slug}>
            <span className={`state${m.done ? " done" : ""}`}>{m.done ? "✓ Done" : m.unlocked ? "Open" : "Locked"}</span>
            <span>
              {m.unlocked ? <Link to={`/courses/${c.id}/${m.slug}`}>{`${i + 1}. ${m.title}`}</Link> : `${i + 1}. ${m.title}`}
              {m.minutes ? <span className="muted"> · {m.minutes} min</span> : null}
            </span>
          </li>
        ))}
      </ol>
      {c.quiz ? (
        <section aria-labelledby="quiz-h">
          <h2 id="quiz-h">Quiz</h2>
          <p>
            {c.quiz.questions} questions. You need {c.passingScore}% to pass; you can retry if you do not pass.
          </p>
          {c.quiz.passed ? (
            <p className="notice">
              Passed{c.quiz.bestScore !== null ? ` with ${c.quiz.bestScore}%` : ""}.{" "}
              {c.quiz.lastAttemptId ? <Link to={`/courses/${c.id}/quiz/${c.quiz.lastAttemptId}`}>See your answers</Link> : null}
            </p>
          ) : c.quiz.unlocked ? (
            <p>
              <Link className="button" to={`/courses/${c.id}/quiz`}>
                {c.quiz.attempts > 0 ? "Retake the quiz" : "Take the quiz"}
              </Link>
            </p>
          ) : (
            <p className="muted">{allDone ? "" : "Complete every module to unlock the quiz."}</p>
          )}
        </section>
      ) : null}
      {c.policy ? (
        <section aria-labelledby="policy-h">
          <h2 id="policy-h">Sign the agreement</h2>
          <p>
            {c.policy.title}, version {c.policy.version}.
          </p>
          {c.policy.code ? (
            <p className="notice">
              Signed. <Link to={`/receipts/${c.policy.code}`}>View your receipt</Link>
            </p>
          ) : c.policy.unlocked || c.preview ? (
            <p>
              <Link className="button" to={`/courses/${c.id}/attest`}>
                {c.preview ? "Read the agreement" : "Read and sign"}
              </Link>
            </p>
          ) : (
            <p className="muted">Unlocks when you pass the quiz.</p>
          )}
        </section>
      ) : null}
    </>
  );
}
