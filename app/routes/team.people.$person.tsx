import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useFetcher, useLoaderData } from "@remix-run/react";
import { notFound } from "~/http/guards.server";
import { personIdParam, requireManager } from "~/http/manager.server";
import { teamMemberPage } from "~/team/member-page.server";
import { STATUS_LABEL } from "~/assignments/status";
import { formatDate } from "~/components/format";
import { Awards, formatScore } from "~/recognition/Board";
import { KudosList } from "~/recognition/KudosList";
import { NudgeOutcomes, type NudgeOutcomeView } from "~/team/NudgeOutcomes";
import teamStyles from "~/styles/team.css";
import { PERSON_TYPE_LABEL, statusDetail } from "~/labels";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: teamStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.person.name ?? "Person"} · My team · Confidant` }];

// One person in the manager's tree: their assignments and course results (never their quiz
// answers), badges and kudos. Anyone outside the tree is a page that does not exist.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = await requireManager(request, context);
  const personId = personIdParam(params.person);
  const page = await teamMemberPage(context.db, { managerId: viewer.id, personId, catalog: context.catalog }, context.clock());
  if (!page) throw notFound("There is no such person in your team.");
  return page;
}

function RemindButton({
  assignmentId,
  personName,
  courseTitle,
  reminded,
}: {
  assignmentId: string;
  personName: string;
  courseTitle: string;
  reminded: boolean;
}) {
  const fetcher = useFetcher<{
    outcomes: NudgeOutcomeView[] | null;
    fieldErrors: Record<string, string> | null;
  }>();
  const busy = fetcher.state !== "idle";
  return (
    <>
      {/* Once a day per course: someone reminded today is not offered another reminder. */}
      {reminded || fetcher.data?.outcomes ? null : (
        <fetcher.Form method="post" action="/team?index">
          <input type="hidden" name="assignment" value={assignmentId} />
          <button type="submit" className="link-button" disabled={busy}>
            {busy ? "Sending…" : "Remind"}
            <span className="visually-hidden">
              {" "}
              {personName} about {courseTitle}
            </span>
          </button>
        </fetcher.Form>
      )}
      {fetcher.data?.outcomes ? <NudgeOutcomes outcomes={fetcher.data.outcomes} /> : null}
    </>
  );
}

export default function TeamPerson() {
  const { person, standing, shown, kudos } = useLoaderData<typeof loader>();
  const first = person.name.split(" ")[0];
  return (
    <>
      <p className="eyebrow">
        <Link to="/team">My team</Link> · Person
      </p>
      <h1>{person.name}</h1>
      <p className="lead">
        {[person.title, person.department].filter(Boolean).join(", ")}
        {person.status === "leave" ? " · on leave" : person.status === "inactive" ? " · has left the company" : ""}
      </p>
      <div className="panel">
        <dl className="facts" aria-label={`About ${person.name}`}>
          <dt>Reports to</dt>
          <dd>{person.direct ? "You" : person.managerName}</dd>
          <dt>Work email</dt>
          <dd>{person.email}</dd>
          <dt>Type</dt>
          <dd>{PERSON_TYPE_LABEL[person.type] ?? person.type}</dd>
          <dt>Start date</dt>
          <dd>{formatDate(person.startDate)}</dd>
          <dt>Score</dt>
          <dd>
            {!shown
              ? `Not shown: ${first} chose not to appear on boards.`
              : standing?.ranked
              ? `${formatScore(standing.score)} (see the board for how it is worked out)`
              : "No score yet: nothing completed"}
          </dd>
        </dl>
        {standing && standing.badges.length > 0 ? (
          <>
            <h2 id="badges-h">Badges</h2>
            <Awards badges={standing.badges} large label={`Badges of ${person.name}`} />
          </>
        ) : null}
        {person.status !== "inactive" ? (
          <p>
            <Link className="button" to={`/team/kudos?to=${encodeURIComponent(person.id)}`}>
              Send kudos
              <span className="visually-hidden"> to {person.name}</span>
            </Link>
          </p>
        ) : null}
      </div>

      <h2 id="assignments-h">Assignments and results</h2>
      <p className="muted">Results show status, dates and quiz scores. Individual quiz answers stay private to {first}.</p>
      {person.assignments.length === 0 ? (
        <p className="muted">Nothing assigned yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="stack" aria-labelledby="assignments-h">
            <thead>
              <tr>
                <th scope="col">Course</th>
                <th scope="col">Due</th>
                <th scope="col">Status</th>
                <th scope="col">Quiz</th>
                <th scope="col">
                  <span className="visually-hidden">Remind</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {person.assignments.map((a) => {
                const detail = statusDetail(a);
                const open = a.status === "overdue" || a.status === "in_progress" || a.status === "not_started";
                return (
                  <tr key={a.id}>
                    <th scope="row">
                      {a.courseTitle}
                      <span className="sub">Cycle: {a.cycle}</span>
                    </th>
                    <td className="nowrap" data-label="Due">
                      {formatDate(a.dueAt)}
                    </td>
                    <td data-label="Status">
                      <span className={`badge status-${a.status}`}>{STATUS_LABEL[a.status]}</span>
                      {detail ? <span className={a.status === "overdue" ? "sub overdue-days" : "sub"}>{detail}</span> : null}
                      {a.completedAt ? <span className="sub">Completed {formatDate(a.completedAt)}</span> : null}
                      {a.status === "completed" ? (
                        <a className="sub" href={`/certificates/${a.id}`} download>
                          Certificate (PDF)<span className="visually-hidden"> for {a.courseTitle}, {a.cycle}</span>
                        </a>
                      ) : null}
                      {a.remindedToday ? <span className="sub reminded">Reminded today</span> : null}
                    </td>
                    <td data-label="Quiz">
                      {a.attempts === 0
                        ? "—"
                        : `${a.passed ? "Passed" : "Not passed yet"}, best ${formatScore(a.bestScore ?? 0)}% (${a.attempts} attempt${
                            a.attempts === 1 ? "" : "s"
                          }${a.firstAttemptPassed ? ", first time" : ""})`}
                    </td>
                    <td>
                      {open && person.status === "active" ? (
                        <RemindButton assignmentId={a.id} personName={person.name} courseTitle={a.courseTitle} reminded={a.remindedToday} />
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <h2 id="kudos-h">Kudos received</h2>
      {kudos.length === 0 ? <p className="muted">None yet.</p> : <KudosList items={kudos} labelledBy="kudos-h" />}
    </>
  );
}
