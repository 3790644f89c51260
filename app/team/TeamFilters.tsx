// The filter form of "My team": HR's filters, with choices drawn from the manager's own tree.
import { Form, Link } from "@remix-run/react";
import { choicesOf, SelectField } from "~/components/SelectField";
import { FILTER_STATUS_LABEL } from "../labels";

const TYPE_CHOICES = choicesOf({ employee: "Employees", contractor: "Contractors" });

export interface TeamFilterValues {
  status: string;
  course: string;
  cycle: string;
  department: string;
  manager: string;
  type: string;
}

export interface TeamFilterOptions {
  departments: string[];
  leads: Array<{ id: string; name: string }>;
  courses: Array<{ id: string; title: string }>;
  cycles: string[];
}

export function TeamFilters({
  values,
  options,
  action,
  anchor,
}: {
  values: TeamFilterValues;
  options: TeamFilterOptions;
  action: string;
  anchor?: string;
}) {
  const filtered = Object.values(values).some(Boolean);
  // Folded away until used, so the team's status stays the first thing on a small screen.
  return (
    <details className="panel filter-box" open={filtered}>
      <summary id="filters-h">Filter by status, course, cycle or team{filtered ? " (filtered)" : ""}</summary>
      <Form method="get" action={action} role="search" aria-labelledby="filters-h" className="filters" preventScrollReset>
        <SelectField id="f-status" name="status" label="Status" defaultValue={values.status} none="Any status" choices={choicesOf(FILTER_STATUS_LABEL)} />
        <SelectField id="f-course" name="course" label="Course" defaultValue={values.course} none="Any course" choices={options.courses.map((c) => ({ value: c.id, label: c.title }))} />
        <SelectField id="f-cycle" name="cycle" label="Cycle" defaultValue={values.cycle} none="Any cycle" choices={options.cycles.map((c) => ({ value: c, label: c }))} />
        {options.leads.length > 0 ? (
          <SelectField id="f-manager" name="manager" label="Team" defaultValue={values.manager} none="Everyone" choices={options.leads.map((l) => ({ value: l.id, label: `${l.name}'s team` }))} />
        ) : null}
        {options.departments.length > 1 ? (
          <SelectField id="f-department" name="department" label="Department" defaultValue={values.department} none="Any department" choices={options.departments.map((d) => ({ value: d, label: d }))} />
        ) : null}
        <SelectField id="f-type" name="type" label="Employees or contractors" defaultValue={values.type} none="Both" choices={TYPE_CHOICES} />
        <div className="filter-actions">
          <button type="submit" className="button">
            Show
          </button>
          {filtered ? <Link to={`${action}${anchor ?? ""}`}>Clear filters</Link> : null}
        </div>
      </Form>
    </details>
  );
}
