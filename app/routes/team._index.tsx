import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useFetcher, useLoaderData } from "@remix-run/react";
import { badRequest, notFound, readForm } from "~/http/guards.server";
import { filterValues } from "~/http/filters.server";
import { requireManager } from "~/http/manager.server";
import { teamPage } from "~/team/team-page.server";
import { teamPagesOr400 } from "~/http/guards.server";
import { nudge, parseNudgeForm } from "~/team/nudge.server";
import { NudgeOutcomes } from "~/team/NudgeOutcomes";
import { parseFilters } from "~/reports/filters.server";
import { STATUS_LABEL } from "~/assignments/status";
import { formatDate, formatDateTime } from "~/components/format";
import { TeamFilters } from "~/team/TeamFilters";
import { Pager } from "~/components/Pager";
import { DownloadButton } from "~/components/DownloadButton";
import { hrHref } from "~/hr/links";
import { LEADS_NAMED, NUDGE_NOTE_MAX } from "~/team/limits";
import { daysText, statusDetail } from "~/labels";
import teamStyles from "~/styles/team.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: teamStyles }];

export const meta: MetaFunction = () => [{ title: "My team · Confidant" }];

// The manager's team at a glance: who is late (and a way to remind them), then everyone's
// assignments with HR's filters, all scoped to the manager's own tree. Each list is a page of 50
// (?peoplePage=, ?overduePage=, ?page= for the assignments); a large team's figures come from the
// reporting rollup and the stored tree, so the page costs the same at 100 people or 100,000.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireManager(request, context);
  const params = new URL(request.url).searchParams;
  const filters = parseFilters(params);
  if (!filters) throw badRequest("That filter is not valid. Clear the filters and try again.");
  const pages = teamPagesOr400(params);
  const page = await teamPage(context.db, { managerId: viewer.id, catalog: context.catalog, filters, pages }, context.clock());
  if (!page) throw notFound();
  return { ...page, filters: filterValues(filters) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireManager(request, context);
  const form = await readForm(request);
  const parsed = parseNudgeForm(form);
  if (!parsed.ok) return data({ fieldErrors: parsed.fieldErrors, outcomes: null, at: null }, { status: 400 });
  const outcomes = await nudge(
    context.db,
    {
      manager: viewer,
      assignmentIds: parsed.data.assignment,
      note: parsed.data.note,
      catalog: context.catalog,
      origin: context.config.origin,
    },
    context.clock,
  );
  if (!outcomes) throw notFound("One of those people is not in your team.");
  return { fieldErrors: null, outcomes, at: context.clock().toISOString() };
}

const STATE_LABEL = { overdue: "Overdue", in_progress: "In progress", not_started: "Not started", up_to_date: "Up to date" } as const;
const STATE_CLASS = {
  overdue: "status-overdue",
  in_progress: "status-in_progress",
  not_started: "status-not_started",
  up_to_date: "status-completed",
} as const;

