// The words the pages show for stored values, in one place. Pure: shared by routes, components
// and domain modules (mails, PDFs). Page-specific words are in hr/labels.ts and team/labels.ts.

/** An assignment's status ("Not started", "Overdue", …). */
export { STATUS_LABEL } from "./assignments/status";

/** One person's type. (HR's filter names the groups: hr/labels.ts TYPE_LABEL.) */
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
  invitation: "Invitation",
  password_reset: "Password reset",
};

export const NOTIFICATION_STATUS_LABEL: Record<string, string> = { pending: "Waiting", sending: "Sending", sent: "Sent", failed: "Failed" };

export function daysText(n: number): string {
  return `${n} day${n === 1 ? "" : "s"}`;
}
