// Reconciling a roster file with the people already in the database, keyed by email (case does
// not matter): who would be added, changed (field by field), put on leave, returned from leave,
// reactivated or deactivated, and who is in the database but not in the file. Pure: the caller
// passes the people it read (inside the transaction that will apply the plan), so the same rules
// run for the preview, for the confirmation and in unit tests.
//
// A plan with problems has no actions: a bad file changes nothing.
import type { UserStatus, UserType } from "../../db/schema";
import { sha256Hex } from "../hash.server";
import { REQUIRED_COLUMNS, sortProblems, type ParsedRoster, type RosterColumn, type RosterProblem, type RosterRow } from "./csv.server";

export interface ExistingPerson {
  id: string;
  email: string;
  name: string;
  employee_id: string | null;
  department: string | null;
  title: string | null;
  manager_id: string | null;
  type: UserType;
  status: UserStatus;
  start_date: string;
  end_date: string | null;
  is_hr: number;
}

export const CHANGE_FIELDS = ["name", "employee_id", "department", "title", "manager_email", "start_date", "end_date", "type"] as const;
export type ChangeField = (typeof CHANGE_FIELDS)[number];

export interface FieldChange {
  field: ChangeField;
  from: string | null;
  to: string | null;
}

export interface PersonRef {
  /** null for someone the import would add. */
  id: string | null;
  email: string;
  name: string;
  /** The line in the file; null for people not in it. */
  line: number | null;
}

export interface PlannedAdd {
  line: number;
  email: string;
  name: string;
  employeeId: string | null;
  department: string | null;
  title: string | null;
  managerEmail: string | null;
  startDate: string;
  endDate: string | null;
  type: UserType;
  status: UserStatus;
}

export interface PlannedChange extends PersonRef {
  id: string;
  line: number;
  changes: FieldChange[];
}

export interface PlannedStatus extends PersonRef {
  id: string;
  from: UserStatus;
  to: UserStatus;
  /** Deactivated because they are not in the file (the deactivate-missing option). */
  missing?: boolean;
}

export interface RosterPlan {
  /** People rows in the file (blank rows not counted). */
  rows: number;
  columns: RosterColumn[];
  ignoredColumns: string[];
  /** Sorted by line. Any problem means nothing is applied. */
  problems: RosterProblem[];
  /** Worth knowing, never blocking. */
  warnings: RosterProblem[];
  add: PlannedAdd[];
  change: PlannedChange[];
  leave: PlannedStatus[];
  returnFromLeave: PlannedStatus[];
  reactivate: PlannedStatus[];
  deactivate: PlannedStatus[];
  /** In the database (not deactivated) but not in the file. */
  missing: PersonRef[];
  deactivateMissing: boolean;
  /** Rows that match the database exactly. */
  unchanged: number;
  /** Fingerprint of the actions: a confirmation applies exactly what was previewed, or nothing. */
  digest: string;
}

export interface PlanOptions {
  /** Deactivate people who are in the database but not in the file. */
  deactivateMissing: boolean;
  /** Who is importing (null on the command line): nobody may deactivate themselves. */
  actorId: string | null;
  /** YYYY-MM-DD, for warnings about end dates that have passed. */
  today: string;
}

const blank = (v: string | null | undefined) => (v === undefined || v === null || v === "" ? null : v);

/** What the checks across rows share: the people as they are, the file's row for each email, and
 * what each person's status and manager would be after the import. */
interface Reconciliation {
  parsed: ParsedRoster;
  existing: ExistingPerson[];
  opts: PlanOptions;
  byEmail: Map<string, ExistingPerson>;
  byId: Map<string, ExistingPerson>;
  /** The first row for each email stands for that person in the checks across rows. */
  fileRow: Map<string, RosterRow>;
  emailOfId(id: string | null): string | null;
  statusAfter(email: string): UserStatus | null;
  /** The manager a person would have after the import; undefined when that cannot be known. */
  managerAfter(email: string): string | null | undefined;
  whyInactive(email: string): string;
  say(line: number, message: string): void;
}

