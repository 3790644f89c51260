// People administration by hand: HR's list of everyone (searched and paged in the database),
// adding one person, editing their details and manager, leave, deactivation and reactivation.
// Every change is audited in the transaction that makes it.
import { sql, type Kysely, type Transaction } from "kysely";
import { z } from "zod";
import { dialectOf } from "../../db/connection";
import type { DB, UserStatus, UserType } from "../../db/schema";
import type { Clock } from "../clock";
import { appendAudit, auditedTransaction } from "../audit/audit.server";
import { createPerson, deactivatePerson, endLeave, reactivatePerson, startLeave, updatePersonFields, type AuditedChange, type PersonFieldUpdate } from "../people/people.server";
import { deactivateSchema, parsePersonForm, type PersonFieldErrors, type PersonForm } from "./person-form";
import { blankToUndefined } from "../forms";

// Reading.

export const PEOPLE_PAGE_SIZE = 50;
export const PERSON_STATUSES: UserStatus[] = ["active", "leave", "inactive"];
export const PERSON_TYPE_VALUES: UserType[] = ["employee", "contractor"];


export const peopleFilterSchema = z.object({
  q: z.preprocess(blankToUndefined, z.string().trim().max(200).optional()),
  department: z.preprocess(blankToUndefined, z.string().trim().max(200).optional()),
  status: z.preprocess(blankToUndefined, z.enum(["active", "leave", "inactive"]).optional()),
  type: z.preprocess(blankToUndefined, z.enum(["employee", "contractor"]).optional()),
  page: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(1_000_000).default(1)),
});
export type PeopleFilter = z.infer<typeof peopleFilterSchema>;

/** Filters from a URL; null when a value is not acceptable (→ 400). */
export function parsePeopleFilter(params: URLSearchParams): PeopleFilter | null {
  const raw = Object.fromEntries([...params.entries()].filter(([k]) => k in peopleFilterSchema.shape));
  const parsed = peopleFilterSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** LIKE treats % and _ as wildcards; a search for "a_b" means those three characters. */
function containsPattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface PeopleRow {
  id: string;
  name: string;
  email: string;
  department: string | null;
  title: string | null;
  type: UserType;
  status: UserStatus;
  isHr: boolean;
  managerName: string | null;
  canSignIn: boolean;
  training: TrainingState;
}

/** Where a person's training stands today, for the list: the worst open state first. */
export type TrainingState = { state: "overdue"; overdue: number } | { state: "open"; open: number } | { state: "up_to_date" } | { state: "nothing" };

async function trainingStates(db: Kysely<DB>, userIds: string[], now: Date): Promise<Map<string, TrainingState>> {
  const states = new Map<string, TrainingState>();
  if (userIds.length === 0) return states;
  const at = now.toISOString();
  const rows = await db
    .selectFrom("assignments")
    .select((eb) => [
      "user_id",
      eb.fn.countAll<number>().as("all"),
      eb.fn.sum<number>(eb.case().when(eb.and([eb("completed_at", "is", null), eb("exempted_at", "is", null), eb("cancelled_at", "is", null)])).then(1).else(0).end()).as("open"),
      eb.fn
        .sum<number>(eb.case().when(eb.and([eb("completed_at", "is", null), eb("exempted_at", "is", null), eb("cancelled_at", "is", null), eb("due_at", "<", at)])).then(1).else(0).end())
        .as("overdue"),
    ])
    .where("user_id", "in", userIds)
    .groupBy("user_id")
    .execute();
  for (const r of rows) {
    const [open, overdue] = [Number(r.open), Number(r.overdue)];
    states.set(r.user_id, overdue > 0 ? { state: "overdue", overdue } : open > 0 ? { state: "open", open } : { state: "up_to_date" });
  }
  return states;
}

export interface PeoplePage {
  rows: PeopleRow[];
  total: number;
  page: number;
  pageCount: number;
}

/** One page of people, by name. Only that page is read; the count says how many match. */
export async function listPeople(db: Kysely<DB>, f: PeopleFilter, now: Date, pageSize = PEOPLE_PAGE_SIZE): Promise<PeoplePage> {
  const q = f.q?.trim() || undefined;
  const filtered = db
    .selectFrom("users as u")
    .$if(q !== undefined, (qb) =>
      // PostgreSQL's LIKE is case-sensitive, so both sides are lowered there. SQLite's LIKE
      // already ignores case (ASCII, as its lower() does), and skipping lower() on every row
      // halves a search of 100,000 people.
      // Name, email, employee ID or department: whatever HR has to hand.
      qb.where((eb) => {
        const pattern = containsPattern(q!);
        const col = (c: "name" | "email" | "employee_id" | "department") =>
          dialectOf(db) === "sqlite" ? sql<boolean>`u.${sql.ref(c)} like ${pattern} escape '\\'` : sql<boolean>`lower(u.${sql.ref(c)}) like ${pattern} escape '\\'`;
        return eb.or([col("name"), col("email"), col("employee_id"), col("department")]);
      }),
    )
    .$if(f.department !== undefined, (qb) => qb.where("u.department", "=", f.department!))
    .$if(f.status !== undefined, (qb) => qb.where("u.status", "=", f.status!))
    .$if(f.type !== undefined, (qb) => qb.where("u.type", "=", f.type!));
  const { total } = await filtered.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow();
  const count = Number(total);
  const pageCount = Math.max(1, Math.ceil(count / pageSize));
  const page = Math.min(Math.max(1, f.page), pageCount);
  const rows = await filtered
    .leftJoin("users as m", "m.id", "u.manager_id")
    .select([
      "u.id",
      "u.name",
      "u.email",
      "u.department",
      "u.title",
      "u.type",
      "u.status",
      "u.is_hr",
      "m.name as manager_name",
      sql<number>`case when u.password_hash is null then 0 else 1 end`.as("can_sign_in"),
    ])
    .orderBy(sql`lower(u.name)`)
    .orderBy("u.id")
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  const training = await trainingStates(db, rows.map((r) => r.id), now);
  return {
    rows: rows.map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      department: r.department,
      title: r.title,
      type: r.type,
      status: r.status,
      isHr: Number(r.is_hr) === 1,
      managerName: r.manager_name,
      canSignIn: Number(r.can_sign_in) === 1,
      training: training.get(r.id) ?? { state: "nothing" },
    })),
    total: count,
    page,
    pageCount,
  };
}

