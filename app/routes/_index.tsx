import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/http/guards.server";
import type { AssignmentSummary } from "~/assignments/assignments.server";
import { homePage } from "~/learning/home-page.server";
import { STATUS_LABEL } from "~/assignments/status";
import { formatDate, formatDateTime } from "~/components/format";
import { Awards, formatScore, ordinal, ScoreExplainer } from "~/recognition/Board";
import { KudosList } from "~/recognition/KudosList";
import teamStyles from "~/styles/team.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: teamStyles }];

export const meta: MetaFunction = () => [{ title: "My training · Confidant" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireViewer(request, context);
  return homePage(context.db, { viewer, catalog: context.catalog }, context.clock);
}

function Recognition({ standing, kudos }: Pick<ReturnType<typeof useLoaderData<typeof loader>>, "standing" | "kudos">) {
  if (!standing) return null;
  return (
    <section aria-labelledby="recognition">
      <h2 id="recognition">Recognition</h2>
      {kudos.length > 0 ? <KudosList items={kudos} labelledBy="recognition" /> : null}
      <div className="panel standing">
        {standing.ranked ? (
          <>
            <p className="big">
              {formatScore(standing.score)} <small>points</small>
            </p>
            <div>
              <p>
                {standing.rank !== null ? (
                  <>
                    You are <strong>{ordinal(standing.rank)}</strong> of {standing.of} on {standing.managerName}'s team board.
                    {standing.placeAsOf ? <span className="muted"> (the others' scores as of {formatDateTime(standing.placeAsOf)})</span> : null}
                  </>
                ) : standing.optedOut ? (
                  <>
                    You are not shown on boards (your choice; change it on your <Link to="/account">account page</Link>).
                  </>
                ) : (
                  <>Your score. You are not on a team board because nobody is recorded as your manager.</>
                )}
              </p>
              <p className="muted">
                {formatScore(standing.average)} per course + {standing.streakBonus} for {standing.streak} on time in a row · {standing.onTime} of{" "}
                {standing.counted} on time
              </p>
            </div>
          </>
        ) : (
          <p>You will get a score, and your first badges, when you complete your first course. On time and first time counts most.</p>
        )}
      </div>
      {standing.badges.length > 0 ? (
        <>
          <h3 id="my-badges">Your badges</h3>
          <ul className="awards-explained" aria-labelledby="my-badges">
            {standing.badges.map((b) => (
              <li key={b.key}>
                <Awards badges={[b]} large label={b.label} />
                <span className="award-reason">{b.reason}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <ScoreExplainer />
    </section>
  );
}

function dueText(a: AssignmentSummary, now: string) {
  const days = Math.ceil((Date.parse(a.dueAt) - Date.parse(now)) / 86_400_000);
  if (days < 0) return `${-days} day${days === -1 ? "" : "s"} overdue (was due ${formatDate(a.dueAt)})`;
  if (days === 0) return `Due today`;
  return `Due ${formatDate(a.dueAt)} (in ${days} day${days === 1 ? "" : "s"})`;
}

export default function Home() {
  const { name, current, history, now, standing, kudos, startsOn } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Hello, {name.split(" ")[0]}</h1>
      <h2 id="todo">What you need to complete</h2>
      {current.length === 0 && startsOn ? (
        <p className="notice">
          {`Welcome. Your start date is ${formatDate(startsOn)}: your first courses will be waiting for you here on that day.`}
        </p>
      ) : current.length === 0 ? (
        <p className="notice">You are up to date. Nothing is waiting for you.</p>
      ) : (
        <ul className="assignments" aria-labelledby="todo">
          {current.map((a) => (
            <li key={a.id} className="assignment">
              <h3>
                <Link to={`/courses/${a.courseId}`}>{a.courseTitle}</Link>
              </h3>
              {a.courseSummary ? <p>{a.courseSummary}</p> : null}
              <p className="meta">
                <span className={`badge status-${a.status}`}>{STATUS_LABEL[a.status]}</span>
                <span>{dueText(a, now)}</span>
                <span>Cycle: {a.cycle}</span>
              </p>
              <label htmlFor={`progress-${a.id}`} className="visually-hidden">
                Progress in {a.courseTitle}
              </label>
              <progress id={`progress-${a.id}`} max={Math.max(a.modulesTotal, 1)} value={a.modulesDone} />
              <p className="muted">
                {a.modulesDone} of {a.modulesTotal} modules done
              </p>
              {a.available ? (
                <Link className="button" to={a.continueTo}>
                  {a.modulesDone > 0 ? "Continue" : "Start"}
                  <span className="visually-hidden"> {a.courseTitle}</span>
                </Link>
              ) : (
                <p className="muted">This course is no longer offered; ask HR what to do.</p>
              )}
            </li>
          ))}
        </ul>
      )}
      <Recognition standing={standing} kudos={kudos} />
      <h2 id="history">Completed</h2>
      {history.length === 0 ? (
        <p className="muted">Courses you complete will be listed here with their receipts.</p>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="history" className="stack">
            <thead>
              <tr>
                <th scope="col">Course</th>
                <th scope="col">Cycle</th>
                <th scope="col">Completed</th>
                <th scope="col">On time</th>
                <th scope="col">Receipt</th>
                <th scope="col">Certificate</th>
              </tr>
            </thead>
            <tbody>
              {history.map((a) => (
                <tr key={a.id}>
                  <td data-label="Course">{a.courseTitle}</td>
                  <td data-label="Cycle">{a.cycle}</td>
                  <td data-label="Completed">{a.completedAt ? formatDate(a.completedAt) : ""}</td>
                  <td data-label="On time">{a.onTime ? "Yes" : "Late"}</td>
                  <td data-label="Receipt">
                    {a.receiptCode ? (
                      <Link to={`/receipts/${a.receiptCode}`}>
                        View receipt<span className="visually-hidden"> for {a.courseTitle}, {a.cycle}</span>
                      </Link>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td data-label="Certificate">
                    <a href={`/certificates/${a.id}`} download>
                      Download PDF
                      <span className="visually-hidden">
                        {" "}
                        certificate for {a.courseTitle}, {a.cycle}
                      </span>
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
