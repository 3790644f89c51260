// Roster imports: a file is stored, previewed against the current database, and applied in one
// transaction after HR confirms (or at once from the command line). Applying re-reads the people
// and re-checks the file inside that transaction, so it applies exactly what the file says to the
// database as it is at that moment — or nothing.
import type { Kysely, Transaction } from "kysely";
import type { DB } from "../../db/schema";
import type { Clock } from "../clock";
import { randomId } from "../ids.server";
import { sha256Hex } from "../hash.server";
import { appendAudit, auditedTransaction } from "../audit/audit.server";
import { createPerson, deactivatePerson, endLeave, reactivatePerson, startLeave, updatePersonFields, type PersonFieldUpdate } from "../people/people.server";
import { parseRoster } from "./csv.server";
import { planCounts, planRoster, type ExistingPerson, type FieldChange, type PlanCounts, type PlannedAdd, type RosterPlan } from "./plan.server";

export const MAX_ROSTER_BYTES = 5 * 1024 * 1024;

export type FileCheck = { ok: true; text: string; sha256: string } | { ok: false; status: 400 | 413; message: string };

/** A roster file's bytes as text. UTF-8 only (with or without a byte-order mark): anything else
 * would silently garble names, so it is refused with a way to fix it. */
export function readRosterBytes(bytes: Uint8Array): FileCheck {
  if (bytes.byteLength === 0) return { ok: false, status: 400, message: "That file is empty." };
  if (bytes.byteLength > MAX_ROSTER_BYTES) return { ok: false, status: 413, message: "That file is larger than 5 MB." };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, status: 400, message: "That file is UTF-16 text. Save it as “CSV UTF-8 (comma delimited)” and upload it again." };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, status: 400, message: "That file is not UTF-8 text. Save it as “CSV UTF-8 (comma delimited)” and upload it again." };
  }
  if (text.includes("\u0000")) return { ok: false, status: 400, message: "That file is not a CSV text file (it contains binary data)." };
  return { ok: true, text, sha256: sha256Hex(bytes) };
}

/** Everyone, with the fields an import compares. A roster is the whole organisation, so the
 * reconciliation needs the whole organisation (a few columns each). */
export async function loadExistingPeople(db: Kysely<DB>): Promise<ExistingPerson[]> {
  return db
    .selectFrom("users")
    .select(["id", "email", "name", "employee_id", "department", "title", "manager_id", "type", "status", "start_date", "end_date", "is_hr"])
    .execute();
}

export interface PreviewOptions {
  deactivateMissing: boolean;
  actorId: string | null;
}

function today(clock: Clock) {
  return clock().toISOString().slice(0, 10);
}

export async function planFromText(db: Kysely<DB>, text: string, opts: PreviewOptions, clock: Clock) {
  const existing = await loadExistingPeople(db);
  const plan = planRoster(parseRoster(text), existing, { ...opts, today: today(clock) });
  return { plan, existing };
}

export interface ImportSummary {
  importId: string;
  fileName: string;
  sha256: string;
  appliedAt: string;
  rows: number;
  deactivateMissing: boolean;
  counts: PlanCounts;
  added: Array<{ email: string; name: string }>;
  changed: Array<{ email: string; name: string; changes: FieldChange[] }>;
  leave: Array<{ email: string; name: string }>;
  returned: Array<{ email: string; name: string }>;
  reactivated: Array<{ email: string; name: string }>;
  deactivated: Array<{ email: string; name: string; missing: boolean }>;
  /** Not in the file and left as they were. */
  keptMissing: number;
}

/** New people whose manager is also new come after that manager, so every person is created
 * with their manager in one step (the file has no loops: the plan checked). */
function managersFirst(adds: PlannedAdd[]): PlannedAdd[] {
  const byEmail = new Map(adds.map((a) => [a.email, a]));
  const placed = new Set<string>();
  const out: PlannedAdd[] = [];
  const place = (a: PlannedAdd, depth = 0) => {
    if (placed.has(a.email) || depth > adds.length) return;
    const m = a.managerEmail ? byEmail.get(a.managerEmail) : undefined;
    if (m) place(m, depth + 1);
    placed.add(a.email);
    out.push(a);
  };
  for (const a of adds) place(a);
  return out;
}

const FIELD_COLUMN: Record<Exclude<FieldChange["field"], "manager_email">, keyof PersonFieldUpdate> = {
  name: "name",
  employee_id: "employee_id",
  department: "department",
  title: "title",
  start_date: "start_date",
  end_date: "end_date",
  type: "type",
};

