// SCIM 2.0 Users: an identity provider keeps the people list in step. Every change goes through
// the people module's writer with the same checks as HR's form and the roster import (a valid
// email, a free email, a manager who exists, is not deactivated and makes no loop; nobody who
// still manages people is deactivated) and the same audit entries, marked `source: "scim"` with
// the token that made them. A refused change changes nothing. Deactivating (active=false, or
// DELETE) ends the person's sessions and keeps every record.
import type { Kysely, Transaction } from "kysely";
import type { DB, UserType } from "../../db/schema";
import type { Clock } from "../clock";
import { auditedTransaction } from "../audit/audit.server";
import { createPerson, deactivatePerson, reactivatePerson } from "../people/people.server";
import { applyPersonEdit, crossChecks, reportsBlockingDeactivation } from "./people-admin.server";
import { parsePersonForm, type PersonFieldErrors } from "./person-form";
import { applyPatch, CORE_USER, ENTERPRISE_USER, LIST_RESPONSE, readUserResource, type Parsed, type ScimFailure, type ScimFields } from "./scim-protocol";

export const SCIM_DEACTIVATION_REASON = "Deactivated by the identity provider (SCIM).";

const USER_COLUMNS = [
  "u.id", "u.email", "u.name", "u.title", "u.type", "u.status", "u.employee_id", "u.department", "u.manager_id", "u.created_at", "u.updated_at", "m.name as manager_name",
] as const;

type UserRow = {
  id: string; email: string; name: string; title: string | null; type: UserType; status: string; employee_id: string | null;
  department: string | null; manager_id: string | null; created_at: string; updated_at: string; manager_name: string | null;
};

/** A person as a SCIM User resource. */
export function scimUser(row: UserRow, baseUrl: string) {
  const enterprise: Record<string, unknown> = {};
  if (row.employee_id) enterprise.employeeNumber = row.employee_id;
  if (row.department) enterprise.department = row.department;
  if (row.manager_id) enterprise.manager = { value: row.manager_id, $ref: `${baseUrl}/Users/${row.manager_id}`, displayName: row.manager_name ?? undefined };
  const { given, family } = (() => {
    const i = row.name.indexOf(" ");
    return i < 0 ? { given: row.name, family: undefined } : { given: row.name.slice(0, i), family: row.name.slice(i + 1) };
  })();
  return {
    schemas: [CORE_USER, ENTERPRISE_USER],
    id: row.id,
    userName: row.email,
    name: { formatted: row.name, givenName: given, familyName: family },
    displayName: row.name,
    emails: [{ value: row.email, type: "work", primary: true }],
    ...(row.title ? { title: row.title } : {}),
    userType: row.type === "contractor" ? "Contractor" : "Employee",
    active: row.status !== "inactive",
    [ENTERPRISE_USER]: enterprise,
    meta: { resourceType: "User", created: row.created_at, lastModified: row.updated_at, location: `${baseUrl}/Users/${row.id}` },
  };
}

export type ScimUser = ReturnType<typeof scimUser>;

function selectUsers(db: Kysely<DB>) {
  return db.selectFrom("users as u").leftJoin("users as m", "m.id", "u.manager_id").select([...USER_COLUMNS]);
}

export async function getScimUser(db: Kysely<DB>, { id, baseUrl }: { id: string; baseUrl: string }): Promise<ScimUser | null> {
  const row = await selectUsers(db).where("u.id", "=", id).executeTakeFirst();
  return row ? scimUser(row, baseUrl) : null;
}

/** One page of people, oldest first, or the one whose email is `userName`. */
export async function listScimUsers(
  db: Kysely<DB>,
  { filter, startIndex, count, baseUrl }: { filter: { userName: string } | null; startIndex: number; count: number; baseUrl: string },
) {
  const base = db.selectFrom("users as u").$if(filter !== null, (qb) => qb.where("u.email", "=", filter!.userName.trim().toLowerCase()));
  const { total } = await base.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow();
  const rows =
    count === 0
      ? []
      : await base
          .leftJoin("users as m", "m.id", "u.manager_id")
          .select([...USER_COLUMNS])
          .orderBy("u.created_at")
          .orderBy("u.id")
          .limit(count)
          .offset(startIndex - 1)
          .execute();
  return { schemas: [LIST_RESPONSE], totalResults: Number(total), startIndex, itemsPerPage: rows.length, Resources: rows.map((r) => scimUser(r, baseUrl)) };
}

/** Thrown inside a write to roll back everything it did. */
class Refused extends Error {
  constructor(readonly failure: ScimFailure) {
    super(failure.detail);
  }
}

const refuse = (failure: ScimFailure): never => {
  throw new Refused(failure);
};

function fieldFailure(errors: PersonFieldErrors): ScimFailure {
  if (errors.email?.startsWith("Someone already has")) return { status: 409, scimType: "uniqueness", detail: errors.email };
  return { status: 400, scimType: "invalidValue", detail: Object.values(errors).join(" ") };
}

function typeFrom(userType: string | null, current: UserType | undefined): UserType {
  const t = userType?.toLowerCase();
  if (t === "contractor") return "contractor";
  if (t === "employee") return "employee";
  return current ?? "employee";
}

