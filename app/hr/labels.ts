// Words and links for HR's pages. Pure: shared by routes and components. Words every page
// uses (statuses, person types, notifications, days) are in ../labels.ts.

export const HR_STATUS_LABEL: Record<string, string> = {
  open: "Open (not completed yet)",
  overdue: "Overdue",
  in_progress: "In progress, not due yet",
  not_started: "Not started, not due yet",
  completed: "Completed (on time or late)",
  on_time: "Completed on time",
  late: "Completed late",
  exempt: "Exempt",
  cancelled: "Cancelled (left the company)",
};

/** Who a manual assignment can go to (shared by the form and its schema). */
export const ASSIGN_GROUPS = ["person", "department", "team", "type", "everyone"] as const;
export type AssignGroup = (typeof ASSIGN_GROUPS)[number];

export const TYPE_LABEL: Record<string, string> = { employee: "Employees", contractor: "Contractors" };

export const REASON_LABEL: Record<string, string> = {
  onboarding: "Onboarding",
  annual: "Annual renewal",
  policy_change: "Policy change",
  leaving: "Leaving",
  manual: "Assigned by HR",
};

/** A cycle series in words: `renewal-2027-*` → "renewal-2027-… (every renewal due in 2027)". */
export function seriesLabel(series: string): { name: string; note: string | null } {
  const m = /^(.*)-(\d{4})-\*$/.exec(series);
  if (!m) return { name: series, note: null };
  const kind = m[1] === "renewal" ? "renewal due" : m[1] === "leaving" ? "leaving date" : `${m[1]} cycle dated`;
  return { name: `${m[1]}-${m[2]}-…`, note: `every ${kind} in ${m[2]}` };
}

export interface FilterValues {
  department: string;
  manager: string;
  course: string;
  cycle: string;
  status: string;
  type: string;
}

export const FILTER_KEYS = ["department", "manager", "course", "cycle", "status", "type"] as const;

/** A shareable link to `path` with these filters (empty ones left out) and any extra params. */
export function hrHref(path: string, values: Partial<FilterValues>, extra: Record<string, string | undefined> = {}): string {
  const sp = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = values[k];
    if (v) sp.set(k, v);
  }
  for (const [k, v] of Object.entries(extra)) if (v) sp.set(k, v);
  const qs = sp.toString();
  return qs ? `${path}?${qs}` : path;
}