function reconcile(parsed: ParsedRoster, existing: ExistingPerson[], opts: PlanOptions, say: Reconciliation["say"]): Reconciliation {
  const byEmail = new Map(existing.map((p) => [p.email.toLowerCase(), p]));
  const byId = new Map(existing.map((p) => [p.id, p]));
  const emailOfId = (id: string | null) => (id ? (byId.get(id)?.email.toLowerCase() ?? null) : null);
  const fileRow = new Map<string, RosterRow>();
  for (const r of parsed.rows) if (r.email && !fileRow.has(r.email)) fileRow.set(r.email, r);

  const statusAfter = (email: string): UserStatus | null => {
    const row = fileRow.get(email);
    const person = byEmail.get(email);
    if (row) return row.status ?? person?.status ?? "active";
    if (!person) return null;
    if (person.status === "inactive") return "inactive";
    return opts.deactivateMissing ? "inactive" : person.status;
  };
  const managerAfter = (email: string): string | null | undefined => {
    const row = fileRow.get(email);
    const person = byEmail.get(email);
    if (row) {
      if (row.managerUnreadable) return undefined;
      if (row.managerEmail !== undefined) return row.managerEmail;
      return person ? emailOfId(person.manager_id) : null;
    }
    return person ? emailOfId(person.manager_id) : null;
  };
  const whyInactive = (email: string): string => {
    const row = fileRow.get(email);
    if (row) return `status inactive on line ${row.line}`;
    if (byEmail.get(email)?.status === "inactive") return "already deactivated";
    return "not in the file, and people missing from the file are being deactivated";
  };
  return { parsed, existing, opts, byEmail, byId, fileRow, emailOfId, statusAfter, managerAfter, whyInactive, say };
}

/** Duplicates: every line of each, naming the others. */
function checkDuplicates({ parsed, say }: Reconciliation) {
  const linesOf = new Map<string, number[]>();
  for (const r of parsed.rows) if (r.email) linesOf.set(r.email, [...(linesOf.get(r.email) ?? []), r.line]);
  for (const [email, lines] of linesOf) {
    if (lines.length < 2) continue;
    for (const line of lines) {
      const others = lines.filter((l) => l !== line);
      say(line, `duplicate email ${email} (also on line${others.length === 1 ? "" : "s"} ${others.join(", ")})`);
    }
  }
}

/** Managers: known, not deactivated, not themselves. */
function checkManagers({ parsed, byEmail, fileRow, statusAfter, managerAfter, whyInactive, say }: Reconciliation) {
  for (const r of parsed.rows) {
    if (r.managerUnreadable) continue;
    const explicit = r.managerEmail !== undefined;
    const manager = explicit ? r.managerEmail : r.email ? managerAfter(r.email) : null;
    if (!manager) continue;
    if (r.email && manager === r.email) {
      say(r.line, `manager_email ${manager} is this person's own email (nobody can manage themselves)`);
      continue;
    }
    const inFile = fileRow.has(manager);
    const person = byEmail.get(manager);
    if (!explicit) {
      // The manager they already have: only this import deactivating that manager is a problem.
      if (person && person.status !== "inactive" && statusAfter(manager) === "inactive" && (r.status ?? byEmail.get(r.email!)?.status) !== "inactive") {
        say(r.line, `current manager ${manager} would be deactivated (${whyInactive(manager)})`);
      }
      continue;
    }
    if (!inFile && !person) {
      say(r.line, `unknown manager ${manager}: not in the file and not an existing active person`);
      continue;
    }
    if (!inFile && person?.status === "inactive") {
      say(r.line, `manager ${manager} is deactivated: reactivate them (add them to the file) or choose another manager`);
      continue;
    }
    const reportStatus = r.status ?? (r.email ? byEmail.get(r.email)?.status : undefined) ?? "active";
    if (reportStatus !== "inactive" && statusAfter(manager) === "inactive") {
      say(r.line, `manager ${manager} would be deactivated (${whyInactive(manager)})`);
    }
  }
}

