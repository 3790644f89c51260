// HR's manual actions: assign a course to a person or a group, grant an extension, exempt
// someone from an assignment, remind overdue people now. Each needs a reason (5–500 characters)
// or a selection, is checked by a zod schema before anything is read or written, runs in one
// transaction with its audit entry (and its emails, queued in the outbox), and takes the clock as
// an argument. Every function checks that the viewer is HR and returns null otherwise (→ 404).
import type { Kysely, Transaction } from "kysely";
import { z } from "zod";
import type { DB } from "../../db/schema";
import type { Clock } from "../clock";
import type { Catalog } from "../courses/catalog.server";
import { courseTitle } from "../courses/titles.server";
import { appendAudit, auditedTransaction } from "../audit/audit.server";
import { exemptFromAssignment, extendAssignment } from "../assignments/assignments.server";
import { enqueueNotification } from "../notifications/outbox.server";
import { reminderMail } from "../notifications/templates.server";
import { formatDate } from "../components/format";
import { hrReminderEventKey } from "../reports/overdue.server";
import { ASSIGN_GROUPS, type AssignGroup } from "./assign-form";
import { blankToUndefined, fieldErrorsOf } from "../forms";

export interface HrViewer {
  id: string;
  is_hr: number;
}

export type FieldErrors = Partial<Record<string, string>>;

export type ActionResult<T> = ({ ok: true } & T) | { ok: false; status: 400 | 409; fieldErrors: FieldErrors; formError?: string };

/** People act in batches of this many per transaction when a group is large, like the scheduler. */
export const ASSIGN_BATCH = 500;
export const REMIND_MAX_AT_ONCE = 200;
const DAY_MS = 86_400_000;


export const reasonSchema = z
  .string({ required_error: "Give a reason: it is kept in the audit log." })
  .trim()
  .min(5, "Give a reason of at least 5 characters: it is kept in the audit log.")
  .max(500, "Keep the reason to 500 characters or fewer.");

