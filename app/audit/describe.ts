// Audit entries in words for people reading a record: "Details changed — Manager: Marcus Lee →
// Priya Shah" rather than `person.updated {"changes":[{"field":"manager_id",…}]}`. The entry
// itself is unchanged; the page keeps the recorded data one click away for an auditor.
import { formatDate, formatDateTime } from "../components/format";

const ACTIONS: Record<string, string> = {
  "person.created": "Added to Confidant",
  "person.updated": "Details changed",
  "person.deactivated": "Deactivated (left)",
  "person.leave_started": "Leave started",
  "person.leave_ended": "Back from leave",
  "person.password_changed": "Password changed",
  "person.board_visibility_changed": "Board visibility changed",
  "consent.given": "Agreed to electronic records",
  "kudos.sent": "Kudos sent",
  "assignment.issued": "Course assigned",
  "assignment.extended": "Due date extended",
  "assignment.exempted": "Exempted",
  "assignment.completed": "Course completed",
  "assignment.nudged": "Reminded by their manager",
  "hr.reminder_sent": "Reminded by HR",
  "quiz.attempted": "Quiz attempted",
  "attestation.signed": "Agreement signed",
  "attestation.declined": "Agreement declined",
  "attestation.recorded_from_paper": "Paper signature recorded",
  "evidence.produced": "Evidence pack produced",
  "notification.failed": "Email could not be delivered",
  "notification.resent": "Email sent again",
  "auth.totp_enrolled": "Authenticator app added",
  "auth.totp_removed": "Authenticator app removed",
  "auth.passkey_added": "Passkey added",
  "auth.passkey_removed": "Passkey removed",
  "auth.recovery_code_used": "Recovery code used",
};

const FIELDS: Record<string, string> = {
  managerId: "Manager",
  manager_id: "Manager",
  isHr: "HR admin",
  is_hr: "HR admin",
  employee_id: "Employee ID",
  employeeId: "Employee ID",
  start_date: "Start date",
  end_date: "End date",
  dueAt: "Due",
  due_at: "Due",
  from: "From",
  to: "To",
  shownOnBoards: "Shown on boards",
  courseId: "Course",
  daysOverdue: "Days overdue",
  withNote: "With a personal line",
  reactivated: "Reactivated",
};

/** What an action code means, in words (the code itself where there are none yet). */
export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action;
}

function fieldLabel(key: string): string {
  if (FIELDS[key]) return FIELDS[key];
  const words = key.replace(/_/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function valueText(value: unknown, names: ReadonlyMap<string, string>): string {
  if (value === null || value === undefined || value === "") return "none";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "number") return value.toLocaleString("en-GB");
  if (typeof value === "string") {
    if (names.has(value)) return names.get(value)!;
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDate(`${value}T00:00:00.000Z`);
    if (/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(value)) return formatDateTime(value);
    return value;
  }
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.every((v) => typeof v !== "object") ? value.map((v) => valueText(v, names)).join(", ") : `${value.length} items`;
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${fieldLabel(k)} ${valueText(v, names)}`)
    .join(", ");
}

/** The entry's data as lines of "Label: value"; a list of changes as "Field: before → after". */
export function describeData(data: Record<string, unknown>, names: ReadonlyMap<string, string>): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (key === "changes" && Array.isArray(value)) {
      for (const c of value as Array<{ field?: string; from?: unknown; to?: unknown }>) {
        lines.push(`${fieldLabel(String(c.field ?? "field"))}: ${valueText(c.from, names)} → ${valueText(c.to, names)}`);
      }
      continue;
    }
    lines.push(`${fieldLabel(key)}: ${valueText(value, names)}`);
  }
  return lines;
}

/** The people ids an entry mentions, so a page can show their names instead. */
export function mentionedPeople(data: unknown, into = new Set<string>()): Set<string> {
  if (typeof data === "string" && /^usr_[a-z0-9]+$/.test(data)) into.add(data);
  else if (Array.isArray(data)) for (const v of data) mentionedPeople(v, into);
  else if (data && typeof data === "object") for (const v of Object.values(data)) mentionedPeople(v, into);
  return into;
}
