import { DownloadButton } from "~/components/DownloadButton";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireHr } from "~/http/guards.server";
import { getOverview, getOverviewOptions, type Counts } from "~/reports/overview.server";
import { listStandingDeclines } from "~/reports/declines.server";
import { ageMinutes, STALE_AFTER_MINUTES } from "~/reports/rollup.server";
import { filterValues, filtersOr400 } from "~/http/filters.server";
import { courseTitle } from "~/courses/titles.server";
import { HrFilters } from "~/hr/HrFilters";
import { hrHref } from "~/hr/links";
import { HR_STATUS_LABEL, seriesLabel, TYPE_LABEL } from "~/labels";
import { CompletionChart } from "~/components/charts/CompletionChart";
import { BreakdownBars } from "~/components/charts/BreakdownBars";
import { formatCount, formatRate } from "~/components/charts/scale";
import { formatDateTime } from "~/components/format";
import hrStyles from "~/styles/hr.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: hrStyles }];

export const meta: MetaFunction = () => [{ title: "Compliance overview · Confidant" }];

const CHART_DEPARTMENTS = 12;

// The organisation at a glance: who is compliant and who is not, by course, cycle and
// department, from the reporting rollup (or counted live for small slices).
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireHr(request, context);
  const filters = filtersOr400(new URL(request.url).searchParams);
  const now = context.clock();
  const overview = await getOverview(context.db, { filters, now });
  const options = await getOverviewOptions(context.db, { selected: filters });
  const declines = await listStandingDeclines(context.db, { viewer, limit: 20 });
  const title = (id: string) => courseTitle(context.catalog, id);
  const courseIds = new Set([...options.courseIds, ...context.catalog.courses.keys()]);
  return {
    declines: declines.map((x) => ({ ...x, courseTitle: title(x.courseId) })),
    now: now.toISOString(),
    ageMinutes: ageMinutes(overview.asOf, now),
    staleAfterMinutes: STALE_AFTER_MINUTES,
    filters: filterValues(filters),
    overview: {
      ...overview,
      courses: overview.courses.map((c) => ({ ...c, title: title(c.courseId) })).sort((a, b) => a.title.localeCompare(b.title)),
    },
    choices: {
      departments: options.departments,
      courses: [...courseIds].map((id) => ({ id, title: title(id) })).sort((a, b) => a.title.localeCompare(b.title)),
      cycles: options.cycles,
      managers: options.managers,
      managersTruncated: options.managersTruncated,
      cyclesTruncated: options.cyclesTruncated,
    },
  };
}

// Nothing to submit here; only HR learns that much (everyone else gets the same 404 as a GET).
export async function action({ request, context }: ActionFunctionArgs) {
  requireHr(request, context);
  throw new Response("Nothing can be submitted to this page.", { status: 405, headers: { Allow: "GET" } });
}

/** People whose newest answer to an agreement is "I do not agree": HR and counsel must see them. */
function DeclinedPanel({ declines }: { declines: Array<{ code: string; personId: string; personName: string; policyTitle: string; policyVersion: number; courseTitle: string; reason: string | null; declinedAt: string }> }) {
  if (declines.length === 0) return null;
  return (
    <section className="panel hr-declined" aria-labelledby="declined-h">
      <h2 id="declined-h">Declined to sign ({declines.length})</h2>
      <ul>
        {declines.map((x) => (
          <li key={x.code}>
            <Link to={`/hr/people/${x.personId}`}>{x.personName}</Link> answered “I do not agree” to {x.policyTitle} v{x.policyVersion} ({x.courseTitle}) on{" "}
            {formatDateTime(x.declinedAt)}
            {x.reason ? `: “${x.reason}”` : " (no reason given)"}
          </li>
        ))}
      </ul>
    </section>
  );
}

function CountCells({ c }: { c: Counts }) {
  return (
    <>
      <td className="num">{formatCount(c.assigned)}</td>
      <td className="num">{formatCount(c.completed)}</td>
      <td className="num">{formatCount(c.onTime)}</td>
      <td className="num">{formatCount(c.late)}</td>
      <td className={`num${c.overdue ? " hr-bad" : ""}`}>{formatCount(c.overdue)}</td>
      <td className="num">{formatCount(c.exempt)}</td>
      <td className="num">{formatRate(c.completionRate)}</td>
      <td className="num">{formatRate(c.onTimeRate)}</td>
    </>
  );
}

