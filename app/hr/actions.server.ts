// HR's manual actions: assign a course to a person or a group, grant an extension, exempt
// someone from an assignment, remind overdue people now. Each needs a reason (5–500 characters)
// or a selection, is checked by a zod schema before anything is read or written, runs in one
// transaction with its audit entry (and its emails, queued in the outbox), and takes the clock as
// an argument. Every function checks that the viewer is HR and returns null otherwise (→ 404).
import type { Kysely, Transaction } from "kysely";
import { z } from "zod";
import type { DB, UserType } from "../../db/schema";
import type { Clock } from "../clock";
import type { Catalog } from "../courses/catalog.server";
import { courseTitle } from "../courses/titles.server";
import { appendAudit } from "../audit/audit.server";
import { exemptFromAssignment, extendAssignment, issueAssignment } from "../assignments/assignments.server";
import { enqueueNotification } from "../notifications/outbox.server";
import { assignedMail, reminderMail } from "../notifications/templates.server";
import { formatDate } from "../components/format";
import { teamIds } from "../people/org.server";
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

function invalid(fieldErrors: FieldErrors, status: 400 | 409 = 400): { ok: false; status: 400 | 409; fieldErrors: FieldErrors } {
  return { ok: false, status, fieldErrors };
}

// --- assign ---------------------------------------------------------------------------------

export interface AssignOutcome {
  courseId: string;
  courseTitle: string;
  cycle: string;
  dueAt: string;
  group: string;
  people: number;
  assigned: number;
  alreadyHad: number;
}

/** The people a group means: active people (one named person may also be on leave). */
function groupQuery(db: Kysely<DB>, f: AssignForm) {
  let q = db.selectFrom("users as u").select(["u.id", "u.name", "u.email"]);
  switch (f.group) {
    case "person": {
      const who = f.person!.trim();
      q = q.where((eb) => eb.or([eb("u.email", "=", who.toLowerCase()), eb("u.id", "=", who)])).where("u.status", "<>", "inactive");
      break;
    }
    case "department":
      q = q.where("u.department", "=", f.department!).where("u.status", "=", "active");
      break;
    case "team":
      q = q.where("u.id", "in", teamIds(db, f.manager!)).where("u.status", "=", "active");
      break;
    case "type":
      q = q.where("u.type", "=", f.type as UserType).where("u.status", "=", "active");
      break;
    case "everyone":
      q = q.where("u.status", "=", "active");
      break;
  }
  return q;
}

async function describeGroup(db: Kysely<DB>, f: AssignForm): Promise<string> {
  switch (f.group) {
    case "person":
      return f.person!;
    case "department":
      return `everyone active in ${f.department}`;
    case "team": {
      const m = await db.selectFrom("users").select("name").where("id", "=", f.manager!).executeTakeFirst();
      return `everyone active in ${m?.name ?? "that manager"}'s team`;
    }
    case "type":
      return f.type === "contractor" ? "every active contractor" : "every active employee";
    case "everyone":
      return "everyone active";
  }
}

const GROUP_FIELD: Record<AssignGroup, string> = { person: "person", department: "department", team: "manager", type: "type", everyone: "group" };
const NOBODY: Record<AssignGroup, string> = {
  person: "There is no current person with that email address.",
  department: "Nobody active works in that department.",
  team: "That manager has nobody active in their team.",
  type: "There is nobody active of that type.",
  everyone: "There is nobody active to assign it to.",
};

/** Assigns a course to a person or a group, once per person, course and cycle: people who
 * already have it for this cycle are counted, not changed. Newly assigned people get the
 * "assigned" email. A group is handled ASSIGN_BATCH people per transaction (each person's
 * assignment, audit entry and email together); the summary entry goes with the last batch. */
export async function assignCourse(
  db: Kysely<DB>,
  { viewer, catalog, origin, form }: { viewer: HrViewer; catalog: Catalog; origin: string; form: AssignForm },
  clock: Clock,
): Promise<ActionResult<{ outcome: AssignOutcome }> | null> {
  if (viewer.is_hr !== 1) return null;
  const now = clock();
  const course = catalog.courses.get(form.course);
  if (!course) return invalid({ course: "There is no course with that name." });
  const dueAt = endOfDay(form.due);
  if (dueAt <= now.toISOString()) return invalid({ due: "The due date must be after today." });
  if (form.group === "team" && !(await db.selectFrom("users").select("id").where("id", "=", form.manager!).executeTakeFirst())) {
    return invalid({ manager: "There is no such manager." });
  }
  const countRow = await groupQuery(db, form)
    .clearSelect()
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirst();
  const people = Number(countRow?.n ?? 0);
  if (people === 0) return invalid({ [GROUP_FIELD[form.group]]: NOBODY[form.group] });
  const group = await describeGroup(db, form);

  let assigned = 0;
  let alreadyHad = 0;
  let seen = 0;
  let after = "";
  for (;;) {
    const batch = await groupQuery(db, form).where("u.id", ">", after).orderBy("u.id").limit(ASSIGN_BATCH).execute();
    if (batch.length === 0) break;
    after = batch[batch.length - 1].id;
    seen += batch.length;
    const last = batch.length < ASSIGN_BATCH || seen >= people;
    await db.transaction().execute(async (trx) => {
      for (const p of batch) {
        const issued = await issueAssignment(trx, { userId: p.id, course, cycle: form.cycle, reason: "manual", actorId: viewer.id, dueAt, note: form.reason }, clock);
        if (!issued.created) {
          alreadyHad++;
          continue;
        }
        assigned++;
        const mail = assignedMail({ personName: p.name, courseTitle: course.meta.title, courseUrl: `${origin}/courses/${course.id}`, reason: "manual", dueAt });
        await enqueueNotification(
          trx,
          { eventKey: `assigned:${issued.id}`, kind: "assigned", userId: p.id, toEmail: p.email, assignmentId: issued.id, why: "Assigned by HR (manual)", ...mail },
          now,
        );
      }
      if (last) {
        await appendAudit(
          trx,
          {
            actorId: viewer.id,
            action: "hr.course_assigned",
            subjectType: "course",
            subjectId: course.id,
            data: { courseId: course.id, cycle: form.cycle, dueAt, reason: form.reason, group: { kind: form.group, value: groupValue(form), description: group }, people: seen, assigned, alreadyHad },
          },
          now,
        );
      }
    });
    if (last) break;
  }
  return { ok: true, outcome: { courseId: course.id, courseTitle: course.meta.title, cycle: form.cycle, dueAt, group, people: seen, assigned, alreadyHad } };
}

function groupValue(f: AssignForm): string | null {
  return f.group === "person" ? f.person! : f.group === "department" ? f.department! : f.group === "team" ? f.manager! : f.group === "type" ? f.type! : null;
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
  return db.transaction().execute(async (trx) => {
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
  return db.transaction().execute(async (trx) => {
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
  await db.transaction().execute(async (trx) => {
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
