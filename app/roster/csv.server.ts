// Reading a roster file: the CSV HR exports from a spreadsheet or an HR system, as it really comes
// (a byte-order mark, Windows line endings, quoted fields with commas and line breaks, blank rows
// at the end, headers in any case and order, columns we do not use). Every problem carries the
// physical line of the file it is on (the header is line 1; a quoted field with line breaks makes
// a row span several lines, and the row is reported at its first).
//
// This module checks each row on its own. Checks that need the whole file or the database
// (duplicates, managers, loops) are in plan.server.ts.
import { parse, CsvError } from "csv-parse/sync";
import { z } from "zod";
import type { UserStatus, UserType } from "../../db/schema";
import { parseRosterDate } from "./dates";

export const ROSTER_COLUMNS = [
  "email",
  "name",
  "employee_id",
  "department",
  "title",
  "manager_email",
  "start_date",
  "type",
  "end_date",
  "status",
] as const;
export type RosterColumn = (typeof ROSTER_COLUMNS)[number];
export const REQUIRED_COLUMNS: RosterColumn[] = ["email", "name", "start_date"];

export const ROSTER_TYPES: UserType[] = ["employee", "contractor"];
export const ROSTER_STATUSES: UserStatus[] = ["active", "leave", "inactive"];

const MAX_TEXT = 200;

export interface RosterProblem {
  line: number;
  message: string;
}

/** One person as the file describes them. A field is `undefined` when its column is not in the
 * file (an existing person keeps what they have), `null` when the cell is blank (cleared). */
export interface RosterRow {
  line: number;
  /** Lower case; null when missing or not an email address (a problem says so). */
  email: string | null;
  name: string | null;
  employeeId?: string | null;
  department?: string | null;
  title?: string | null;
  /** Lower case; null = no manager. */
  managerEmail?: string | null;
  /** The manager cell could not be read (a problem says so); leave managers alone for this row. */
  managerUnreadable?: true;
  startDate: string | null;
  endDate?: string | null;
  /** Blank cells take the default (employee, active). */
  type?: UserType;
  status?: UserStatus;
}

export interface ParsedRoster {
  /** The columns we use that the file has. */
  columns: RosterColumn[];
  /** Headers we do not use, as written. */
  ignoredColumns: string[];
  rows: RosterRow[];
  problems: RosterProblem[];
  delimiter: "," | ";" | "\t";
  /** The line the column names are on (1 unless the file starts with blank lines). */
  headerLine: number;
}

// The same rule sign-in uses, so everyone imported can sign in with the address on file.
const emailSchema = z.string().email().max(254);

export function isEmail(value: string): boolean {
  return emailSchema.safeParse(value).success;
}

/** "Employee ID", "employee-id" and " EMPLOYEE_ID " all name the employee_id column. */
export function normaliseHeader(h: string): string {
  return h.replace(/^\uFEFF/, "").trim().toLowerCase().replace(/[\s-]+/g, "_");
}

/** Cell text as a person means it: no surrounding spaces, runs of spaces and line breaks as one. */
function clean(v: string | undefined): string {
  return (v ?? "").replace(/\s+/g, " ").trim();
}

function detectDelimiter(text: string): ParsedRoster["delimiter"] {
  const first = text.split("\n").find((l) => l.trim() !== "") ?? "";
  if (first.includes(",")) return ",";
  if (first.includes(";")) return ";";
  if (first.includes("\t")) return "\t";
  return ",";
}

/** Why a CSV could not be read, in words for HR rather than the parser's. */
function describeCsvError(e: CsvError): string {
  switch (e.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return "not valid CSV: a quoted field starts here and is never closed (a \" is missing)";
    case "CSV_INVALID_CLOSING_QUOTE":
      return "not valid CSV: a quoted field is followed by more text before the next comma (write a \" inside a quoted field as \"\")";
    default:
      return `not valid CSV: ${e.message.replace(/ at line \d+.*$/, "")}`;
  }
}