/** The departments people are in, for the filter. */
export async function listDepartments(db: Kysely<DB>): Promise<string[]> {
  const rows = await db.selectFrom("users").select("department").distinct().where("department", "is not", null).orderBy("department").execute();
  return rows.map((r) => r.department!).filter((d) => d !== "");
}

export interface PersonForEdit {
  id: string;
  email: string;
  name: string;
  employeeId: string | null;
  department: string | null;
  title: string | null;
  managerEmail: string | null;
  managerName: string | null;
  startDate: string;
  endDate: string | null;
  type: UserType;
  status: UserStatus;
  leaveStartedAt: string | null;
  isHr: boolean;
  canSignIn: boolean;
  /** People (not deactivated) who report to them directly. */
  reports: number;
}

export async function getPersonForEdit(db: Kysely<DB>, id: string): Promise<PersonForEdit | null> {
  const row = await db
    .selectFrom("users as u")
    .leftJoin("users as m", "m.id", "u.manager_id")
    .select([
      "u.id",
      "u.email",
      "u.name",
      "u.employee_id",
      "u.department",
      "u.title",
      "u.start_date",
      "u.end_date",
      "u.type",
      "u.status",
      "u.leave_started_at",
      "u.is_hr",
      sql<number>`case when u.password_hash is null then 0 else 1 end`.as("can_sign_in"),
      "m.email as manager_email",
      "m.name as manager_name",
    ])
    .where("u.id", "=", id)
    .executeTakeFirst();
  if (!row) return null;
  const { n } = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("manager_id", "=", id)
    .where("status", "<>", "inactive")
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    employeeId: row.employee_id,
    department: row.department,
    title: row.title,
    managerEmail: row.manager_email,
    managerName: row.manager_name,
    startDate: row.start_date,
    endDate: row.end_date,
    type: row.type,
    status: row.status,
    leaveStartedAt: row.leave_started_at,
    isHr: Number(row.is_hr) === 1,
    canSignIn: Number(row.can_sign_in) === 1,
    reports: Number(n),
  };
}

// Checks shared by adding and editing.

type ManagerCheck = { ok: true; managerId: string | null } | { ok: false; message: string };

/** The manager must exist, not be deactivated, not be the person, and not report (at any depth)
 * to the person: the same rules as an import. */
