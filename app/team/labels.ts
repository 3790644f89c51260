// Words for statuses and filters on the team pages. Pure: shared by routes and components.
import type { AssignmentStatus } from "../assignments/status";
import { daysText } from "../labels";

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
