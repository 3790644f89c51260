// The filter form of "My team": HR's filters, with choices drawn from the manager's own tree.
import { Form, Link } from "@remix-run/react";
import { FILTER_STATUS_LABEL } from "./labels";

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
        <div className="field">
          <label htmlFor="f-status">Status</label>
          <select id="f-status" name="status" defaultValue={values.status}>
            <option value="">Any status</option>
            {Object.entries(FILTER_STATUS_LABEL).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-course">Course</label>
          <select id="f-course" name="course" defaultValue={values.course}>
            <option value="">Any course</option>
            {options.courses.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-cycle">Cycle</label>
          <select id="f-cycle" name="cycle" defaultValue={values.cycle}>
            <option value="">Any cycle</option>
            {options.cycles.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        {options.leads.length > 0 ? (
          <div className="field">
            <label htmlFor="f-manager">Team</label>
            <select id="f-manager" name="manager" defaultValue={values.manager}>
              <option value="">Everyone</option>
              {options.leads.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}'s team
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {options.departments.length > 1 ? (
          <div className="field">
            <label htmlFor="f-department">Department</label>
            <select id="f-department" name="department" defaultValue={values.department}>
              <option value="">Any department</option>
              {options.departments.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="f-type">Employees or contractors</label>
          <select id="f-type" name="type" defaultValue={values.type}>
            <option value="">Both</option>
            <option value="employee">Employees</option>
            <option value="contractor">Contractors</option>
          </select>
        </div>
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