/** The line of a quote that opens a field and is never closed (0 if none). */
function unclosedQuoteLine(text: string, delimiter: string): number {
  let line = 1;
  let openedOn = 0;
  let inQuotes = false;
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') i++;
        else inQuotes = false;
      } else if (ch === "\n") line++;
      continue;
    }
    if (ch === '"' && fieldStart) {
      inQuotes = true;
      openedOn = line;
    } else if (ch === delimiter) {
      fieldStart = true;
      continue;
    } else if (ch === "\n") {
      line++;
      fieldStart = true;
      continue;
    }
    fieldStart = false;
  }
  return inQuotes ? openedOn : 0;
}

type CsvRecord = { record: string[]; info: { lines: number }; raw: string };

/** The line a record starts on: where it ends, less the line breaks inside it. Blank lines before
 * a record are part of its raw text; they are not the record. */
function startLine(r: CsvRecord): number {
  let raw = r.raw.replace(/^\n+/, "");
  if (raw.endsWith("\n")) raw = raw.slice(0, -1);
  return r.info.lines - (raw.match(/\n/g)?.length ?? 0);
}

const isBlank = (record: string[]) => record.every((v) => v.trim() === "");

const emptyFileProblem = (): RosterProblem => ({
  line: 1,
  message: `the file is empty; the first line must name the columns (at least ${REQUIRED_COLUMNS.join(", ")})`,
});

/** The file's records, or the problem that stops it being read at all. */
function readRecords(text: string, delimiter: string): { records: CsvRecord[] } | { problem: RosterProblem } {
  try {
    // With `info` and `raw`, each record comes with where it ends and its text as written.
    const records = parse(text, { delimiter, info: true, raw: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }) as unknown as CsvRecord[];
    return { records };
  } catch (e) {
    if (e instanceof CsvError) {
      // The parser notices an unclosed quote at the end of the file; say where the quote opened.
      const line = e.code === "CSV_QUOTE_NOT_CLOSED" ? unclosedQuoteLine(text, delimiter) : Number((e as CsvError & { lines?: number }).lines);
      return { problem: { line: line || 1, message: describeCsvError(e) } };
    }
    throw e;
  }
}

interface Header {
  at: Map<RosterColumn, number>;
  columns: RosterColumn[];
  ignoredColumns: string[];
  width: number;
}