/** A row that deactivates someone who still manages people staying on but not in the file. */
function checkStayingReports({ existing, fileRow, emailOfId, statusAfter, say }: Reconciliation) {
  const stayingReports = new Map<string, string[]>();
  for (const p of existing) {
    const email = p.email.toLowerCase();
    if (fileRow.has(email) || statusAfter(email) === "inactive") continue;
    const manager = emailOfId(p.manager_id);
    if (manager && fileRow.has(manager) && statusAfter(manager) === "inactive") {
      stayingReports.set(manager, [...(stayingReports.get(manager) ?? []), email]);
    }
  }
  for (const [manager, reports] of stayingReports) {
    const shown = reports.slice(0, 5).join(", ") + (reports.length > 5 ? ` and ${reports.length - 5} more` : "");
    say(fileRow.get(manager)!.line, `${manager} would be deactivated but still manages ${shown} (not in the file); give them another manager first`);
  }
}

/** Loops in the reporting lines after the import, through people in the file and people not in it. */
function checkLoops({ existing, fileRow, managerAfter, say }: Reconciliation) {
  const seenLoops = new Set<string>();
  for (const start of fileRow.keys()) {
    const path: string[] = [];
    const index = new Map<string, number>();
    let at: string | null | undefined = start;
    while (at && !index.has(at) && path.length <= existing.length + fileRow.size) {
      index.set(at, path.length);
      path.push(at);
      at = managerAfter(at);
    }
    if (!at || !index.has(at)) continue;
    const loop = path.slice(index.get(at)!);
    if (loop.length < 2) continue; // someone as their own manager is reported above
    const key = [...loop].sort().join(" ");
    if (seenLoops.has(key)) continue;
    seenLoops.add(key);
    for (let i = 0; i < loop.length; i++) {
      const row = fileRow.get(loop[i]);
      if (!row) continue;
      const chain = [...loop.slice(i), ...loop.slice(0, i), loop[i]];
      const outside = chain.filter((e) => !fileRow.has(e));
      say(row.line, `manager loop: ${chain.join(" → ")}${outside.length ? ` (${[...new Set(outside)].join(", ")} not in the file)` : ""}`);
    }
  }
}

/** Nobody deactivates themselves (and ends their own session) by importing. */
function checkSelf({ parsed, opts, byId, fileRow, say }: Reconciliation) {
  if (!opts.actorId) return;
  const me = byId.get(opts.actorId);
  if (!me || me.status === "inactive") return;
  const email = me.email.toLowerCase();
  const row = fileRow.get(email);
  if (row && row.status === "inactive") say(row.line, `this is you (${email}): you cannot deactivate yourself`);
  if (!row && opts.deactivateMissing) {
    say(parsed.headerLine, `you (${email}) are not in the file, so deactivating the people missing from it would deactivate you; add yourself to the file or leave missing people unchanged`);
  }
}

type PlannedActions = Pick<RosterPlan, "add" | "change" | "leave" | "returnFromLeave" | "reactivate" | "deactivate">;

/** The fields of an existing person that a row changes (a column the file lacks changes nothing). */
function fieldChanges(person: ExistingPerson, r: RosterRow, emailOfId: Reconciliation["emailOfId"]): FieldChange[] {
  const changes: FieldChange[] = [];
  const compare = (field: ChangeField, before: string | null, after: string | null | undefined) => {
    if (after === undefined) return;
    if (blank(before) !== blank(after)) changes.push({ field, from: blank(before), to: blank(after) });
  };
  compare("name", person.name, r.name);
  compare("employee_id", person.employee_id, r.employeeId);
  compare("department", person.department, r.department);
  compare("title", person.title, r.title);
  compare("manager_email", emailOfId(person.manager_id), r.managerEmail);
  compare("start_date", person.start_date, r.startDate);
  compare("end_date", person.end_date, r.endDate);
  compare("type", person.type, r.type);
  return changes;
}

