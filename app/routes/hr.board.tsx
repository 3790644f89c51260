import { redirect, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { pageNumberOr400, requireHr } from "~/http/guards.server";
import { orgBoard } from "~/recognition/board.server";
import { BoardTable, formatScore, ScoreExplainer } from "~/recognition/Board";
import { formatDateTime } from "~/components/format";
import { Pager } from "~/components/Pager";
import teamStyles from "~/styles/team.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: teamStyles }];

export const meta: MetaFunction = () => [{ title: "Top compliers · Confidant" }];

// The organisation-wide board for HR: the same score as the managers' boards, and the figures
// that count everyone (people who opted out of boards included); 50 at a time.
export async function loader({ request, context }: LoaderFunctionArgs) {
  requireHr(request, context);
  const page = pageNumberOr400(new URL(request.url).searchParams);
  const now = context.clock();
  const board = await orgBoard(context.db, { catalog: context.catalog, page }, now);
  if (board.page !== page) throw redirect(board.page > 1 ? `/hr/board?page=${board.page}` : "/hr/board");
  const { stats, total, pageCount, pageSize, asOf, stored } = board;
  return { stats, page, total, pageCount, pageSize, asOf, stored, rows: board.rows.map(({ department: _d, ...row }) => row) };
}

function percent(part: number, whole: number) {
  return whole === 0 ? "—" : `${Math.round((part / whole) * 100)}%`;
}

export default function HrBoard() {
  const { rows, stats, asOf, stored, page, pageCount, pageSize, total } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Top compliers</h1>
      <p className="lead">Everyone in the organisation who has completed a course, ranked by the same score managers see for their teams.</p>
      <p className="muted">
        {stored ? "Scores and figures as of " : "As of "}
        {formatDateTime(asOf)}
        {stored ? " (recomputed every few minutes)" : ""}. <Link to="/hr/recognition">Recognition report</Link>
      </p>
      <h2 id="figures-h">Across the organisation</h2>
      <ul className="figures" aria-labelledby="figures-h">
        <li>
          <span className="count">{stats.scored}</span>{" "}
          <span className="what">
            of {stats.people} people have a score ({stats.people - stats.scored} have completed nothing yet)
          </span>
        </li>
        <li>
          <span className="count">{stats.averageScore === null ? "—" : formatScore(stats.averageScore)}</span>{" "}
          <span className="what">average score</span>
        </li>
        <li>
          <span className="count">{percent(stats.onTimeCycles, stats.completedCycles)}</span>{" "}
          <span className="what">of {stats.completedCycles} completed cycles were on time</span>
        </li>
        <li>
          <span className="count">{percent(stats.firstTryCycles, stats.completedCycles)}</span>{" "}
          <span className="what">passed the quiz at the first attempt</span>
        </li>
        <li>
          <span className="count">{stats.overdueCycles}</span> <span className="what">assignments overdue now</span>
        </li>
      </ul>
      <p id="optout-note" className="muted">
        {stats.optedOut === 0
          ? "Everyone with a score appears on the board."
          : `${stats.optedOut} ${
              stats.optedOut === 1 ? "person has" : "people have"
            } chosen not to appear on boards; they are left off the list below but included in the figures above.`}
      </p>
      <h2 id="board-h">The board</h2>
      {rows.length === 0 ? (
        <p className="notice">Nobody has completed a course yet.</p>
      ) : (
        <BoardTable
          rows={rows}
          labelledBy="board-h"
          describedBy="optout-note"
          showManager
          kudosHref={(id) => `/team/kudos?to=${encodeURIComponent(id)}`}
        />
      )}
      <Pager page={page} pageCount={pageCount} pageSize={pageSize} total={total} param="page" label="Pages of the board" />
      <ScoreExplainer open />
    </>
  );
}