export async function checkManager(
  db: Kysely<DB>,
  input: { personId: string | null; personEmail: string; managerEmail: string | undefined },
): Promise<ManagerCheck> {
  if (!input.managerEmail) return { ok: true, managerId: null };
  const manager = await db.selectFrom("users").select(["id", "status", "manager_id", "email"]).where("email", "=", input.managerEmail).executeTakeFirst();
  if (!manager) return { ok: false, message: `Nobody has the email ${input.managerEmail}. Add the manager first, or leave it empty.` };
  if (manager.status === "inactive") return { ok: false, message: `${manager.email} is deactivated and cannot manage anyone.` };
  if (input.personId && manager.id === input.personId) return { ok: false, message: "Nobody can manage themselves." };
  if (input.personId) {
    // Walk up from the new manager: meeting the person means they would manage their own manager.
    const chain = [input.personEmail, manager.email];
    let at: string | null = manager.manager_id;
    for (let depth = 0; at && depth < 1000; depth++) {
      if (at === input.personId) {
        return { ok: false, message: `That would make a loop: ${[...chain, input.personEmail].join(" → ")}.` };
      }
      const up: { email: string; manager_id: string | null } | undefined = await db.selectFrom("users").select(["email", "manager_id"]).where("id", "=", at).executeTakeFirst();
      if (!up) break;
      chain.push(up.email);
      at = up.manager_id;
    }
  }
  return { ok: true, managerId: manager.id };
}

export type PersonFormResult = { ok: true; id: string } | { ok: false; fieldErrors: PersonFieldErrors; values: Record<string, string> };

function formValues(form: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ["email", "name", "employeeId", "department", "title", "managerEmail", "startDate", "endDate", "type"]) {
    const v = form[k];
    out[k] = typeof v === "string" ? v.slice(0, 300) : "";
  }
  return out;
}

/** HR adds one person. No password: they cannot sign in until one is set. */
export async function addPerson(db: Kysely<DB>, input: { form: Record<string, unknown>; actorId: string }, clock: Clock): Promise<PersonFormResult> {
  const parsed = parsePersonForm(input.form);
  if (!parsed.ok) return { ok: false, fieldErrors: parsed.fieldErrors, values: formValues(input.form) };
  const v = parsed.value;
  return auditedTransaction(db, async (trx): Promise<PersonFormResult> => {
    const errors = await crossChecks(trx, { personId: null, value: v });
    if (Object.keys(errors.fieldErrors).length > 0) return { ok: false, fieldErrors: errors.fieldErrors, values: formValues(input.form) };
    const person = await createPerson(
      trx,
      {
        email: v.email,
        name: v.name,
        startDate: v.startDate,
        endDate: v.endDate ?? null,
        type: v.type,
        employeeId: v.employeeId ?? null,
        department: v.department ?? null,
        title: v.title ?? null,
        managerId: errors.managerId,
      },
      input.actorId,
      clock,
    );
    return { ok: true, id: person.id };
  });
}

export async function crossChecks(db: Kysely<DB>, { personId, value }: { personId: string | null; value: PersonForm }) {
  const fieldErrors: PersonFieldErrors = {};
  const taken = await db.selectFrom("users").select("id").where("email", "=", value.email).executeTakeFirst();
  if (taken && taken.id !== personId) fieldErrors.email = `Someone already has the email ${value.email}.`;
  const manager = await checkManager(db, { personId, personEmail: value.email, managerEmail: value.managerEmail });
  if (!manager.ok) fieldErrors.managerEmail = manager.message;
  return { fieldErrors, managerId: manager.ok ? manager.managerId : null };
}

/** HR edits a person's details; `person.updated` lists what changed. */
export async function editPerson(
  db: Kysely<DB>,
  input: { id: string; form: Record<string, unknown>; actorId: string },
  clock: Clock,
): Promise<{ ok: true; changed: number } | { ok: false; fieldErrors: PersonFieldErrors; values: Record<string, string> } | null> {
  const parsed = parsePersonForm(input.form);
  if (!parsed.ok) return { ok: false, fieldErrors: parsed.fieldErrors, values: formValues(input.form) };
  return auditedTransaction(db, async (trx) => {
    const result = await applyPersonEdit(trx, { id: input.id, value: parsed.value, actorId: input.actorId, extra: { source: "hr" } }, clock);
    if (result && !result.ok) return { ...result, values: formValues(input.form) };
    return result;
  });
}

export type PersonEditResult = { ok: true; changed: number } | { ok: false; fieldErrors: PersonFieldErrors } | null;

/** The checks and the audited update behind every edit of a person's details (HR's form, SCIM):
 * the email must be free, the manager must pass `checkManager`, and `person.updated` lists each
 * change, with `extra` saying where it came from. Null when there is no such person. */