/** Applies a checked plan inside the caller's transaction. */
export async function applyPlan(
  trx: Transaction<DB>,
  plan: RosterPlan,
  existing: ExistingPerson[],
  ctx: { importId: string; fileName: string; sha256: string; actorId: string | null },
  clock: Clock,
): Promise<ImportSummary> {
  if (plan.problems.length > 0) throw new Error("A roster with problems cannot be applied.");
  const source = { source: "roster_import", importId: ctx.importId };
  const idByEmail = new Map(existing.map((p) => [p.email.toLowerCase(), p.id]));
  const managerId = (email: string | null) => {
    if (!email) return null;
    const id = idByEmail.get(email);
    if (!id) throw new Error(`Manager ${email} was not resolved.`);
    return id;
  };

  for (const a of managersFirst(plan.add)) {
    const person = await createPerson(
      trx,
      {
        email: a.email,
        name: a.name,
        startDate: a.startDate,
        endDate: a.endDate,
        type: a.type,
        status: a.status,
        employeeId: a.employeeId,
        department: a.department,
        title: a.title,
        managerId: managerId(a.managerEmail),
      },
      ctx.actorId,
      clock,
    );
    idByEmail.set(a.email, person.id);
  }

  for (const c of plan.change) {
    const set: PersonFieldUpdate = {};
    for (const ch of c.changes) {
      if (ch.field === "manager_email") set.manager_id = managerId(ch.to);
      else (set as Record<string, string | null>)[FIELD_COLUMN[ch.field]] = ch.to;
    }
    await updatePersonFields(trx, { userId: c.id, set, changes: c.changes, actorId: ctx.actorId, extra: source }, clock);
  }

  for (const s of plan.reactivate) await reactivatePerson(trx, { userId: s.id, status: s.to === "leave" ? "leave" : "active", actorId: ctx.actorId, extra: source }, clock);
  for (const s of plan.leave) await startLeave(trx, { userId: s.id, actorId: ctx.actorId }, clock);
  for (const s of plan.returnFromLeave) await endLeave(trx, { userId: s.id, actorId: ctx.actorId }, clock);
  for (const s of plan.deactivate) {
    const reason = s.missing
      ? `Not in roster ${ctx.fileName}; people missing from it were deactivated`
      : `Status inactive in roster ${ctx.fileName} (line ${s.line})`;
    await deactivatePerson(trx, { userId: s.id, actorId: ctx.actorId, reason }, clock);
  }

  const counts = planCounts(plan);
  const appliedAt = clock().toISOString();
  await appendAudit(
    trx,
    {
      actorId: ctx.actorId,
      action: "roster.imported",
      subjectType: "roster_import",
      subjectId: ctx.importId,
      data: { fileName: ctx.fileName, sha256: ctx.sha256, rows: plan.rows, deactivateMissing: plan.deactivateMissing, counts },
    },
    clock(),
  );
  const ref = (p: { email: string; name: string }) => ({ email: p.email, name: p.name });
  return {
    importId: ctx.importId,
    fileName: ctx.fileName,
    sha256: ctx.sha256,
    appliedAt,
    rows: plan.rows,
    deactivateMissing: plan.deactivateMissing,
    counts,
    added: plan.add.map(ref),
    changed: plan.change.map((c) => ({ ...ref(c), changes: c.changes })),
    leave: plan.leave.map(ref),
    returned: plan.returnFromLeave.map(ref),
    reactivated: plan.reactivate.map(ref),
    deactivated: plan.deactivate.map((d) => ({ ...ref(d), missing: Boolean(d.missing) })),
    keptMissing: plan.deactivateMissing ? 0 : plan.missing.length,
  };
}

// Stored imports.

export interface StoredImport {
  id: string;
  fileName: string;
  sha256: string;
  createdAt: string;
  appliedAt: string | null;
  uploadedBy: string | null;
  uploaderName: string | null;
}

/** Keeps an uploaded file for preview (not applied yet). */
export async function storeImport(
  db: Kysely<DB>,
  input: { fileName: string; text: string; sha256: string; uploadedBy: string | null },
  clock: Clock,
): Promise<string> {
  const id = `imp_${randomId()}`;
  await db
    .insertInto("roster_imports")
    .values({
      id,
      uploaded_by: input.uploadedBy,
      file_name: cleanFileName(input.fileName),
      csv_text: input.text,
      sha256: input.sha256,
      created_at: clock().toISOString(),
      applied_at: null,
      summary_json: null,
    })
    .execute();
  return id;
}

/** The name as the browser sent it, without any folders, printable, at most 200 characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const printable = base.replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, 200);
  return printable || "roster.csv";
}

export async function getImport(db: Kysely<DB>, id: string) {
  const row = await db
    .selectFrom("roster_imports as r")
    .leftJoin("users as u", "u.id", "r.uploaded_by")
    .select(["r.id", "r.file_name", "r.csv_text", "r.sha256", "r.created_at", "r.applied_at", "r.summary_json", "r.uploaded_by", "u.name as uploader_name"])
    .where("r.id", "=", id)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    fileName: row.file_name,
    text: row.csv_text,
    sha256: row.sha256,
    createdAt: row.created_at,
    appliedAt: row.applied_at,
    uploadedBy: row.uploaded_by,
    uploaderName: row.uploader_name,
    summary: row.summary_json ? (JSON.parse(row.summary_json) as ImportSummary) : null,
  };
}

/** The most recent imports, newest first, without their files. */
export async function listImports(db: Kysely<DB>, { limit = 50 }: { limit?: number } = {}): Promise<StoredImport[]> {
  const rows = await db
    .selectFrom("roster_imports as r")
    .leftJoin("users as u", "u.id", "r.uploaded_by")
    .select(["r.id", "r.file_name", "r.sha256", "r.created_at", "r.applied_at", "r.uploaded_by", "u.name as uploader_name"])
    .orderBy("r.created_at", "desc")
    .orderBy("r.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    fileName: r.file_name,
    sha256: r.sha256,
    createdAt: r.created_at,
    appliedAt: r.applied_at,
    uploadedBy: r.uploaded_by,
    uploaderName: r.uploader_name,
  }));
}

