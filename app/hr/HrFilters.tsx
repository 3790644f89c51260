// The filter form of HR's overview and overdue list: a GET form (so every view is a shareable
// URL) with a labelled select per filter. Choices come from the rollup's small tables.
import { Form, Link } from "@remix-run/react";
import { HR_STATUS_LABEL, TYPE_LABEL } from "../labels";
import type { FilterValues } from "./links";
import { choicesOf, SelectField } from "~/components/SelectField";

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
        <SelectField id="f-department" name="department" label="Department" defaultValue={values.department} none="All departments" choices={choices.departments.map((d) => ({ value: d, label: d }))} />
        <SelectField
          id="f-manager"
          name="manager"
          label="Manager's team"
          defaultValue={values.manager}
          none="Everyone"
          choices={choices.managers.map((m) => ({ value: m.id, label: m.teamSize ? `${m.name} (${m.teamSize})` : m.name }))}
          describedBy={truncated ? "hr-filters-hint" : undefined}
        />
        <SelectField id="f-course" name="course" label="Course" defaultValue={values.course} none="All courses" choices={choices.courses.map((c) => ({ value: c.id, label: c.title }))} />
        <SelectField
          id="f-cycle"
          name="cycle"
          label="Cycle"
          defaultValue={values.cycle}
          none="All cycles"
          choices={choices.cycles.map((c) => ({ value: c, label: c }))}
          describedBy={truncated ? "hr-filters-hint" : undefined}
        />
        <SelectField id="f-status" name="status" label="Status" defaultValue={values.status} none="Any status" choices={choicesOf(HR_STATUS_LABEL)} />
        <SelectField id="f-type" name="type" label="Employee or contractor" defaultValue={values.type} none="Both" choices={choicesOf(TYPE_LABEL)} />
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