/** Which column is where; a repeated or missing required column is a problem on the header line. */
function readHeader(header: CsvRecord, headerLine: number, problems: RosterProblem[]): Header {
  const at = new Map<RosterColumn, number>();
  const ignoredColumns: string[] = [];
  header.record.forEach((h, i) => {
    const name = normaliseHeader(h);
    if ((ROSTER_COLUMNS as readonly string[]).includes(name)) {
      const col = name as RosterColumn;
      if (at.has(col)) problems.push({ line: headerLine, message: `the column ${col} appears twice (columns ${at.get(col)! + 1} and ${i + 1})` });
      else at.set(col, i);
    } else if (h.trim() !== "") {
      ignoredColumns.push(h.trim());
    }
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !at.has(c));
  if (missing.length > 0) {
    problems.push({
      line: headerLine,
      message:
        `missing required column${missing.length === 1 ? "" : "s"} ${missing.join(", ")} (the first line must name the columns; email, name and start_date are required` +
        `; this file's first line names: ${header.record.map((h) => h.trim()).filter(Boolean).join(", ") || "nothing"})`,
    });
  }
  return { at, ignoredColumns, columns: ROSTER_COLUMNS.filter((c) => at.has(c)), width: header.record.length };
}

/** One person's row: each value checked, each problem said on the row's line. */
function readRow(rec: CsvRecord, { at, width }: Header, problems: RosterProblem[]): RosterRow {
  const line = startLine(rec);
  const say = (message: string) => problems.push({ line, message });
  if (rec.record.slice(width).some((v) => v.trim() !== "")) {
    say(`this row has ${rec.record.length} values but the header names ${width} columns (is a comma missing its quotes?)`);
  }
  const cell = (c: RosterColumn): string | undefined => (at.has(c) ? clean(rec.record[at.get(c)!]) : undefined);
  const textCell = (c: RosterColumn, label: string): string | null | undefined => {
    const v = cell(c);
    if (v === undefined) return undefined;
    if (v === "") return null;
    if (v.length > MAX_TEXT) {
      say(`${label} is longer than ${MAX_TEXT} characters`);
      return null;
    }
    return v;
  };
  const date = (c: RosterColumn, required: boolean): string | null | undefined => {
    const v = cell(c);
    if (v === undefined) return undefined;
    if (v === "") {
      if (required) say(`${c} is empty`);
      return null;
    }
    const parsed = parseRosterDate(v);
    if (parsed.ok) return parsed.date;
    say(`${c} "${v}" is not accepted: ${parsed.reason}`);
    return null;
  };

  const row: RosterRow = { line, email: null, name: null, startDate: null };

  const email = cell("email");
  if (email !== undefined) {
    if (email === "") say("email is empty");
    else if (!isEmail(email)) say(`email "${email}" is not a valid email address`);
    else row.email = email.toLowerCase();
  }
  const name = textCell("name", "name");
  if (name === null && cell("name") === "") say("name is empty");
  row.name = name ?? null;
  row.employeeId = textCell("employee_id", "employee_id");
  row.department = textCell("department", "department");
  row.title = textCell("title", "title");

  const manager = cell("manager_email");
  if (manager !== undefined) {
    if (manager === "") row.managerEmail = null;
    else if (!isEmail(manager)) {
      say(`manager_email "${manager}" is not a valid email address`);
      row.managerUnreadable = true;
    } else row.managerEmail = manager.toLowerCase();
  }

  if (at.has("start_date")) row.startDate = date("start_date", true) ?? null;
  row.endDate = date("end_date", false);
  if (row.startDate && row.endDate && row.endDate < row.startDate) {
    say(`end_date ${row.endDate} is before start_date ${row.startDate}`);
  }

  const type = cell("type");
  if (type !== undefined) {
    const t = type.toLowerCase();
    if (t === "") row.type = "employee";
    else if ((ROSTER_TYPES as string[]).includes(t)) row.type = t as UserType;
    else say(`type "${type}" must be employee or contractor (blank means employee)`);
  }
  const status = cell("status");
  if (status !== undefined) {
    const st = status.toLowerCase();
    if (st === "") row.status = "active";
    else if ((ROSTER_STATUSES as string[]).includes(st)) row.status = st as UserStatus;
    else say(`status "${status}" must be active, leave or inactive (blank means active)`);
  }
  return row;
}

export function parseRoster(input: string): ParsedRoster {
  let text = input.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const problems: RosterProblem[] = [];
  // Excel can start a CSV with "sep=;" to name its separator. Blank it out (keeping the line, so
  // line numbers stay physical) and use that separator.
  const sep = /^sep=([,;\t])[ \t]*(?=\n|$)/i.exec(text);
  if (sep) text = text.slice(sep[0].length);
  const delimiter = sep ? (sep[1] as ParsedRoster["delimiter"]) : detectDelimiter(text);
  const empty: ParsedRoster = { columns: [], ignoredColumns: [], rows: [], problems, delimiter, headerLine: 1 };
  if (text.trim() === "") {
    problems.push(emptyFileProblem());
    return empty;
  }
  const read = readRecords(text, delimiter);
  if ("problem" in read) {
    problems.push(read.problem);
    return empty;
  }
  const { records } = read;
  const headerIndex = records.findIndex((r) => !isBlank(r.record));
  if (headerIndex === -1) {
    problems.push(emptyFileProblem());
    return empty;
  }
  const headerLine = startLine(records[headerIndex]);
  const header = readHeader(records[headerIndex], headerLine, problems);
  const rows = records
    .slice(headerIndex + 1)
    .filter((rec) => !isBlank(rec.record))
    .map((rec) => readRow(rec, header, problems));
  return { columns: header.columns, ignoredColumns: header.ignoredColumns, rows, problems, delimiter, headerLine };
}

/** `file:line  problem`, one per line, in line order: what the CLI prints and the page shows. */
export function formatRosterProblems(file: string, problems: RosterProblem[]): string {
  return sortProblems(problems)
    .map((p) => `${file}:${p.line}  ${p.message}`)
    .join("\n");
}

export function sortProblems(problems: RosterProblem[]): RosterProblem[] {
  return problems.map((p, i) => ({ p, i })).sort((a, b) => a.p.line - b.p.line || a.i - b.i).map(({ p }) => p);
}
