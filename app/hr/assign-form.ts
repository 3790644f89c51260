// The "Assign a course" form as it opens: the courses to choose from, and the values it starts
// with (the first or requested course, a manual cycle for this month, the course's due period
// from today, and the group the link asks for).
import type { Catalog } from "../courses/catalog.server";
import { addDays } from "../clock";

/** Who a manual assignment can go to (shared by the form and its schema). */
export const ASSIGN_GROUPS = ["person", "department", "team", "type", "everyone"] as const;
export type AssignGroup = (typeof ASSIGN_GROUPS)[number];

export const ASSIGN_FIELDS = ["course", "cycle", "due", "reason", "group", "person", "department", "manager", "type"] as const;
export type AssignValues = Record<(typeof ASSIGN_FIELDS)[number], string>;

export function assignFormStart(catalog: Catalog, params: URLSearchParams, now: Date) {
  const pick = (k: string, max = 320) => (params.get(k) ?? "").slice(0, max);
  const group = pick("group");
  const courses = [...catalog.courses.values()]
    .map((c) => ({ id: c.id, title: c.meta.title, duePeriodDays: c.meta.duePeriodDays }))
    .sort((a, b) => a.title.localeCompare(b.title));
  const course = courses.find((c) => c.id === pick("course")) ?? courses[0];
  const values: AssignValues = {
    course: course?.id ?? "",
    // After an assignment the form opens again with the same course, cycle, due date and group.
    cycle: /^[a-z0-9][a-z0-9-]{0,63}$/.test(pick("cycle")) ? pick("cycle") : `manual-${now.toISOString().slice(0, 7)}`,
    due: /^\d{4}-\d{2}-\d{2}$/.test(pick("due")) && pick("due") > now.toISOString().slice(0, 10) ? pick("due") : addDays(now.toISOString(), course?.duePeriodDays ?? 30).slice(0, 10),
    reason: "",
    group: (ASSIGN_GROUPS as readonly string[]).includes(group) ? group : pick("person") ? "person" : pick("manager") ? "team" : pick("department") ? "department" : "person",
    person: pick("person"),
    department: pick("department", 200),
    manager: pick("manager", 64),
    type: pick("type", 20),
  };
  return { courses, values };
}
