// Reading HR's shared filters from a request: a bad value is a 400 that names the filter, never a
// stack trace.
import { badRequest } from "./guards.server";
import { assignmentFiltersSchema, parseFilters, type AssignmentFilters } from "../reports/filters.server";
import type { FilterValues } from "../hr/links";

const FILTER_WORDS: Record<string, string> = {
  department: "department",
  manager: "manager",
  course: "course",
  cycle: "cycle",
  status: "status",
  type: "employees or contractors",
};

export function filtersOr400(params: URLSearchParams): AssignmentFilters {
  const filters = parseFilters(params);
  if (filters) return filters;
  const raw = Object.fromEntries([...params.entries()].filter(([k]) => k in assignmentFiltersSchema.shape));
  const parsed = assignmentFiltersSchema.safeParse(raw);
  const fields = parsed.success ? [] : [...new Set(parsed.error.issues.map((i) => FILTER_WORDS[String(i.path[0])] ?? String(i.path[0])))];
  throw badRequest(`That filter is not valid${fields.length ? ` (check the ${fields.join(" and ")})` : ""}. Clear the filters and try again.`);
}

export function filterValues(f: AssignmentFilters): FilterValues {
  return {
    department: f.department ?? "",
    manager: f.manager ?? "",
    course: f.course ?? "",
    cycle: f.cycle ?? "",
    status: f.status ?? "",
    type: f.type ?? "",
  };
}