export type ConfirmResult =
  | { status: "applied"; summary: ImportSummary }
  | { status: "already_applied"; summary: ImportSummary | null }
  | { status: "invalid"; plan: RosterPlan }
  | { status: "stale"; plan: RosterPlan }
  | { status: "not_found" };

class Rollback extends Error {
  constructor(readonly result: ConfirmResult) {
    super("rolled back");
  }
}

/** Applies a stored import: claims it, re-checks the file against the people as they are now and
 * applies it, all in one transaction. `expectedDigest` is the preview HR confirmed: if the
 * database changed since, nothing is applied and the new preview is returned. Confirming twice
 * applies once. */
export async function confirmImport(
  db: Kysely<DB>,
  input: { importId: string; actorId: string | null; deactivateMissing: boolean; expectedDigest?: string },
  clock: Clock,
): Promise<ConfirmResult> {
  try {
    return await auditedTransaction(db, async (trx) => {
      const now = clock().toISOString();
      // The claim comes first: on PostgreSQL a second confirmation waits on this row, then finds
      // it applied; SQLite transactions here take the write lock when they begin.
      const claimed = await trx
        .updateTable("roster_imports")
        .set({ applied_at: now })
        .where("id", "=", input.importId)
        .where("applied_at", "is", null)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) {
        const row = await trx.selectFrom("roster_imports").select(["summary_json"]).where("id", "=", input.importId).executeTakeFirst();
        if (!row) return { status: "not_found" } as const;
        return { status: "already_applied", summary: row.summary_json ? (JSON.parse(row.summary_json) as ImportSummary) : null } as const;
      }
      const imp = await trx.selectFrom("roster_imports").select(["file_name", "csv_text", "sha256"]).where("id", "=", input.importId).executeTakeFirstOrThrow();
      const { plan, existing } = await planFromText(trx, imp.csv_text, { deactivateMissing: input.deactivateMissing, actorId: input.actorId }, clock);
      if (plan.problems.length > 0) throw new Rollback({ status: "invalid", plan });
      if (input.expectedDigest !== undefined && input.expectedDigest !== plan.digest) throw new Rollback({ status: "stale", plan });
      const summary = await applyPlan(trx, plan, existing, { importId: input.importId, fileName: imp.file_name, sha256: imp.sha256, actorId: input.actorId }, clock);
      await trx.updateTable("roster_imports").set({ summary_json: JSON.stringify(summary) }).where("id", "=", input.importId).execute();
      return { status: "applied", summary } as const;
    });
  } catch (e) {
    if (e instanceof Rollback) return e.result;
    throw e;
  }
}

/** The command line: check the file against the database and, unless it is a dry run, store and
 * apply it in one transaction. A bad file or a dry run changes nothing (not even the list of
 * imports). */
export async function importRosterText(
  db: Kysely<DB>,
  input: { fileName: string; text: string; sha256: string; deactivateMissing: boolean; dryRun: boolean; actorId?: string | null },
  clock: Clock,
): Promise<{ plan: RosterPlan; summary: ImportSummary | null }> {
  const opts = { deactivateMissing: input.deactivateMissing, actorId: input.actorId ?? null };
  if (input.dryRun) {
    const { plan } = await planFromText(db, input.text, opts, clock);
    return { plan, summary: null };
  }
  try {
    return await auditedTransaction(db, async (trx) => {
      const { plan, existing } = await planFromText(trx, input.text, opts, clock);
      if (plan.problems.length > 0) throw new Rollback({ status: "invalid", plan });
      const importId = `imp_${randomId()}`;
      const fileName = cleanFileName(input.fileName);
      const now = clock().toISOString();
      await trx
        .insertInto("roster_imports")
        .values({ id: importId, uploaded_by: opts.actorId, file_name: fileName, csv_text: input.text, sha256: input.sha256, created_at: now, applied_at: now, summary_json: null })
        .execute();
      const summary = await applyPlan(trx, plan, existing, { importId, fileName, sha256: input.sha256, actorId: opts.actorId }, clock);
      await trx.updateTable("roster_imports").set({ summary_json: JSON.stringify(summary) }).where("id", "=", importId).execute();
      return { plan, summary };
    });
  } catch (e) {
    if (e instanceof Rollback && e.result.status === "invalid") return { plan: e.result.plan, summary: null };
    throw e;
  }
}
