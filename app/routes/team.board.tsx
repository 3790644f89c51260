import { redirect, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireManager } from "~/http/manager.server";
import { pageNumberOr400 } from "~/http/guards.server";
import { teamBoard } from "~/recognition/board.server";
import { BoardTable, ScoreExplainer } from "~/recognition/Board";
import { formatDateTime } from "~/components/format";
import { Pager } from "~/components/Pager";
import teamStyles from "~/styles/team.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: teamStyles }];

export const meta: MetaFunction = () => [{ title: "Top compliers · My team · Confidant" }];

// The manager's board: everyone below them who has completed a course, ranked by the score
// explained on the page, with a way to thank each one; 50 at a time.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireManager(request, context);
  const page = pageNumberOr400(new URL(request.url).searchParams);
  const now = context.clock();
  const board = await teamBoard(context.db, { managerId: viewer.id, catalog: context.catalog, page }, now);
  if (board.page !== page) throw redirect(board.page > 1 ? `/team/board?page=${board.page}` : "/team/board");
  // Only what the page shows.
  const rows = board.rows.map(({ department: _d, managerName: _m, ...row }) => row);
  const { total, pageCount, pageSize, asOf, stored } = board;
  return { rows, page, total, pageCount, pageSize, asOf, stored, isHr: viewer.is_hr === 1 };
}

export default function TeamBoard() {
  const d = useLoaderData<typeof loader>();
  const top = d.rows.filter((r) => r.rank === 1);
  return (
    <>
      <p className="eyebrow">
        <Link to="/team">My team</Link> · Top compliers
      </p>
      <h1>Top compliers</h1>
      <p className="lead">
        The people in your team who look after confidential information best: on time, early, and right first time.
        {top.length > 0 ? (
          <>
            {" "}
            Top of the board: <strong>{top.map((r) => r.name).join(" and ")}</strong>. A word of thanks from you goes a long way.
          </>
        ) : null}
      </p>
      <p className="muted">
        {d.stored ? "Scores as of " : "As of "}
        {formatDateTime(d.asOf)}
        {d.stored ? " (recomputed every few minutes)" : ""}. Only you and HR see this board; each person sees only their own score and rank.
      </p>
      <h2 id="board-h">Your team's board</h2>
      {d.rows.length === 0 ? (
        <p className="notice">Nobody in your team has completed a course yet, so there is no one to rank.</p>
      ) : (
        <>
          <p id="board-note" className="muted">
            People who have not completed a course yet, and people who chose not to appear on boards, are not listed.
          </p>
          <BoardTable
            rows={d.rows}
            labelledBy="board-h"
            describedBy="board-note"
            personHref={(id) => `/team/people/${id}`}
            kudosHref={(id) => `/team/kudos?to=${encodeURIComponent(id)}`}
          />
          <Pager page={d.page} pageCount={d.pageCount} pageSize={d.pageSize} total={d.total} param="page" label="Pages of your team's board" />
        </>
      )}
      <ScoreExplainer open />
      {d.isHr ? (
        <p>
          <Link to="/hr/board">The whole organisation's board</Link>
        </p>
      ) : null}
    </>
  );
}
