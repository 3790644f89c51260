import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireHr } from "~/http/guards.server";
import { AUDIENCE_LABEL, countText } from "~/labels";

export const meta: MetaFunction = () => [{ title: "Course catalog · Confidant" }];

function recurrenceText(r: { kind: string; months?: number; month?: number; day?: number; minimumValidityDays?: number }) {
  if (r.kind === "rolling") return `Every ${r.months} months from completion`;
  if (r.kind === "anniversary") return `Every year on ${r.day}/${r.month} (at least ${r.minimumValidityDays} days valid)`;
  return "Once";
}

/** A past review date does not stop a course (the server keeps running it); HR is told. */
function reviewState(reviewDate: string, today: string): "overdue" | "today" | null {
  return reviewDate < today ? "overdue" : reviewDate === today ? "today" : null;
}

// The catalog as course owners and HR see it: everything in courses/, with problems.
export async function loader({ request, context }: LoaderFunctionArgs) {
  requireHr(request, context);
  const { catalog } = context;
  return {
    courses: [...catalog.courses.values()].map((c) => ({
      id: c.id,
      title: c.meta.title,
      summary: c.meta.summary,
      audience: c.meta.audience,
      modules: c.modules.length,
      questions: c.quiz?.questions.length ?? 0,
      passingScore: c.meta.passingScore,
      duePeriodDays: c.meta.duePeriodDays,
      recurrence: recurrenceText(c.meta.recurrence),
      renewalWindowDays: c.meta.renewalWindowDays,
      owner: c.meta.owner,
      reviewDate: c.meta.reviewDate,
      review: reviewState(c.meta.reviewDate, context.clock().toISOString().slice(0, 10)),
      policy: c.meta.policy ? { id: c.meta.policy, version: catalog.policies.get(c.meta.policy)?.current.version ?? null } : null,
      contentHash: c.contentHash,
    })),
    problems: catalog.problems,
  };
}

export default function Catalog() {
  const { courses, problems } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Course catalog</h1>
      <p className="muted">Every course in the courses folder. Open one to preview it exactly as learners see it; nothing you do in a preview is recorded.</p>
      {problems.length > 0 ? (
        <section className="form-error" aria-labelledby="problems-h">
          <h2 id="problems-h">Courses left out because of problems</h2>
          <p>Fix these and restart the app (or run <code>npm run courses:check</code>):</p>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>
                <code>
                  {p.file}:{p.line}
                </code>{" "}
                {p.message}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <ul className="assignments">
        {courses.map((c) => (
          <li key={c.id} className="assignment">
            <h2>
              <Link to={`/courses/${c.id}`}>{c.title}</Link>
            </h2>
            <p>{c.summary}</p>
            <dl className="facts">
              <dt>Audience</dt>
              <dd>{AUDIENCE_LABEL[c.audience] ?? c.audience}</dd>
              <dt>Content</dt>
              <dd>
                {countText(c.modules, "module")} · {countText(c.questions, "quiz question")} (pass mark {c.passingScore}%)
                {c.policy ? ` · signs ${c.policy.id} v${c.policy.version}` : ""}
              </dd>
              <dt>Due</dt>
              <dd>{c.duePeriodDays} days after assignment</dd>
              <dt>Recurrence</dt>
              <dd>
                {c.recurrence}
                {c.renewalWindowDays ? `; refresher opens ${c.renewalWindowDays} days before expiry` : ""}
              </dd>
              <dt>Owner</dt>
              <dd>{c.owner}</dd>
              <dt>Next review</dt>
              <dd>
                {c.reviewDate}
                {c.review === "overdue" ? (
                  <strong className="form-error"> Review overdue: ask {c.owner} to review the course and set a new review date (npm run courses:check fails until then)</strong>
                ) : c.review === "today" ? (
                  <strong> (review is due today)</strong>
                ) : null}
              </dd>
              <dt>Content version</dt>
              <dd>
                <code>{c.contentHash}</code>
              </dd>
            </dl>
          </li>
        ))}
      </ul>
    </>
  );
}
