// The words the pages show for stored values, in one place. Pure: shared by routes, components
// and domain modules (mails, PDFs).
import type { AssignmentStatus } from "./assignments/status";

/** An assignment's status ("Not started", "Overdue", …). */
export { STATUS_LABEL } from "./assignments/status";

/** One person's type. (HR's filter names the groups: TYPE_LABEL.) */
export const PERSON_TYPE_LABEL: Record<string, string> = { employee: "Employee", contractor: "Contractor" };

export const NOTIFICATION_KIND_LABEL: Record<string, string> = {
  assigned: "Assigned",
  reminder_before: "Reminder",
  due_today: "Due today",
  overdue: "Overdue",
  escalation: "Escalation to manager",
  hr_digest: "HR digest",
  nudge: "Nudge",
  kudos: "Kudos",
  declined: "Declined signature",
  invitation: "Invitation",
  password_reset: "Password reset",
};

export const NOTIFICATION_STATUS_LABEL: Record<string, string> = { pending: "Waiting", sending: "Sending", sent: "Sent", failed: "Failed" };

export function daysText(n: number): string {
  return `${n} day${n === 1 ? "" : "s"}`;
}

/** "1 module", "3 modules", "1 quiz question". */
export function countText(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Who a course is for (course.yaml's `audience`). */
export const AUDIENCE_LABEL: Record<string, string> = {
  employees: "Employees",
  contractors: "Contractors",
  both: "Employees and contractors",
  managers: "Managers (anyone with at least one report)",
};

/** HR's status filter. */
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

/** The groups HR's type filter chooses between. */
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


/** The team pages' status filter. */
export const FILTER_STATUS_LABEL: Record<string, string> = {
  open: "Open (not completed yet)",
  overdue: "Overdue",
  in_progress: "In progress",
  not_started: "Not started",
  completed: "Completed",
  on_time: "Completed on time",
  late: "Completed late",
  exempt: "Exempt",
  cancelled: "Cancelled",
};

export function statusDetail(a: { status: AssignmentStatus; daysOverdue: number; onTime: boolean | null }): string | null {
  if (a.status === "overdue") return `${daysText(a.daysOverdue)} overdue`;
  if (a.status === "completed") return a.onTime ? "On time" : "Late";
  return null;
}
