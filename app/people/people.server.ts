// People: the roster that assignments, reports and permissions hang off. This is the only module
// that writes `users`: create, update fields (manager included), password, leave, deactivate,
// reactivate and the boards opt-out, each audited in the caller's transaction.
import type { Transaction } from "kysely";
import type { DB, User, UserStatus, UserType } from "../../db/schema";
import type { Clock } from "../clock";
import { randomId } from "../ids.server";
import { appendAudit } from "../audit/audit.server";
import { invalidateUserSessions } from "../auth/session.server";
import { shiftDueDates } from "../assignments/assignments.server";

export interface PersonInput {
  email: string;
  name: string;
  startDate: string;
  type?: UserType;
  status?: UserStatus;
  isHr?: boolean;
  managerId?: string | null;
  employeeId?: string | null;
  department?: string | null;
  title?: string | null;
  endDate?: string | null;
  passwordHash?: string | null;
}

/** `extra` is added to the `person.created` entry (e.g. where the person came from). */
export async function createPerson(trx: Transaction<DB>, input: PersonInput, actorId: string | null, clock: Clock, extra: Record<string, unknown> = {}): Promise<User> {
  const now = clock();
  const person: User = {
    id: `usr_${randomId()}`,
    email: input.email.trim().toLowerCase(),
    name: input.name.trim(),
    employee_id: input.employeeId ?? null,
    department: input.department ?? null,
    title: input.title ?? null,
    manager_id: input.managerId ?? null,
    type: input.type ?? "employee",
    status: input.status ?? "active",
    is_hr: input.isHr ? 1 : 0,
    start_date: input.startDate,
    end_date: input.endDate ?? null,
    password_hash: input.passwordHash ?? null,
    password_changed_at: input.passwordHash ? now.toISOString() : null,
    leave_started_at: input.status === "leave" ? now.toISOString() : null,
    board_opt_out: 0,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  };
  await trx.insertInto("users").values(person).execute();
  await appendAudit(
    trx,
    {
      actorId,
      action: "person.created",
      subjectType: "user",
      subjectId: person.id,
      data: { email: person.email, name: person.name, type: person.type, managerId: person.manager_id, isHr: input.isHr ?? false, ...extra },
    },
    now,
  );
  return person;
}

/** A new password ends every session the person has. */
/** `data` says how it was changed (which link, who started it); never the password. */
export async function setPassword(
  trx: Transaction<DB>,
  { userId, passwordHash, actorId, data }: { userId: string; passwordHash: string; actorId: string | null; data?: Record<string, unknown> },
  clock: Clock,
) {
  const now = clock().toISOString();
  await trx.updateTable("users").set({ password_hash: passwordHash, password_changed_at: now, updated_at: now }).where("id", "=", userId).execute();
  await invalidateUserSessions(trx, userId);
  await appendAudit(trx, { actorId, action: "person.password_changed", subjectType: "user", subjectId: userId, data }, clock());
}

/** Deactivation ends every session and keeps every record. */
export async function deactivatePerson(
  trx: Transaction<DB>,
  { userId, actorId, reason, extra }: { userId: string; actorId: string | null; reason: string; extra?: Record<string, unknown> },
  clock: Clock,
) {
  const now = clock().toISOString();
  await trx.updateTable("users").set({ status: "inactive", updated_at: now }).where("id", "=", userId).execute();
  await invalidateUserSessions(trx, userId);
  await appendAudit(trx, { actorId, action: "person.deactivated", subjectType: "user", subjectId: userId, data: { reason, ...extra } }, clock());
}

/** Leave pauses a person's clocks: nothing is issued or sent while it lasts (the scheduler only
 * acts for active people), and on return every open assignment's due date moves on by the days
 * spent away. */
export async function startLeave(trx: Transaction<DB>, { userId, actorId }: { userId: string; actorId: string | null }, clock: Clock) {
  const now = clock().toISOString();
  const updated = await trx
    .updateTable("users")
    .set({ status: "leave", leave_started_at: now, updated_at: now })
    .where("id", "=", userId)
    .where("status", "=", "active")
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return false;
  await appendAudit(trx, { actorId, action: "person.leave_started", subjectType: "user", subjectId: userId }, clock());
  return true;
}

