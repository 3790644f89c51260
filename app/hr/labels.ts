// Words and links for HR's pages. Pure: shared by routes and components.

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

export const OUTCOME_LABEL: Record<string, string> = {
  not_started: "Not started",
  in_progress: "In progress",
  completed: "Completed",
  overdue: "Overdue",
  exempt: "Exempt",
  cancelled: "Cancelled",
};

export const NOTIFICATION_KIND_LABEL: Record<string, string> = {
  assigned: "Assigned",
  reminder_before: "Reminder",
  due_today: "Due today",
  overdue: "Overdue",
  escalation: "Escalation to manager",
  hr_digest: "HR digest",
  nudge: "Nudge",
  kudos: "Kudos",
};

export const NOTIFICATION_STATUS_LABEL: Record<string, string> = { pending: "Waiting", sending: "Sending", sent: "Sent", failed: "Failed" };

/** A cycle series in words: `renewal-2027-*` → "renewal-2027-… (every renewal due in 2027)". */
export function seriesLabel(series: string): { name: string; note: string | null } {
  const m = /^(.*)-(\d{4})-\*$/.exec(series);
  if (!m) return { name: series, note: null };
  const kind = m[1] === "renewal" ? "renewal due" : m[1] === "leaving" ? "leaving date" : `${m[1]} cycle dated`;
  return { name: `${m[1]}-${m[2]}-…`, note: `every ${kind} in ${m[2]}` };
}

export function daysText(n: number): string {
  return `${n} day${n === 1 ? "" : "s"}`;
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
