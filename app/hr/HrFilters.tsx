// The filter form of HR's overview and overdue list: a GET form (so every view is a shareable
// URL) with a labelled select per filter. Choices come from the rollup's small tables.
import { Form, Link } from "@remix-run/react";
import { HR_STATUS_LABEL, TYPE_LABEL, type FilterValues } from "./labels";

export interface FilterChoices {
  departments: string[];
  courses: Array<{ id: string; title: string }>;
  cycles: string[];
  managers: Array<{ id: string; name: string; teamSize: number }>;
  managersTruncated: boolean;
  cyclesTruncated: boolean;
}

export function HrFilters({ values, choices, action, submitLabel }: { values: FilterValues; choices: FilterChoices; action: string; submitLabel: string }) {
  const filtered = Object.values(values).some(Boolean);
  const truncated = choices.managersTruncated || choices.cyclesTruncated;
  return (
    <Form method="get" action={action} role="search" aria-labelledby="hr-filters-h" className="panel hr-filters">
      <h2 id="hr-filters-h" className="hr-filters-title">
        Filters
      </h2>
      <div className="hr-filter-grid">
        <div className="field">
          <label htmlFor="f-department">Department</label>
          <select id="f-department" name="department" defaultValue={values.department}>
            <option value="">All departments</option>
            {choices.departments.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-manager">Manager's team</label>
          <select id="f-manager" name="manager" defaultValue={values.manager} aria-describedby={truncated ? "hr-filters-hint" : undefined}>
            <option value="">Everyone</option>
            {choices.managers.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
                {m.teamSize ? ` (${m.teamSize})` : ""}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-course">Course</label>
          <select id="f-course" name="course" defaultValue={values.course}>
            <option value="">All courses</option>
            {choices.courses.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-cycle">Cycle</label>
          <select id="f-cycle" name="cycle" defaultValue={values.cycle} aria-describedby={truncated ? "hr-filters-hint" : undefined}>
            <option value="">All cycles</option>
            {choices.cycles.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-status">Status</label>
          <select id="f-status" name="status" defaultValue={values.status}>
            <option value="">Any status</option>
            {Object.entries(HR_STATUS_LABEL).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-type">Employee or contractor</label>
          <select id="f-type" name="type" defaultValue={values.type}>
            <option value="">Both</option>
            {Object.entries(TYPE_LABEL).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </div>
      </div>
      {truncated ? (
        <p id="hr-filters-hint" className="hint">
          {choices.managersTruncated ? "Managers: the largest teams are listed (any manager's team opens from their record). " : ""}
          {choices.cyclesTruncated ? "Cycles: the most recent dated cycles are listed." : ""}
        </p>
      ) : null}
      <div className="hr-filter-actions">
        <button type="submit" className="button">
          {submitLabel}
        </button>
        {filtered ? <Link to={action}>Clear filters</Link> : null}
      </div>
    </Form>
  );
}
