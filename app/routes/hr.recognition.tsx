import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { pageNumberOr400, requireHr } from "~/http/guards.server";
import { recognitionPage } from "~/recognition/recognition-page.server";
import { formatDate, formatDateTime } from "~/components/format";
import { Pager } from "~/components/Pager";
import teamStyles from "~/styles/team.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: teamStyles }];

export const meta: MetaFunction = () => [{ title: "Recognition · Confidant" }];

// Who recognised whom, how often, and which managers have not recognised anyone lately: culture
// is kept up by thanking the people who get it right.
export async function loader({ request, context }: LoaderFunctionArgs) {
  requireHr(request, context);
  const params = new URL(request.url).searchParams;
  const quietPage = pageNumberOr400(params, "quietPage");
  const managersPage = pageNumberOr400(params, "managersPage");
  return recognitionPage(context.db, { quietPage, managersPage }, context.clock());
}

export default function RecognitionReport() {
  const { quiet, ...r } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Recognition</h1>
      <p className="lead">
        Kudos managers (and HR) have sent, and the teams where nobody has been recognised lately. The last {r.windowDays} days run from{" "}
        {formatDate(r.since)}.
      </p>
      {r.teamSizesAsOf ? <p className="muted">{`Team sizes as of ${formatDateTime(r.teamSizesAsOf)}, from the stored scores (refreshed after each scheduler run).`}</p> : null}
      <p className="muted">
        <Link to="/hr/board">Top compliers board</Link>
      </p>
      <ul className="figures" aria-label={`Kudos figures, last ${r.windowDays} days`}>
        <li>
          <span className="count">{r.totals.inWindow}</span>{" "}
          <span className="what">
            kudos in the last {r.windowDays} days ({r.totals.ever} ever)
          </span>
        </li>
        <li>
          <span className="count">{r.totals.senders}</span> <span className="what">people sent kudos</span>
        </li>
        <li>
          <span className="count">{r.totals.recipients}</span> <span className="what">people were recognised</span>
        </li>
        <li>
          <span className="count">{quiet.total}</span> <span className="what">of {r.managers.total} managers sent none</span>
        </li>
      </ul>

      <h2 id="quiet-h">Managers who have recognised nobody in {r.windowDays} days</h2>
      {quiet.total === 0 ? (
        <p className="notice">{`Every manager has recognised someone in the last ${r.windowDays} days.`}</p>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="quiet-h">
            <thead>
              <tr>
                <th scope="col">Manager</th>
                <th scope="col">Team size</th>
                <th scope="col">Kudos their team received from anyone</th>
                <th scope="col">Last kudos they sent</th>
              </tr>
            </thead>
            <tbody>
              {quiet.rows.map((m) => (
                <tr key={m.id}>
                  <th scope="row">
                    {m.name}
                    {m.department ? <span className="sub">{m.department}</span> : null}
                  </th>
                  <td>{m.teamSize}</td>
                  <td>{m.teamReceivedInWindow === 0 ? <span className="none-lately">None</span> : m.teamReceivedInWindow}</td>
                  <td>{m.lastSentAt ? formatDate(m.lastSentAt) : "Never"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager {...quiet} param="quietPage" label="Pages of the managers who recognised nobody" anchor="#quiet-h" />

      <h2 id="managers-h">Every manager</h2>
      <div className="table-wrap">
        <table aria-labelledby="managers-h">
          <thead>
            <tr>
              <th scope="col">Manager</th>
              <th scope="col">Team size</th>
              <th scope="col">Sent, last {r.windowDays} days</th>
              <th scope="col">Sent, ever</th>
              <th scope="col">Team received, last {r.windowDays} days</th>
            </tr>
          </thead>
          <tbody>
            {r.managers.rows.map((m) => (
              <tr key={m.id}>
                <th scope="row">{m.name}</th>
                <td>{m.teamSize}</td>
                <td>{m.sentInWindow}</td>
                <td>{m.sentEver}</td>
                <td>{m.teamReceivedInWindow}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager {...r.managers} param="managersPage" label="Pages of every manager" anchor="#managers-h" />

      <h2 id="pairs-h">Who recognised whom</h2>
      {r.pairs.length === 0 ? (
        <p className="muted">Nobody has sent kudos yet.</p>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="pairs-h">
            <thead>
              <tr>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">How often</th>
                <th scope="col">Most recent</th>
              </tr>
            </thead>
            <tbody>
              {r.pairs.map((p) => (
                <tr key={`${p.fromId}-${p.toId}`}>
                  <td>{p.fromName}</td>
                  <td>{p.toName}</td>
                  <td>{p.count === 1 ? "Once" : `${p.count} times`}</td>
                  <td>{formatDate(p.lastAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {r.badges.length > 0 ? (
        <>
          <h2 id="badges-h">Badges given, last {r.windowDays} days</h2>
          <ul aria-labelledby="badges-h">
            {r.badges.map((b) => (
              <li key={b.badge}>
                {b.label}: {b.count}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}