export async function endLeave(trx: Transaction<DB>, { userId, actorId }: { userId: string; actorId: string | null }, clock: Clock) {
  const now = clock();
  const person = await trx.selectFrom("users").select(["status", "leave_started_at"]).where("id", "=", userId).executeTakeFirst();
  if (!person || person.status !== "leave") return { extendedBy: 0, assignments: 0 };
  const days = person.leave_started_at ? Math.max(0, Math.ceil((now.getTime() - Date.parse(person.leave_started_at)) / 86_400_000)) : 0;
  const open = await trx
    .selectFrom("assignments")
    .select(["id", "due_at"])
    .where("user_id", "=", userId)
    .where("completed_at", "is", null)
    .where("cancelled_at", "is", null)
    .where("exempted_at", "is", null)
    .execute();
  await shiftDueDates(trx, open, days);
  await trx.updateTable("users").set({ status: "active", leave_started_at: null, updated_at: now.toISOString() }).where("id", "=", userId).execute();
  await appendAudit(
    trx,
    { actorId, action: "person.leave_ended", subjectType: "user", subjectId: userId, data: { days, assignments: open.map((a) => a.id) } },
    now,
  );
  return { extendedBy: days, assignments: open.length };
}

export interface PersonFieldUpdate {
  email?: string;
  name?: string;
  employee_id?: string | null;
  department?: string | null;
  title?: string | null;
  manager_id?: string | null;
  start_date?: string;
  end_date?: string | null;
  type?: UserType;
}

export interface AuditedChange {
  field: string;
  from: string | null;
  to: string | null;
}

/** Updates a person's fields and records `person.updated` with each change (old → new). */
export async function updatePersonFields(
  trx: Transaction<DB>,
  input: { userId: string; set: PersonFieldUpdate; changes: AuditedChange[]; actorId: string | null; extra?: Record<string, unknown> },
  clock: Clock,
) {
  if (input.changes.length === 0) return;
  const now = clock();
  await trx.updateTable("users").set({ ...input.set, updated_at: now.toISOString() }).where("id", "=", input.userId).execute();
  await appendAudit(
    trx,
    { actorId: input.actorId, action: "person.updated", subjectType: "user", subjectId: input.userId, data: { changes: input.changes, ...input.extra } },
    now,
  );
}

/** Brings a deactivated person back (active, or on leave from now). Their sessions ended when
 * they were deactivated; they sign in again with their password. */
export async function reactivatePerson(
  trx: Transaction<DB>,
  input: { userId: string; status: "active" | "leave"; actorId: string | null; extra?: Record<string, unknown> },
  clock: Clock,
) {
  const now = clock();
  const updated = await trx
    .updateTable("users")
    .set({ status: input.status, leave_started_at: input.status === "leave" ? now.toISOString() : null, updated_at: now.toISOString() })
    .where("id", "=", input.userId)
    .where("status", "=", "inactive")
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return false;
  await appendAudit(
    trx,
    {
      actorId: input.actorId,
      action: "person.updated",
      subjectType: "user",
      subjectId: input.userId,
      data: { changes: [{ field: "status", from: "inactive", to: input.status }], reactivated: true, ...input.extra },
    },
    now,
  );
  return true;
}

/** The person's choice to stay off the compliance boards (their own row only). Returns whether it
 * changed anything; audited when it did. */
export async function setBoardOptOut(trx: Transaction<DB>, { userId, optOut }: { userId: string; optOut: boolean }, now: Date): Promise<boolean> {
  const updated = await trx
    .updateTable("users")
    .set({ board_opt_out: optOut ? 1 : 0, updated_at: now.toISOString() })
    .where("id", "=", userId)
    .where("board_opt_out", "=", optOut ? 0 : 1)
    .executeTakeFirst();
  const changed = Number(updated.numUpdatedRows) > 0;
  if (changed) {
    await appendAudit(
      trx,
      { actorId: userId, action: "person.board_visibility_changed", subjectType: "user", subjectId: userId, data: { shownOnBoards: !optOut } },
      now,
    );
  }
  return changed;
}