export async function applyPersonEdit(
  trx: Transaction<DB>,
  input: { id: string; value: PersonForm; actorId: string | null; extra: Record<string, unknown> },
  clock: Clock,
): Promise<PersonEditResult> {
  const v = input.value;
  const before = await trx.selectFrom("users as u").leftJoin("users as m", "m.id", "u.manager_id")
    .select(["u.id", "u.email", "u.name", "u.employee_id", "u.department", "u.title", "u.manager_id", "u.start_date", "u.end_date", "u.type", "m.email as manager_email"])
    .where("u.id", "=", input.id)
    .executeTakeFirst();
  if (!before) return null;
  const checks = await crossChecks(trx, { personId: input.id, value: v });
  if (Object.keys(checks.fieldErrors).length > 0) return { ok: false as const, fieldErrors: checks.fieldErrors };
  const set: PersonFieldUpdate = {};
  const changes: AuditedChange[] = [];
  const diff = <K extends keyof PersonFieldUpdate>(field: string, column: K, from: string | null, to: string | null) => {
    if ((from ?? null) === (to ?? null)) return;
    changes.push({ field, from, to });
    (set as Record<string, unknown>)[column] = to;
  };
  diff("email", "email", before.email, v.email);
  diff("name", "name", before.name, v.name);
  diff("employee_id", "employee_id", before.employee_id, v.employeeId ?? null);
  diff("department", "department", before.department, v.department ?? null);
  diff("title", "title", before.title, v.title ?? null);
  diff("start_date", "start_date", before.start_date, v.startDate);
  diff("end_date", "end_date", before.end_date, v.endDate ?? null);
  diff("type", "type", before.type, v.type);
  if ((before.manager_id ?? null) !== checks.managerId) {
    changes.push({ field: "manager_email", from: before.manager_email ?? null, to: v.managerEmail ?? null });
    set.manager_id = checks.managerId;
  }
  await updatePersonFields(trx, { userId: input.id, set, changes, actorId: input.actorId, extra: input.extra }, clock);
  return { ok: true as const, changed: changes.length };
}

/** Up to six people (not deactivated) who report to the person: while there are any, the person
 * cannot be deactivated (the same rule as an import's "a manager who would be deactivated"). */
export async function reportsBlockingDeactivation(db: Kysely<DB>, personId: string): Promise<string[]> {
  const reports = await db.selectFrom("users").select("email").where("manager_id", "=", personId).where("status", "<>", "inactive").orderBy("email").limit(6).execute();
  return reports.map((r) => r.email);
}

export type StatusResult = { ok: true; message: string } | { ok: false; status: 400 | 409; message: string; field?: "reason" } | null;

/** Leave, return, deactivation (with a reason) and reactivation from the edit page. */
export async function changeStatus(
  db: Kysely<DB>,
  input: { id: string; intent: "leave" | "return" | "deactivate" | "reactivate"; reason?: unknown; actorId: string },
  clock: Clock,
): Promise<StatusResult> {
  return auditedTransaction(db, async (trx): Promise<StatusResult> => {
    const person = await trx.selectFrom("users").select(["id", "name", "status"]).where("id", "=", input.id).executeTakeFirst();
    if (!person) return null;
    switch (input.intent) {
      case "leave":
        if (person.status !== "active") return { ok: false, status: 409, message: `${person.name} is not active, so cannot be put on leave.` };
        await startLeave(trx, { userId: person.id, actorId: input.actorId }, clock);
        return { ok: true, message: `${person.name} is on leave. Nothing is issued or sent to them until they return.` };
      case "return": {
        if (person.status !== "leave") return { ok: false, status: 409, message: `${person.name} is not on leave.` };
        const r = await endLeave(trx, { userId: person.id, actorId: input.actorId }, clock);
        return {
          ok: true,
          message: `${person.name} is back from leave.${r.assignments > 0 ? ` ${r.assignments} open assignment${r.assignments === 1 ? "" : "s"} moved on by ${r.extendedBy} day${r.extendedBy === 1 ? "" : "s"}.` : ""}`,
        };
      }
      case "deactivate": {
        const parsed = deactivateSchema.safeParse({ reason: input.reason });
        if (!parsed.success) return { ok: false, status: 400, message: parsed.error.issues[0].message, field: "reason" };
        if (person.status === "inactive") return { ok: false, status: 409, message: `${person.name} is already deactivated.` };
        if (person.id === input.actorId) return { ok: false, status: 409, message: "You cannot deactivate yourself." };
        const reports = await reportsBlockingDeactivation(trx, person.id);
        if (reports.length > 0) {
          const list = reports.slice(0, 5).join(", ") + (reports.length > 5 ? " and others" : "");
          return { ok: false, status: 409, message: `${person.name} still manages ${list}. Give them another manager first.` };
        }
        await deactivatePerson(trx, { userId: person.id, actorId: input.actorId, reason: parsed.data.reason }, clock);
        return { ok: true, message: `${person.name} is deactivated: signed out everywhere, and every record is kept.` };
      }
      case "reactivate":
        if (person.status !== "inactive") return { ok: false, status: 409, message: `${person.name} is not deactivated.` };
        await reactivatePerson(trx, { userId: person.id, status: "active", actorId: input.actorId, extra: { source: "hr" } }, clock);
        return { ok: true, message: `${person.name} is active again.` };
    }
  });
}
