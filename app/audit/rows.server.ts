// Evidence rows bound to the audit log: the entry that records an attestation, a quiz attempt,
// an exemption or an extension carries the row's canonical hash (`rowSha256`), and audit:verify
// recomputes it from the row as stored, so a row edited with the triggers dropped no longer
// matches the entry that the Merkle tree and the checkpoints hold.
import type { Kysely, Transaction } from "kysely";
import type { DB } from "../../db/schema";
import { sha256Hex } from "../hash.server";

/** Columns added to an evidence table after its rows were first hashed (quiz_attempts, migration
 * 0018). While null they are left out of the hash, so rows written before they existed keep the
 * hash their audit entry recorded; once set they are part of it like any other column. */
const ADDED_LATER = new Set(["presented_json", "revisit_json"]);

/** Canonical hash of a flat record: SHA-256 (hex) of the JSON array of [name, value] pairs, sorted by name. */
export function recordHash(record: Record<string, unknown>): string {
  const pairs = Object.keys(record)
    .filter((k) => !(ADDED_LATER.has(k) && (record[k] ?? null) === null))
    .sort()
    .map((k) => [k, record[k] ?? null]);
  return sha256Hex(JSON.stringify(pairs));
}

/** The hash of an attestation or quiz attempt as stored (read back inside the writing transaction). */
export async function storedRowHash(trx: Transaction<DB> | Kysely<DB>, table: "attestations" | "quiz_attempts", id: string): Promise<string> {
  const row = await trx.selectFrom(table).selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  return recordHash(row);
}

/** What an exemption is: the assignment, its person and when it was exempted. */
export function exemptionHash(a: { id: string; user_id: string; exempted_at: string | null }): string {
  return recordHash({ assignment: a.id, user: a.user_id, exempted_at: a.exempted_at });
}

/** What an extension is: the assignment, its person and the due date it was moved to. */
export function extensionHash(a: { id: string; user_id: string; due_at: string }): string {
  return recordHash({ assignment: a.id, user: a.user_id, due_at: a.due_at });
}

type Kind = "attestation" | "quiz attempt" | "exemption" | "extension";

interface Recorded {
  seq: number;
  hash: string | null;
}

/** Built while walking the log: what each evidence-recording entry says about its row. */
export class RecordedRows {
  readonly byKind = new Map<Kind, Map<string, Recorded>>([
    ["attestation", new Map()],
    ["quiz attempt", new Map()],
    ["exemption", new Map()],
    ["extension", new Map()],
  ]);

  note(e: { seq: number; action: string; subject_id: string | null; data_json: string }) {
    const kind = KIND_OF[e.action];
    if (!kind && e.action !== "course.rules_applied" && e.action !== "person.leave_ended") return;
    let data: Record<string, unknown> = {};
    try {
      data = JSON.parse(e.data_json) as Record<string, unknown>;
    } catch {
      // A malformed entry fails the chain check; nothing to learn here.
    }
    if (kind && e.subject_id) {
      this.byKind.get(kind)!.set(e.subject_id, { seq: e.seq, hash: typeof data.rowSha256 === "string" ? data.rowSha256 : null });
      return;
    }
    // A later due-date change makes an earlier extension no longer the row's current state.
    const moved = (e.action === "course.rules_applied" ? data.moved : data.assignments) as unknown;
    if (Array.isArray(moved)) for (const id of moved) this.byKind.get("extension")!.delete(String(id));
  }
}

const KIND_OF: Record<string, Kind> = {
  "attestation.signed": "attestation",
  "attestation.declined": "attestation",
  "attestation.recorded_from_paper": "attestation",
  "quiz.attempted": "quiz attempt",
  "assignment.exempted": "exemption",
  "assignment.extended": "extension",
};

export interface RowsReport {
  problems: string[];
  /** Rows recorded before entries carried row hashes: presence checked, content not. */
  legacy: number;
  checked: Record<Kind, number>;
}

/** Compares every evidence row with the entry that recorded it. */
export async function crossCheckRows(db: Kysely<DB>, recorded: RecordedRows): Promise<RowsReport> {
  const report: RowsReport = { problems: [], legacy: 0, checked: { attestation: 0, "quiz attempt": 0, exemption: 0, extension: 0 } };
  const compare = (kind: Kind, id: string, hash: string, label: string) => {
    const entries = recorded.byKind.get(kind)!;
    const entry = entries.get(id);
    entries.delete(id);
    if (!entry) return report.problems.push(`${label} has no audit entry recording it (row added outside the app)`);
    if (entry.hash === null) return report.legacy++;
    report.checked[kind]++;
    if (entry.hash !== hash) report.problems.push(`${label} differs from what audit entry ${entry.seq} recorded (row edited)`);
  };
  for await (const row of pages(db, "attestations")) compare("attestation", row.id, recordHash(row), `attestation ${row.id} (${row.verification_code})`);
  for await (const row of pages(db, "quiz_attempts")) compare("quiz attempt", row.id, recordHash(row), `quiz attempt ${row.id}`);
  for await (const a of assignmentPages(db)) {
    if (a.exempted_at) compare("exemption", a.id, exemptionHash(a), `the exemption of assignment ${a.id}`);
    const ext = recorded.byKind.get("extension")!.get(a.id);
    if (ext) compare("extension", a.id, extensionHash(a), `the extension of assignment ${a.id}`);
  }
  for (const [kind, entries] of recorded.byKind) {
    if (kind === "extension") continue;
    for (const [id, entry] of entries) report.problems.push(`the ${kind} ${id} recorded by audit entry ${entry.seq} is missing from its table (row deleted)`);
  }
  return report;
}

async function* pages(db: Kysely<DB>, table: "attestations" | "quiz_attempts", size = 2000) {
  let after = "";
  for (;;) {
    const page = (await (db as Kysely<any>).selectFrom(table).selectAll().where("id", ">", after).orderBy("id").limit(size).execute()) as Array<Record<string, unknown> & { id: string; verification_code?: string }>;
    yield* page;
    if (page.length < size) return;
    after = page[page.length - 1].id;
  }
}

async function* assignmentPages(db: Kysely<DB>, size = 5000) {
  let after = "";
  for (;;) {
    const page = await db.selectFrom("assignments").select(["id", "user_id", "due_at", "exempted_at"]).where("id", ">", after).orderBy("id").limit(size).execute();
    yield* page;
    if (page.length < size) return;
    after = page[page.length - 1].id;
  }
}