function CountHeads() {
  return (
    <>
      <th scope="col" className="num">
        Assigned
      </th>
      <th scope="col" className="num">
        Completed
      </th>
      <th scope="col" className="num">
        On time
      </th>
      <th scope="col" className="num">
        Late
      </th>
      <th scope="col" className="num">
        Overdue
      </th>
      <th scope="col" className="num">
        Exempt
      </th>
      <th scope="col" className="num">
        <abbr title="Completed, of those required (assigned and not exempt)">Completion</abbr>
      </th>
      <th scope="col" className="num">
        <abbr title="Completed on time, of those completed">On-time rate</abbr>
      </th>
    </>
  );
}

export default function HrOverview() {
  const d = useLoaderData<typeof loader>();
  const o = d.overview;
  const t = o.totals;
  const filtered = Object.values(d.filters).some(Boolean);
  const described = Object.entries(d.filters)
    .filter(([, v]) => v)
    .map(([k, v]) => {
      if (k === "status") return HR_STATUS_LABEL[v] ?? v;
      if (k === "type") return TYPE_LABEL[v] ?? v;
      if (k === "course") return d.choices.courses.find((c) => c.id === v)?.title ?? v;
      if (k === "manager") return `${d.choices.managers.find((m) => m.id === v)?.name ?? "a manager"}'s team`;
      return v;
    });
  const deptRows = o.departments.map((dep) => ({
    key: dep.department ?? "",
    label: dep.department ?? "No department",
    href: dep.department ? hrHref("/hr", { ...d.filters, department: dep.department }) : undefined,
    assigned: dep.counts.assigned,
    onTime: dep.counts.onTime,
    late: dep.counts.late,
    overdue: dep.counts.overdue,
    notYetDue: dep.counts.inProgress + dep.counts.notStarted,
    exempt: dep.counts.exempt,
    completionRate: dep.counts.completionRate,
  }));
  const tiles = [
    { key: "assigned", count: formatCount(t.assigned), what: "assigned", more: `${formatCount(t.assigned - t.exempt)} required, ${formatCount(t.exempt)} exempt` },
    { key: "completed", count: formatRate(t.completionRate), what: "completed", more: `${formatCount(t.completed)} of ${formatCount(t.assigned - t.exempt)}` },
    { key: "on_time", count: formatRate(t.onTimeRate), what: "on time", more: `${formatCount(t.onTime)} of ${formatCount(t.completed)} completions` },
    { key: "overdue", count: formatCount(t.overdue), what: "overdue", more: `${formatCount(t.inProgress + t.notStarted)} open, not due yet`, href: hrHref("/hr/overdue", { ...d.filters, status: "" }) },
  ];
  return (
    <div className="hr-page">
      <h1>Compliance overview</h1>
      <div>
        <DownloadButton action={hrHref("/hr/export/assignments.csv", d.filters)} className="button secondary">
          Download these assignments as CSV
        </DownloadButton>
      </div>
      <p className="hr-asof">
        {o.source === "rollup" ? (
          <>
            Counts as of <strong>{formatDateTime(o.asOf)}</strong>
            {d.ageMinutes > 0 ? ` (${d.ageMinutes} min ago)` : ""}.{" "}
            {o.stale || o.refreshing ? (
              <span className="hr-refreshing">Fresh counts are being prepared now; reload in a minute to see them.</span>
            ) : (
              <span className="muted">They are brought up to date every few minutes (after {d.staleAfterMinutes} minutes at the latest).</span>
            )}
          </>
        ) : (
          <>
            Counted live at <strong>{formatDateTime(o.asOf)}</strong> <span className="muted">(a small team or a single dated cycle).</span>
          </>
        )}
      </p>
      <DeclinedPanel declines={d.declines} />
      <HrFilters key={JSON.stringify(d.filters)} values={d.filters} choices={d.choices} action="/hr" submitLabel="Show" />
      {filtered ? (
        <p className="hr-showing">
          Showing: <strong>{described.join(" · ")}</strong>
        </p>
      ) : null}

      <ul className="hr-tiles" aria-label="At a glance">
        {tiles.map((tile) => (
          <li key={tile.key} className={`hr-tile hr-tile-${tile.key}`}>
            {tile.href ? (
              <Link to={tile.href}>
                <span className="hr-tile-count">{tile.count}</span>
                <span className="hr-tile-what">{tile.what}</span>
                <span className="hr-tile-more">{tile.more} · see who</span>
              </Link>
            ) : (
              <div>
                <span className="hr-tile-count">{tile.count}</span>
                <span className="hr-tile-what">{tile.what}</span>
                <span className="hr-tile-more">{tile.more}</span>
              </div>
            )}
          </li>
        ))}
      </ul>
      <p className="hr-actions">
        <Link className="button" to={hrHref("/hr/overdue", { ...d.filters, status: "" })}>
          Chase overdue people
        </Link>
        <Link className="button secondary" to="/hr/assign">
          Assign a course
        </Link>
      </p>

      {t.assigned + t.cancelled === 0 ? (
        <p className="notice">Nothing matches these filters.</p>
      ) : (
        <>
          <section className="panel hr-section" aria-labelledby="months-h">
            <h2 id="months-h">Completions over the last year</h2>
            <CompletionChart id="months-chart" months={o.months} caption="Completions per month, on time and late" />
          </section>

          <section aria-labelledby="courses-h" className="hr-section">
            <h2 id="courses-h">By course and cycle</h2>
            <p className="muted">
              A cycle named after a date (a renewal, a leaving date) is counted with the others of its year, e.g. <code>renewal-2027-…</code>; pick one from the
              Cycle filter to see it alone.
            </p>
            <div className="table-wrap">
              <table className="hr-table" aria-labelledby="courses-h">
                <thead>
                  <tr>
                    <th scope="col">Course and cycle</th>
                    <CountHeads />
                  </tr>
                </thead>
                {o.courses.map((c) => (
                  <tbody key={c.courseId}>
                    <tr className="hr-course-row">
                      <th scope="row">
                        <Link to={hrHref("/hr", { ...d.filters, course: c.courseId })}>{c.title}</Link>
                        <span className="muted hr-sub"> all cycles</span>
                      </th>
                      <CountCells c={c.counts} />
                    </tr>
                    {c.cycles.map((line) => {
                      const label = seriesLabel(line.series);
                      return (
                        <tr key={line.series}>
                          <th scope="row" className="hr-cycle">
                            {line.cycle ? (
                              <Link to={hrHref("/hr", { ...d.filters, course: c.courseId, cycle: line.cycle })}>
                                <code>{line.cycle}</code>
                              </Link>
                            ) : (
                              <code>{label.name}</code>
                            )}
                            {label.note && !line.cycle ? <span className="muted hr-sub"> {label.note}</span> : null}
                          </th>
                          <CountCells c={line.counts} />
                        </tr>
                      );
                    })}
                  </tbody>
                ))}
                {o.courses.length > 1 ? (
                  <tfoot>
                    <tr className="hr-course-row">
                      <th scope="row">All courses</th>
                      <CountCells c={t} />
                    </tr>
                  </tfoot>
                ) : null}
              </table>
            </div>
          </section>

          <section className="panel hr-section" aria-labelledby="departments-h">
            <h2 id="departments-h">By department</h2>
            <BreakdownBars
              id="departments-chart"
              caption={
                deptRows.length > CHART_DEPARTMENTS ? `The ${CHART_DEPARTMENTS} largest departments: how their assignments stand` : "How each department's assignments stand"
              }
              rows={deptRows.slice(0, CHART_DEPARTMENTS)}
              more={deptRows.length > CHART_DEPARTMENTS ? `${deptRows.length - CHART_DEPARTMENTS} more departments are in the table below.` : undefined}
            />
            <details className="hr-details" open={deptRows.length > CHART_DEPARTMENTS}>
              <summary>All {deptRows.length} departments as a table</summary>
              <div className="table-wrap">
                <table className="hr-table">
                  <caption className="visually-hidden">Assignments by department</caption>
                  <thead>
                    <tr>
                      <th scope="col">Department</th>
                      <CountHeads />
                    </tr>
                  </thead>
                  <tbody>
                    {o.departments.map((dep) => (
                      <tr key={dep.department ?? ""}>
                        <th scope="row">
                          {dep.department ? <Link to={hrHref("/hr", { ...d.filters, department: dep.department })}>{dep.department}</Link> : "No department"}
                        </th>
                        <CountCells c={dep.counts} />
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </section>
        </>
      )}
    </div>
  );
}
