import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { badRequest, notFound, readForm, requireHr } from "~/http/guards.server";
import { decodeOverdueCursor, listOverdue, OVERDUE_PAGE_SIZE } from "~/reports/overdue.server";
import { getOverviewOptions, requestRollupRefresh } from "~/reports/overview.server";
import { parseForm, remindFormSchema, remindMessage, remindOverdue } from "~/hr/actions.server";
import { filterValues, filtersOr400 } from "~/http/filters.server";
import { courseTitle } from "~/courses/titles.server";
import { HrFilters } from "~/hr/HrFilters";
import { hrHref } from "~/hr/links";
import { daysText } from "~/labels";
import { readFlash, setFlash } from "~/http/flash.server";
import { formatDate, formatDateTime } from "~/components/format";
import hrStyles from "~/styles/hr.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: hrStyles }];

export const meta: MetaFunction = () => [{ title: "Overdue · Confidant" }];

function readAfter(params: URLSearchParams): string | null {
  const after = params.get("after");
  if (after === null || after === "") return null;
  if (!decodeOverdueCursor(after)) throw badRequest("That page link is not valid. Go back to the first page and try again.");
  return after;
}

// Who is late, most days late first, 50 at a time, with a way to remind the selected people now.
export async function loader({ request, context }: LoaderFunctionArgs) {
  requireHr(request, context);
  const url = new URL(request.url);
  const filters = filtersOr400(url.searchParams);
  const after = readAfter(url.searchParams);
  const now = context.clock();
  const [page, flash] = await Promise.all([
    listOverdue(context.db, { filters, now, after, limit: OVERDUE_PAGE_SIZE }),
    readFlash(request, context.config),
  ]);
  await requestRollupRefresh(context.db, now);
  const options = await getOverviewOptions(context.db, { selected: filters });
  const title = (id: string) => courseTitle(context.catalog, id);
  const courseIds = new Set([...options.courseIds, ...context.catalog.courses.keys()]);
  return data(
    {
      now: now.toISOString(),
      filters: filterValues(filters),
      after,
      search: url.search,
      rows: page.rows.map((r) => ({ ...r, courseTitle: title(r.courseId) })),
      next: page.next,
      pageSize: OVERDUE_PAGE_SIZE,
      flash: flash.message,
      choices: {
        departments: options.departments,
        courses: [...courseIds].map((id) => ({ id, title: title(id) })).sort((a, b) => a.title.localeCompare(b.title)),
        cycles: options.cycles,
        managers: options.managers,
        managersTruncated: options.managersTruncated,
        cyclesTruncated: options.cyclesTruncated,
      },
    },
    { headers: flash.headers },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireHr(request, context);
  const url = new URL(request.url);
  filtersOr400(url.searchParams);
  readAfter(url.searchParams);
  const form = await readForm(request);
  const parsed = parseForm(remindFormSchema, form, ["assignment"]);
  if (!parsed.ok) return data({ fieldErrors: parsed.fieldErrors }, { status: 400 });
  const outcome = await remindOverdue(
    context.db,
    { viewer, assignmentIds: parsed.data.assignment, catalog: context.catalog, origin: context.config.origin },
    context.clock,
  );
  if (!outcome) throw notFound();
  return redirect(`/hr/overdue${url.search}`, { headers: { "Set-Cookie": await setFlash(context.config, remindMessage(outcome)) } });
}

export default function OverduePage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const busy = nav.state === "submitting" && nav.formMethod?.toLowerCase() === "post";
  const error = result?.fieldErrors ? Object.values(result.fieldErrors).join(" ") : null;
  const first = !d.after;
  return (
    <div className="hr-page">
      <p className="eyebrow">
        <Link to={hrHref("/hr", d.filters)}>Compliance overview</Link>
      </p>
      <h1>Overdue</h1>
      <p className="muted">
        Open assignments past their due date, most days late first, as of {formatDateTime(d.now)}. Tick people and remind them now: each gets one email
        per assignment per day, however often the button is pressed.
      </p>
      <HrFilters key={JSON.stringify(d.filters)} values={d.filters} choices={d.choices} action="/hr/overdue" submitLabel="Show" />
      {/* A failed post does not reload the page's data: the last success message must not stand beside the new error. */}
      {d.flash && !error ? (
        <p className="notice" role="status">
          {d.flash}
        </p>
      ) : null}
      {d.rows.length === 0 ? (
        <p className="notice">{first ? "Nobody is overdue with these filters." : "No more overdue assignments."}</p>
      ) : (
        <Form method="post" action={`/hr/overdue${d.search}`} aria-describedby={error ? "remind-error" : undefined} key={d.flash ?? "list"}>
          {error ? (
            <p id="remind-error" className="form-error" role="alert">
              {error}
            </p>
          ) : null}
          <div className="table-wrap">
            <table className="hr-table hr-cards" aria-labelledby="overdue-h">
              <caption id="overdue-h" className="visually-hidden">
                Overdue assignments, most days late first
              </caption>
              <thead>
                <tr>
                  <th scope="col" className="hr-pick">
                    <span className="visually-hidden">Remind</span>
                  </th>
                  <th scope="col">Person</th>
                  <th scope="col">Course</th>
                  <th scope="col">Due</th>
                  <th scope="col" className="num">
                    Days late
                  </th>
                  <th scope="col" className="num">
                    <abbr title="Messages about it after the first 'assigned' email">Reminders sent</abbr>
                  </th>
                  <th scope="col">Manager</th>
                </tr>
              </thead>
              <tbody>
                {d.rows.map((r) => {
                  const canRemind = r.personStatus === "active" && !r.remindedToday;
                  return (
                    <tr key={r.assignmentId}>
                      <td className="hr-pick" data-label="Remind">
                        <input
                          type="checkbox"
                          name="assignment"
                          value={r.assignmentId}
                          id={`pick-${r.assignmentId}`}
                          disabled={!canRemind}
                          aria-label={`Remind ${r.personName} about ${r.courseTitle}`}
                        />
                      </td>
                      <td data-label="Person">
                        <Link to={`/hr/people/${r.personId}`}>{r.personName}</Link>
                        {r.personStatus === "leave" ? <span className="hr-tag">On leave</span> : null}
                        {r.personStatus === "inactive" ? <span className="hr-tag">Left</span> : null}
                        {r.declinedAt ? <span className="hr-tag hr-bad">Declined to sign</span> : null}
                        <span className="hr-person-email">{r.personEmail}</span>
                      </td>
                      <td data-label="Course">
                        {r.courseTitle}
                        <span className="hr-person-email">{r.cycle}</span>
                      </td>
                      <td data-label="Due">{formatDate(r.dueAt)}</td>
                      <td className="num hr-bad" data-label="Days late">
                        {daysText(r.daysLate)}
                      </td>
                      <td className="num" data-label="Reminders sent">
                        {r.remindersSent}
                        {r.remindedToday ? <span className="hr-person-email">reminded today</span> : null}
                      </td>
                      <td data-label="Manager">{r.managerId ? <Link to={`/hr/people/${r.managerId}`}>{r.managerName}</Link> : <span className="muted">None</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div className="hr-remind-bar">
            <button type="submit" className="button" disabled={busy}>
              {busy ? "Queuing reminders…" : "Remind selected people now"}
            </button>
            <span className="muted">People on leave, and people already reminded today, cannot be ticked.</span>
          </div>
        </Form>
      )}
      <nav className="hr-pager" aria-label="Pages of the overdue list">
        {first ? <span /> : <Link to={hrHref("/hr/overdue", d.filters)}>First page</Link>}
        <span className="muted">
          {d.rows.length > 0 ? `${d.rows.length} shown, ${d.pageSize} per page` : ""}
        </span>
        {d.next ? (
          <Link to={hrHref("/hr/overdue", d.filters, { after: d.next })} rel="next">
            Next {d.pageSize}
          </Link>
        ) : (
          <span />
        )}
      </nav>
    </div>
  );
}