const dateSchema = (what: string) =>
  z
    .string({ required_error: `Give the ${what} date.` })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `Give the ${what} date as YYYY-MM-DD.`)
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00.000Z`)) && new Date(`${d}T00:00:00.000Z`).toISOString().slice(0, 10) === d, `That ${what} date does not exist.`);

export { ASSIGN_GROUPS, type AssignGroup };

export const assignFormSchema = z
  .object({
    course: z.string({ required_error: "Choose a course." }).trim().regex(/^[a-z0-9-]{1,100}$/, "Choose a course."),
    cycle: z
      .string({ required_error: "Name the cycle, e.g. manual-2027-03." })
      .trim()
      .min(1, "Name the cycle, e.g. manual-2027-03.")
      .max(64, "Keep the cycle name to 64 characters.")
      .regex(/^[a-z0-9][a-z0-9-]*$/, "Use lower-case letters, digits and dashes in the cycle name, e.g. manual-2027-03."),
    due: dateSchema("due"),
    reason: reasonSchema,
    group: z.enum(ASSIGN_GROUPS, { errorMap: () => ({ message: "Choose who should get it." }) }),
    person: z.preprocess(blankToUndefined, z.string().trim().max(320).optional()),
    department: z.preprocess(blankToUndefined, z.string().trim().max(200).optional()),
    manager: z.preprocess(blankToUndefined, z.string().trim().max(64).optional()),
    type: z.preprocess(blankToUndefined, z.enum(["employee", "contractor"], { errorMap: () => ({ message: "Choose employees or contractors." }) }).optional()),
  })
  .superRefine((v, ctx) => {
    const need: Partial<Record<AssignGroup, [keyof typeof v, string]>> = {
      person: ["person", "Give the person's email address."],
      department: ["department", "Choose a department."],
      team: ["manager", "Choose a manager."],
      type: ["type", "Choose employees or contractors."],
    };
    const required = need[v.group];
    if (required && !v[required[0]]) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [required[0]], message: required[1] });
  });
export type AssignForm = z.infer<typeof assignFormSchema>;

export const extensionFormSchema = z.object({
  assignment: z.string({ required_error: "Choose an assignment." }).regex(/^asg_[a-z0-9]{1,64}$/, "That is not an assignment."),
  due: dateSchema("new due"),
  reason: reasonSchema,
});
export type ExtensionForm = z.infer<typeof extensionFormSchema>;

export const exemptionFormSchema = z.object({
  assignment: z.string({ required_error: "Choose an assignment." }).regex(/^asg_[a-z0-9]{1,64}$/, "That is not an assignment."),
  reason: reasonSchema,
});
export type ExemptionForm = z.infer<typeof exemptionFormSchema>;

export const remindFormSchema = z.object({
  assignment: z
    .array(z.string().regex(/^asg_[a-z0-9]{1,64}$/, "That is not an assignment."), { required_error: "Tick at least one person to remind." })
    .min(1, "Tick at least one person to remind.")
    .max(REMIND_MAX_AT_ONCE, `Remind at most ${REMIND_MAX_AT_ONCE} at once.`),
});

/** Parses a submitted form: repeated fields (checkboxes) as arrays, one message per field. */
export function parseForm<S extends z.ZodTypeAny>(schema: S, form: URLSearchParams, arrays: string[] = []): { ok: true; data: z.infer<S> } | { ok: false; fieldErrors: FieldErrors } {
  const raw: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) raw[key] = arrays.includes(key) ? form.getAll(key) : form.get(key);
  for (const key of arrays) raw[key] ??= [];
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, fieldErrors: fieldErrorsOf(parsed.error.issues) };
}

/** End of the chosen day, UTC: "due on 31 March" means by the end of it. */
export function endOfDay(date: string): string {
  return `${date}T23:59:59.000Z`;
}

export function invalid(fieldErrors: FieldErrors, status: 400 | 409 = 400): { ok: false; status: 400 | 409; fieldErrors: FieldErrors } {
  return { ok: false, status, fieldErrors };
}

// --- extension and exemption ----------------------------------------------------------------

async function openAssignmentOf(trx: Transaction<DB>, personId: string, assignmentId: string) {
  return trx
    .selectFrom("assignments")
    .select(["id", "user_id", "course_id", "cycle", "due_at", "completed_at", "exempted_at", "cancelled_at"])
    .where("id", "=", assignmentId)
    .where("user_id", "=", personId)
    .executeTakeFirst();
}

function closedReason(a: { completed_at: string | null; exempted_at: string | null; cancelled_at: string | null }): string | null {
  if (a.cancelled_at) return "This assignment was cancelled, so it cannot be changed.";
  if (a.completed_at) return "This assignment is already completed.";
  if (a.exempted_at) return "This person is already exempt from this assignment.";
  return null;
}

/** Moves an open assignment's due date later. The new date must be after the current one. */
export async function grantExtension(
  db: Kysely<DB>,
  { viewer, personId, form }: { viewer: HrViewer; personId: string; form: ExtensionForm },
  clock: Clock,
): Promise<ActionResult<{ from: string; to: string }> | null> {
  if (viewer.is_hr !== 1) return null;
  const now = clock();
  const to = endOfDay(form.due);
  return auditedTransaction(db, async (trx) => {
    const a = await openAssignmentOf(trx, personId, form.assignment);
    if (!a) return null;
    const closed = closedReason(a);
    if (closed) return { ok: false as const, status: 409 as const, fieldErrors: {}, formError: closed };
    if (to <= a.due_at) {
      return invalid({ due: `The new due date must be later than the current one (${formatDate(a.due_at)}).` });
    }
    if (!(await extendAssignment(trx, { assignment: a, to, reason: form.reason, actorId: viewer.id }, now))) {
      return { ok: false as const, status: 409 as const, fieldErrors: {}, formError: "This assignment changed meanwhile. Reload the page and try again." };
    }
    return { ok: true as const, from: a.due_at, to };
  });
}

/** Exempts a person from one open assignment: it no longer counts as required or overdue. */
export async function exemptAssignment(
  db: Kysely<DB>,
  { viewer, personId, form }: { viewer: HrViewer; personId: string; form: ExemptionForm },
  clock: Clock,
): Promise<ActionResult<{ courseId: string; cycle: string }> | null> {
  if (viewer.is_hr !== 1) return null;
  const now = clock();
  return auditedTransaction(db, async (trx) => {
    const a = await openAssignmentOf(trx, personId, form.assignment);
    if (!a) return null;
    const closed = closedReason(a);
    if (closed) return { ok: false as const, status: 409 as const, fieldErrors: {}, formError: closed };
    if (!(await exemptFromAssignment(trx, { assignment: a, reason: form.reason, actorId: viewer.id }, now))) {
      return { ok: false as const, status: 409 as const, fieldErrors: {}, formError: "This assignment changed meanwhile. Reload the page and try again." };
    }
    return { ok: true as const, courseId: a.course_id, cycle: a.cycle };
  });
}

// --- remind now -----------------------------------------------------------------------------

export interface RemindOutcome {
  /** Reminders queued now. */
  queued: number;
  /** Already reminded by HR today: nothing more sent. */
  alreadyToday: number;
  /** Completed, exempt, cancelled or not yet due by now. */
  notOverdue: number;
  /** On leave or no longer here: not reminded. */
  notActive: number;
}

/** Sends each selected overdue assignment's person a reminder now, at most once a day per
 * assignment (the event key `hr-reminder:<assignment>:<day>` makes that hold across double
 * clicks, tabs and instances). One transaction; one audit entry per reminder queued. */
export async function remindOverdue(
  db: Kysely<DB>,
  { viewer, assignmentIds, catalog, origin }: { viewer: HrViewer; assignmentIds: string[]; catalog: Catalog; origin: string },
  clock: Clock,
): Promise<RemindOutcome | null> {
  if (viewer.is_hr !== 1) return null;
  const now = clock();
  const nowIso = now.toISOString();
  const ids = [...new Set(assignmentIds)].slice(0, REMIND_MAX_AT_ONCE);
  const outcome: RemindOutcome = { queued: 0, alreadyToday: 0, notOverdue: 0, notActive: 0 };
  await auditedTransaction(db, async (trx) => {
    const rows = await trx
      .selectFrom("assignments as a")
      .innerJoin("users as u", "u.id", "a.user_id")
      .select(["a.id", "a.user_id", "a.course_id", "a.cycle", "a.reason", "a.due_at", "a.completed_at", "a.exempted_at", "a.cancelled_at", "u.name", "u.email", "u.status"])
      .where("a.id", "in", ids.length ? ids : ["-"])
      .orderBy("a.id")
      .execute();
    outcome.notOverdue += ids.length - rows.length; // unknown ids: nothing to remind
    for (const a of rows) {
      if (a.completed_at || a.exempted_at || a.cancelled_at || a.due_at >= nowIso) {
        outcome.notOverdue++;
        continue;
      }
      if (a.status !== "active") {
        outcome.notActive++;
        continue;
      }
      const daysOverdue = Math.max(1, Math.floor((now.getTime() - Date.parse(a.due_at)) / DAY_MS));
      const mail = reminderMail("overdue", { personName: a.name, courseTitle: courseTitle(catalog, a.course_id), courseUrl: `${origin}/courses/${a.course_id}`, reason: a.reason, dueAt: a.due_at, daysOverdue });
      const added = await enqueueNotification(
        trx,
        {
          eventKey: hrReminderEventKey(a.id, now),
          kind: "overdue",
          userId: a.user_id,
          toEmail: a.email,
          assignmentId: a.id,
          why: `Reminded by HR: ${daysOverdue} day${daysOverdue === 1 ? "" : "s"} overdue`,
          ...mail,
        },
        now,
      );
      if (!added) {
        outcome.alreadyToday++;
        continue;
      }
      outcome.queued++;
      await appendAudit(
        trx,
        { actorId: viewer.id, action: "hr.reminder_sent", subjectType: "assignment", subjectId: a.id, data: { userId: a.user_id, courseId: a.course_id, cycle: a.cycle, daysOverdue } },
        now,
      );
    }
  });
  return outcome;
}

/** One sentence for the page after a reminder click. */
export function remindMessage(o: RemindOutcome): string {
  const people = (n: number) => `${n} ${n === 1 ? "person" : "people"}`;
  const parts = [o.queued > 0 ? `Reminder queued for ${people(o.queued)}.` : "No new reminders were queued."];
  if (o.alreadyToday) parts.push(`${people(o.alreadyToday)} had already been reminded today, so nothing more was sent to them.`);
  if (o.notOverdue) parts.push(`${o.notOverdue} ${o.notOverdue === 1 ? "assignment was" : "assignments were"} no longer overdue.`);
  if (o.notActive) parts.push(`${people(o.notActive)} on leave or no longer here ${o.notActive === 1 ? "was" : "were"} not reminded.`);
  return parts.join(" ");
}
