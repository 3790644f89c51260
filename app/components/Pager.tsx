// Previous / next links for one list of a page that may hold several, each with its own page
// parameter: the links keep the rest of the address (filters, the other lists' pages).
import { Link, useLocation } from "@remix-run/react";

/** The same address with this list's page changed (the first page without the parameter). */
export function pagerHref({ pathname, search }: { pathname: string; search: string }, param: string, page: number, anchor = ""): string {
  const sp = new URLSearchParams(search);
  if (page > 1) sp.set(param, String(page));
  else sp.delete(param);
  const qs = sp.toString();
  return `${pathname}${qs ? `?${qs}` : ""}${anchor}`;
}

export function Pager({
  page,
  pageCount,
  pageSize,
  total,
  param,
  label,
  anchor,
  approximate,
}: {
  page: number;
  pageCount: number;
  pageSize: number;
  total: number;
  /** The address's parameter for this list's page. */
  param: string;
  label: string;
  /** Where the links land, e.g. "#people-h". */
  anchor?: string;
  /** The total is a count as of the last refresh, not of now. */
  approximate?: boolean;
}) {
  const location = useLocation();
  if (total <= pageSize && page === 1) return null;
  const from = Math.min(total, (page - 1) * pageSize + 1);
  const to = Math.min(total, page * pageSize);
  return (
    <nav className="board-pager" aria-label={label}>
      {page > 1 ? (
        <Link to={pagerHref(location, param, page - 1, anchor)} rel="prev" preventScrollReset={!anchor}>
          Previous {pageSize}
        </Link>
      ) : (
        <span />
      )}
      <span className="muted">
        Rows {from}–{to} of {approximate ? "about " : ""}
        {total.toLocaleString("en-GB")}
        {pageCount > 1 ? ` · page ${page} of ${pageCount.toLocaleString("en-GB")}` : ""}
      </span>
      {page < pageCount ? (
        <Link to={pagerHref(location, param, page + 1, anchor)} rel="next" preventScrollReset={!anchor}>
          Next {Math.min(pageSize, total - to)}
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}