/** What each row does (of a file without problems), with the warnings worth knowing. */
function planActions({ parsed, opts, byEmail, emailOfId }: Reconciliation, warnings: RosterProblem[]): PlannedActions & { unchanged: number } {
  const actions: PlannedActions = { add: [], change: [], leave: [], returnFromLeave: [], reactivate: [], deactivate: [] };
  let unchanged = 0;
  for (const r of parsed.rows) {
    const email = r.email!;
    const person = byEmail.get(email);
    const status: UserStatus = r.status ?? person?.status ?? "active";
    const endDate = r.endDate !== undefined ? r.endDate : (person?.end_date ?? null);
    if (status !== "inactive" && endDate && endDate < opts.today) {
      warnings.push({ line: r.line, message: `end_date ${endDate} has passed: the scheduler will deactivate ${email} on its next run` });
    }
    if (!person) {
      actions.add.push({
        line: r.line,
        email,
        name: r.name!,
        employeeId: r.employeeId ?? null,
        department: r.department ?? null,
        title: r.title ?? null,
        managerEmail: r.managerEmail ?? null,
        startDate: r.startDate!,
        endDate: r.endDate ?? null,
        type: r.type ?? "employee",
        status,
      });
      continue;
    }
    const changes = fieldChanges(person, r, emailOfId);
    const ref = { id: person.id, email, name: r.name ?? person.name, line: r.line };
    if (changes.length > 0) actions.change.push({ ...ref, changes });
    if (status !== person.status) {
      const move = { ...ref, from: person.status, to: status };
      if (status === "inactive") actions.deactivate.push(move);
      else if (person.status === "inactive") actions.reactivate.push(move);
      else if (status === "leave") actions.leave.push(move);
      else actions.returnFromLeave.push(move);
    }
    if (changes.length === 0 && status === person.status) unchanged++;
  }
  return { ...actions, unchanged };
}

export function planRoster(parsed: ParsedRoster, existing: ExistingPerson[], opts: PlanOptions): RosterPlan {
  const problems: RosterProblem[] = [...parsed.problems];
  const warnings: RosterProblem[] = [];
  const say = (line: number, message: string) => problems.push({ line, message });
  const base = {
    rows: parsed.rows.length,
    columns: parsed.columns,
    ignoredColumns: parsed.ignoredColumns,
    deactivateMissing: opts.deactivateMissing,
  };
  const nothing = (): RosterPlan => ({
    ...base,
    problems: sortProblems(problems),
    warnings: sortProblems(warnings),
    add: [],
    change: [],
    leave: [],
    returnFromLeave: [],
    reactivate: [],
    deactivate: [],
    missing: [],
    unchanged: 0,
    digest: "",
  });
  // Without the required columns nothing below can be judged; the header problem says why.
  if (REQUIRED_COLUMNS.some((c) => !parsed.columns.includes(c))) return nothing();
  if (parsed.rows.length === 0 && problems.length === 0) {
    say(parsed.headerLine, "the file names the columns but lists nobody");
    return nothing();
  }

  const ctx = reconcile(parsed, existing, opts, say);
  checkDuplicates(ctx);
  checkManagers(ctx);
  checkStayingReports(ctx);
  checkLoops(ctx);
  checkSelf(ctx);
  if (problems.length > 0) return nothing();

  const { unchanged, ...planned } = planActions(ctx, warnings);
  const missing: PersonRef[] = existing
    .filter((p) => p.status !== "inactive" && !ctx.fileRow.has(p.email.toLowerCase()))
    .map((p) => ({ id: p.id, email: p.email.toLowerCase(), name: p.name, line: null }))
    .sort((a, b) => a.email.localeCompare(b.email));
  if (opts.deactivateMissing) {
    for (const p of missing) planned.deactivate.push({ ...p, id: p.id!, from: ctx.byEmail.get(p.email)!.status, to: "inactive", missing: true });
  }

  const actions = { ...planned, deactivateMissing: opts.deactivateMissing };
  return {
    ...base,
    problems: [],
    warnings: sortProblems(warnings),
    ...actions,
    missing,
    unchanged,
    digest: sha256Hex(JSON.stringify(actions)),
  };
}

export interface PlanCounts {
  added: number;
  changed: number;
  leave: number;
  returned: number;
  reactivated: number;
  deactivated: number;
  missing: number;
  unchanged: number;
}

export function planCounts(plan: RosterPlan): PlanCounts {
  return {
    added: plan.add.length,
    changed: plan.change.length,
    leave: plan.leave.length,
    returned: plan.returnFromLeave.length,
    reactivated: plan.reactivate.length,
    deactivated: plan.deactivate.length,
    missing: plan.missing.length,
    unchanged: plan.unchanged,
  };
}

/** True when applying the plan would change nothing at all. */
export function planIsEmpty(plan: RosterPlan): boolean {
  return plan.add.length + plan.change.length + plan.leave.length + plan.returnFromLeave.length + plan.reactivate.length + plan.deactivate.length === 0;
}
