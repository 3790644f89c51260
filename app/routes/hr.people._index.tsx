import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { badRequest, requireHr } from "~/http/guards.server";
import { readFlash } from "~/http/flash.server";
import { listDepartments, listPeople, parsePeopleFilter, PEOPLE_PAGE_SIZE, type TrainingState } from "~/roster/people-admin.server";
import rosterStyles from "~/styles/roster.css";
import { Pager } from "~/components/Pager";
import { choicesOf, SelectField } from "~/components/SelectField";
import { PERSON_TYPE_LABEL } from "~/labels";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: rosterStyles }];

export const meta: MetaFunction = () => [{ title: "People · Confidant" }];

// Everyone, for HR: searched, filtered and paged in the database (one page is ever loaded).
export async function loader({ request, context }: LoaderFunctionArgs) {
  requireHr(request, context);
  const filter = parsePeopleFilter(new URL(request.url).searchParams);
  if (!filter) throw badRequest("That filter is not valid. Clear the filters and try again.");
  const [page, departments, flash] = await Promise.all([
    listPeople(context.db, filter, context.clock()),
    listDepartments(context.db),
    readFlash(request, context.config),
  ]);
  return data(
    {
      filter: { q: filter.q ?? "", department: filter.department ?? "", status: filter.status ?? "", type: filter.type ?? "" },
      departments,
      pageSize: PEOPLE_PAGE_SIZE,
      flash: flash.message,
      ...page,
    },
    { headers: flash.headers },
  );
}

const STATUS = {
  active: { label: "Active", className: "status-completed" },
  leave: { label: "On leave", className: "status-in_progress" },
  inactive: { label: "Deactivated", className: "status-cancelled" },
} as const;
const STATUS_CHOICES = Object.entries(STATUS).map(([value, s]) => ({ value, label: s.label }));
const TYPE_CHOICES = choicesOf({ employee: "Employees", contractor: "Contractors" });

const TRAINING: Record<TrainingState["state"], string> = { overdue: "status-overdue", open: "status-in_progress", up_to_date: "status-completed", nothing: "status-not_started" };

function TrainingBadge({ training: t }: { training: TrainingState }) {
  const text =
    t.state === "overdue" ? `${t.overdue} overdue` : t.state === "open" ? `${t.open} to do` : t.state === "up_to_date" ? "Up to date" : "Nothing assigned";
  return <span className={`badge ${TRAINING[t.state]}`}>{text}</span>;
}

export default function People() {
  const { filter, departments, rows, total, page, pageCount, pageSize, flash } = useLoaderData<typeof loader>();
  const filtered = Boolean(filter.q || filter.department || filter.status || filter.type);
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <>
      <div className="roster-head">
        <h1>People</h1>
        <p className="roster-actions">
          <Link to="/hr/people/new" className="button">
            Add a person
          </Link>{" "}
          <Link to="/hr/import" className="button secondary">
            Import a roster
          </Link>
        </p>
      </div>
      {flash ? (
        <p className="notice" role="status">
          {flash}
        </p>
      ) : null}

      <Form method="get" action="/hr/people" role="search" aria-labelledby="filter-h" className="panel roster-filter">
        <h2 id="filter-h" className="panel-title">
          Find people
        </h2>
        <div className="roster-filter-fields">
          <div className="field">
            <label htmlFor="f-q">Name, email, employee ID or department</label>
            <input id="f-q" name="q" type="text" defaultValue={filter.q} maxLength={200} autoComplete="off" spellCheck={false} />
          </div>
          <SelectField id="f-department" name="department" label="Department" defaultValue={filter.department} none="Any department" choices={departments.map((d) => ({ value: d, label: d }))} />
          <SelectField id="f-status" name="status" label="Status" defaultValue={filter.status} none="Any status" choices={STATUS_CHOICES} />
          <SelectField id="f-type" name="type" label="Type" defaultValue={filter.type} none="Any type" choices={TYPE_CHOICES} />
        </div>
        <button type="submit" className="button">
          Show people
        </button>
        {filtered ? (
          <Link to="/hr/people" className="roster-cancel">
            Clear filters
          </Link>
        ) : null}
      </Form>

      <h2 id="list-h">{filtered ? "Matching people" : "Everyone"}</h2>
      <p id="list-summary" className="muted" aria-live="polite">
        {total === 0
          ? filtered
            ? "Nobody matches these filters."
            : "Nobody is here yet. Add a person or import a roster."
          : `Showing ${first}–${last} of ${total} ${total === 1 ? "person" : "people"}${filtered ? " matching these filters" : ""}, by name.`}
      </p>
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table aria-labelledby="list-h" aria-describedby="list-summary" className="roster-table roster-stack people-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Department and title</th>
                <th scope="col">Manager</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Training</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td className="roster-stack-main">
                    <Link to={`/hr/people/${r.id}`} className="roster-name">
                      {r.name}
                    </Link>
                    <br />
                    <span className="roster-email">{r.email}</span>
                    {r.isHr ? <span className="muted"> · HR</span> : null}
                    {!r.canSignIn && r.status !== "inactive" ? <span className="muted"> · no password yet</span> : null}
                  </td>
                  <td data-label="Department">{[r.department, r.title].filter(Boolean).join(" · ") || <span className="muted">—</span>}</td>
                  <td data-label="Manager">{r.managerName ?? <span className="muted">—</span>}</td>
                  <td data-label="Type">{PERSON_TYPE_LABEL[r.type]}</td>
                  <td data-label="Status">
                    <span className={`badge ${STATUS[r.status].className}`}>{STATUS[r.status].label}</span>
                  </td>
                  <td data-label="Training">
                    <TrainingBadge training={r.training} />
                  </td>
                  <td className="roster-stack-main">
                    <Link to={`/hr/people/${r.id}/edit`}>
                      Edit<span className="visually-hidden"> {r.name}</span>
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager page={page} pageCount={pageCount} pageSize={pageSize} total={total} param="page" label="Pages of people" />
    </>
  );
}