/** Creates or updates the person from SCIM fields, in the caller's transaction; refusals throw. */
async function savePerson(trx: Transaction<DB>, input: { personId: string | null; fields: ScimFields; tokenId: string }, clock: Clock): Promise<string> {
  const { fields } = input;
  const extra = { source: "scim", token: input.tokenId };
  let managerEmail: string | undefined;
  if (fields.managerId) {
    const manager = await trx.selectFrom("users").select("email").where("id", "=", fields.managerId).executeTakeFirst();
    if (!manager) refuse({ status: 400, scimType: "invalidValue", detail: `No person has the id ${fields.managerId}, so they cannot be the manager.` });
    managerEmail = manager!.email;
  }
  const existing = input.personId
    ? await trx.selectFrom("users").select(["id", "name", "start_date", "end_date", "type", "status"]).where("id", "=", input.personId).executeTakeFirst()
    : undefined;
  if (input.personId && !existing) refuse({ status: 404, detail: `No user has the id ${input.personId}.` });
  const form = parsePersonForm({
    email: fields.userName,
    name: fields.name,
    employeeId: fields.employeeNumber ?? undefined,
    department: fields.department ?? undefined,
    title: fields.title ?? undefined,
    managerEmail,
    startDate: existing?.start_date ?? clock().toISOString().slice(0, 10),
    endDate: existing?.end_date ?? undefined,
    type: typeFrom(fields.userType, existing?.type),
  });
  if (!form.ok) refuse(fieldFailure(form.fieldErrors));
  const value = form.ok ? form.value : refuse(fieldFailure({}));
  if (!existing) {
    const checks = await crossChecks(trx, { personId: null, value });
    if (Object.keys(checks.fieldErrors).length > 0) refuse(fieldFailure(checks.fieldErrors));
    const person = await createPerson(
      trx,
      { email: value.email, name: value.name, startDate: value.startDate, type: value.type, status: fields.active ? "active" : "inactive",
        employeeId: value.employeeId ?? null, department: value.department ?? null, title: value.title ?? null, managerId: checks.managerId },
      null,
      clock,
      extra,
    );
    return person.id;
  }
  const edited = await applyPersonEdit(trx, { id: existing.id, value, actorId: null, extra }, clock);
  if (edited && !edited.ok) refuse(fieldFailure(edited.fieldErrors));
  if (!fields.active && existing.status !== "inactive") {
    const reports = await reportsBlockingDeactivation(trx, existing.id);
    if (reports.length > 0) {
      refuse({ status: 400, scimType: "invalidValue", detail: `${existing.name} still manages ${reports.slice(0, 5).join(", ")}${reports.length > 5 ? " and others" : ""}. Give them another manager first.` });
    }
    await deactivatePerson(trx, { userId: existing.id, actorId: null, reason: SCIM_DEACTIVATION_REASON, extra }, clock);
  } else if (fields.active && existing.status === "inactive") {
    await reactivatePerson(trx, { userId: existing.id, status: "active", actorId: null, extra }, clock);
  }
  return existing.id;
}

/** Runs a SCIM write in one audited transaction: the resource after it, or the refusal (and then
 * nothing was changed). */
async function write(
  db: Kysely<DB>,
  baseUrl: string,
  fn: (trx: Transaction<DB>) => Promise<string>,
): Promise<Parsed<ScimUser>> {
  try {
    const id = await auditedTransaction(db, fn);
    const user = await getScimUser(db, { id, baseUrl });
    return user ? { ok: true, value: user } : { ok: false, status: 404, detail: "That user no longer exists." };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, ...err.failure };
    throw err;
  }
}

export function createScimUser(db: Kysely<DB>, input: { body: unknown; tokenId: string; baseUrl: string }, clock: Clock): Promise<Parsed<ScimUser>> {
  const read = readUserResource(input.body);
  if (!read.ok) return Promise.resolve(read);
  return write(db, input.baseUrl, (trx) => savePerson(trx, { personId: null, fields: read.value, tokenId: input.tokenId }, clock));
}

export function replaceScimUser(db: Kysely<DB>, input: { id: string; body: unknown; tokenId: string; baseUrl: string }, clock: Clock): Promise<Parsed<ScimUser>> {
  const read = readUserResource(input.body);
  if (!read.ok) return Promise.resolve(read);
  return write(db, input.baseUrl, (trx) => savePerson(trx, { personId: input.id, fields: read.value, tokenId: input.tokenId }, clock));
}

/** The person's current fields, as a PATCH starts from them. */
async function currentFields(trx: Transaction<DB>, id: string): Promise<ScimFields> {
  const row = await trx.selectFrom("users").select(["email", "name", "title", "type", "status", "employee_id", "department", "manager_id"]).where("id", "=", id).executeTakeFirst();
  if (!row) return refuse({ status: 404, detail: `No user has the id ${id}.` });
  return {
    userName: row.email, name: row.name, title: row.title, userType: row.type, active: row.status !== "inactive",
    employeeNumber: row.employee_id, department: row.department, managerId: row.manager_id,
  };
}

export function patchScimUser(db: Kysely<DB>, input: { id: string; body: unknown; tokenId: string; baseUrl: string }, clock: Clock): Promise<Parsed<ScimUser>> {
  return write(db, input.baseUrl, async (trx) => {
    const patched = applyPatch(await currentFields(trx, input.id), input.body);
    if (!patched.ok) refuse(patched);
    return savePerson(trx, { personId: input.id, fields: (patched as { value: ScimFields }).value, tokenId: input.tokenId }, clock);
  });
}

/** DELETE deactivates: the person and every record stay. */
export async function deleteScimUser(db: Kysely<DB>, input: { id: string; tokenId: string; baseUrl: string }, clock: Clock): Promise<Parsed<true>> {
  const done = await write(db, input.baseUrl, async (trx) => savePerson(trx, { personId: input.id, fields: { ...(await currentFields(trx, input.id)), active: false }, tokenId: input.tokenId }, clock));
  return done.ok ? { ok: true, value: true } : done;
}
