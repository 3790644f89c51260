// How an assignment stands at a given moment. Pure, so the home page, dashboards and the
// scheduler agree, and tests can travel in time.
export type AssignmentStatus = "not_started" | "in_progress" | "completed" | "overdue" | "exempt" | "cancelled";

export interface StatusInput {
  due_at: string;
  completed_at: string | null;
  exempted_at: string | null;
  cancelled_at: string | null;
  started: boolean;
}

export function assignmentStatus(a: StatusInput, now: Date): AssignmentStatus {
  if (a.cancelled_at) return "cancelled";
  if (a.exempted_at) return "exempt";
  if (a.completed_at) return "completed";
  if (now.getTime() > Date.parse(a.due_at)) return "overdue";
  return a.started ? "in_progress" : "not_started";
}

export function completedOnTime(a: Pick<StatusInput, "due_at" | "completed_at">): boolean | null {
  if (!a.completed_at) return null;
  return Date.parse(a.completed_at) <= Date.parse(a.due_at);
}

export const STATUS_LABEL: Record<AssignmentStatus, string> = {
  not_started: "Not started",
  in_progress: "In progress",
  completed: "Completed",
  overdue: "Overdue",
  exempt: "Exempt",
  cancelled: "Cancelled",
};

export function daysBetween(fromIso: string, to: Date): number {
  return Math.floor((to.getTime() - Date.parse(fromIso)) / 86_400_000);
}