export default function TeamPage() {
  const d = useLoaderData<typeof loader>();
  // A fetcher: sending reminders keeps the address as it is (no "?index") and focus where it was.
  // Without JavaScript the form is a plain post, and its result comes back as action data.
  const reminders = useFetcher<typeof action>();
  const posted = useActionData<typeof action>();
  const result = reminders.data ?? posted;
  const busy = reminders.state !== "idle";
  const { summary } = d;
  const throughLeads = summary.leads.map((l) => `${l.size} through ${l.name}`);
  const byState = summary.byState;
  const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en-GB")} ${n === 1 ? one : many}`;
  // A large team is counted by assignment (from the rollup): totalling people's states would read
  // every open assignment of the team.
  const tiles = byState ? [
    {
      key: "overdue",
      count: byState.overdue,
      what: "overdue",
      more: `${summary.overdueAssignments} late assignment${summary.overdueAssignments === 1 ? "" : "s"}`,
      href: "#late-h",
    },
    {
      key: "in_progress",
      count: byState.in_progress,
      what: "in progress",
      more: "started, not due yet",
      href: "?status=in_progress#all-h",
    },
    {
      key: "not_started",
      count: byState.not_started,
      what: "not started",
      more: "not due yet",
      href: "?status=not_started#all-h",
    },
    {
      key: "up_to_date",
      count: byState.up_to_date,
      what: "up to date",
      more: "nothing open",
      href: "?status=completed#all-h",
    },
  ].map((t) => ({ ...t, text: `${t.count === 1 ? "person" : "people"} ${t.what}` })) : [
    { key: "overdue", count: summary.assignments.overdue, text: "assignments overdue", more: "late", href: "#late-h" },
    { key: "in_progress", count: summary.assignments.inProgress, text: "assignments in progress", more: "started, not due yet", href: "?status=in_progress#all-h" },
    { key: "not_started", count: summary.assignments.notStarted, text: "assignments not started", more: "not due yet", href: "?status=not_started#all-h" },
    { key: "up_to_date", count: summary.assignments.completed, text: "assignments completed", more: "on time or late", href: "?status=completed#all-h" },
  ];
  return (
    <>
      <h1>My team</h1>
      <p className="lead">
        {plural(summary.people, "person", "people")}: {summary.direct.toLocaleString("en-GB")} report{summary.direct === 1 ? "s" : ""} to you directly
        {summary.leadCount > LEADS_NAMED
          ? `, the rest through ${summary.leadCount.toLocaleString("en-GB")} team leads`
          : throughLeads.length
            ? `, ${throughLeads.join(", ")}`
            : ""}
        . <span className="muted">As of {formatDateTime(d.asOf)}{d.source === "stored" ? " (a team this large is counted after each scheduler run)" : ""}.</span>
      </p>
      <ul className="stat-tiles" aria-label="Your team at a glance (people)">
        {tiles.map((t) => (
          <li key={t.key} className={`stat-tile tile-${t.key}`}>
            <Link to={t.href} preventScrollReset={t.href.startsWith("?")}>
              <span className="count">{t.count.toLocaleString("en-GB")}</span> <span className="what">{t.text}</span>{" "}
              <span className="more">{t.more}</span>
            </Link>
          </li>
        ))}
      </ul>
      <div className="page-actions">
        <Link className="button secondary" to="/team/board">
          Top compliers
        </Link>
        <Link to="/team/kudos">Send kudos</Link>
      </div>

      <section className="panel chase" aria-labelledby="late-h">
        <h2 id="late-h">Late: remind them</h2>
        {result?.outcomes ? <NudgeOutcomes outcomes={result.outcomes} /> : null}
        {d.overdue.total === 0 ? (
          <p className="notice">Nobody in your team is overdue. Thank you for keeping it that way.</p>
        ) : (
          <reminders.Form method="post" key={result?.at ?? "first"} noValidate aria-describedby={result?.fieldErrors ? "nudge-error" : undefined}>
            {result?.fieldErrors ? (
              <p id="nudge-error" className="form-error" role="alert">
                {Object.values(result.fieldErrors).join(" ")}
              </p>
            ) : null}
            <p className="muted">
              Tick the people to remind: each gets an email from Confidant in your name, with a link straight to the course. Each person can be
              reminded once a day per course, so someone already reminded today cannot be ticked.
            </p>
            <div className="table-wrap">
              <table className="stack" aria-labelledby="late-h">
                <thead>
                  <tr>
                    <th scope="col">
                      <span className="visually-hidden">Remind</span>
                    </th>
                    <th scope="col">Person</th>
                    <th scope="col">Course</th>
                    <th scope="col">Late by</th>
                  </tr>
                </thead>
                <tbody>
                  {d.overdue.rows.map((a) => (
                    <tr key={a.id}>
                      <td className="pick">
                        <input
                          type="checkbox"
                          id={`nudge-${a.id}`}
                          name="assignment"
                          value={a.id}
                          disabled={a.remindedToday}
                          aria-describedby={`late-${a.id}`}
                        />
                      </td>
                      <td>
                        <label className="person" htmlFor={`nudge-${a.id}`}>
                          {a.personName}
                        </label>
                        <span className="sub">
                          {a.direct ? "Reports to you" : `Reports to ${a.managerName}`}
                          {a.personStatus === "leave" ? " · on leave" : ""}
                        </span>
                      </td>
                      <td data-label="Course">
                        {a.courseTitle}
                        <span className="sub">Cycle: {a.cycle}</span>
                      </td>
                      <td id={`late-${a.id}`} data-label="Late by">
                        <span className="overdue-days">{daysText(a.daysOverdue)}</span>
                        <span className="sub">due {formatDate(a.dueAt)}</span>
                        {a.remindedToday ? <span className="reminded">Reminded today</span> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager {...d.overdue} param="overduePage" label="Pages of the late assignments" anchor="#late-h" />
            <div className="field">
              <label htmlFor="note">Add a personal line (optional)</label>
              <p className="hint" id="note-hint">
                Up to {NUDGE_NOTE_MAX} characters, added to the email under your name.
              </p>
              <textarea id="note" name="note" maxLength={NUDGE_NOTE_MAX} aria-describedby="note-hint" rows={3} />
            </div>
            <button type="submit" className="button" disabled={busy}>
              {busy ? "Sending…" : "Send reminders"}
            </button>
          </reminders.Form>
        )}
      </section>

      <h2 id="people-h">People</h2>
      <ul className="people-grid" aria-labelledby="people-h">
        {d.people.rows.map((p) => (
          <li key={p.id}>
            <Link to={`/team/people/${p.id}`}>{p.name}</Link> <span className={`badge ${STATE_CLASS[p.state]}`}>{STATE_LABEL[p.state]}</span>
            <span className="sub">
              {p.direct ? "Reports to you" : `Reports to ${p.managerName}`}
              {p.onLeave ? " · on leave" : ""}
            </span>
          </li>
        ))}
      </ul>
      <Pager {...d.people} param="peoplePage" label="Pages of the people in your team" anchor="#people-h" />

      <h2 id="all-h">Everyone's assignments</h2>
      <TeamFilters values={d.filters} options={d.options} action="/team" anchor="#all-h" />
      <div className="page-actions">
        <DownloadButton action={hrHref("/team/export.csv", d.filters)} className="button secondary">
          Download these as CSV
        </DownloadButton>
      </div>
      <p id="all-summary" className="muted" aria-live="polite">
        {!d.rows.listed
          ? `Your team has ${d.rows.approximate ? "about " : ""}${plural(d.rows.total, "assignment", "assignments")}. Choose a status, course, cycle, department or sub-team to list them.`
          : d.rows.total === 0
            ? d.filtered
              ? "Nothing matches these filters."
              : "Nobody in your team has an assignment yet."
            : `${d.rows.approximate ? "About " : ""}${plural(d.rows.total, "assignment", "assignments")}${d.filtered ? " matching these filters" : ""}, ${d.rows.order === "newest" ? "newest first" : "most urgent first"}.`}
      </p>
      {d.rows.rows.length > 0 ? (
        <div className="table-wrap">
          <table className="stack" aria-labelledby="all-h" aria-describedby="all-summary">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Status</th>
                <th scope="col">Course</th>
                <th scope="col">Due</th>
                <th scope="col">Completed</th>
              </tr>
            </thead>
            <tbody>
              {d.rows.rows.map((a) => {
                const detail = statusDetail(a);
                return (
                  <tr key={a.id}>
                    <th scope="row">
                      <Link to={`/team/people/${a.personId}`}>{a.personName}</Link>
                      <span className="sub">
                        {a.direct ? "Direct report" : `Reports to ${a.managerName}`}
                        {a.personStatus === "leave" ? " · on leave" : a.personStatus === "inactive" ? " · has left" : ""}
                      </span>
                    </th>
                    <td data-label="Status">
                      <span className={`badge status-${a.status}`}>{STATUS_LABEL[a.status]}</span>
                      {detail ? <span className={a.status === "overdue" ? "sub overdue-days" : "sub"}>{detail}</span> : null}
                      {a.remindedToday ? <span className="sub reminded">Reminded today</span> : null}
                    </td>
                    <td data-label="Course">
                      {a.courseTitle}
                      <span className="sub">Cycle: {a.cycle}</span>
                    </td>
                    <td className="nowrap" data-label="Due">
                      {formatDate(a.dueAt)}
                    </td>
                    <td className="nowrap" data-label="Completed">
                      {a.completedAt ? formatDate(a.completedAt) : "—"}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {d.rows.listed ? <Pager {...d.rows} param="page" label="Pages of your team's assignments" anchor="#all-h" /> : null}
    </>
  );
}
