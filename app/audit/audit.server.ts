// The audit log is append-only and hash-chained: each entry's hash covers its content and the
// previous entry's hash, so editing, deleting or reordering any row breaks the chain at that
// point. Entries are written in the same transaction as the change they record.
import { sql, type Kysely, type Transaction } from "kysely";
import { dialectOf, type Db } from "../../db/connection";
import { sha256Hex } from "../hash.server";
import type { DB } from "../../db/schema";
import { entryCanonical, type EntryFields } from "./entry";

export const GENESIS_HASH = "0".repeat(64);

export interface AuditEntry {
  actorId: string | null;
  action: string;
  subjectType?: string | null;
  subjectId?: string | null;
  data?: Record<string, unknown>;
}

type StoredFields = EntryFields;

export function entryHash(e: StoredFields): string {
  return sha256Hex(entryCanonical(e));
}

/** Appends one entry. Call it inside the transaction of the change it records. */
export async function appendAudit(
  trx: Transaction<DB>,
  entry: AuditEntry,
  at: Date,
): Promise<{ seq: number; hash: string }> {
  if (dialectOf(trx) === "postgres") {
    // Serialise appenders so two instances never chain onto the same previous entry.
    await sql`select pg_advisory_xact_lock(727274)`.execute(trx);
  }
  const last = await trx
    .selectFrom("audit_log")
    .select(["seq", "hash"])
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  const fields: StoredFields = {
    seq: (last?.seq ?? 0) + 1,
    at: at.toISOString(),
    actor_id: entry.actorId,
    action: entry.action,
    subject_type: entry.subjectType ?? null,
    subject_id: entry.subjectId ?? null,
    data_json: JSON.stringify(entry.data ?? {}),
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  const hash = entryHash(fields);
  await trx.insertInto("audit_log").values({ ...fields, hash }).execute();
  return { seq: fields.seq, hash };
}

/** Appends an entry in a transaction of its own (for events that change nothing else). */
export async function recordAudit(db: Db, entry: AuditEntry, at: Date) {
  return db.transaction().execute((trx) => appendAudit(trx, entry, at));
}

export type ChainReport =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; seq: number; problem: string };

/** Why `row` does not continue a chain that ended at entry expectedSeq − 1 with hash `prev`, or null. */
export function chainProblem(row: StoredFields & { hash: string }, expectedSeq: number, prev: string): string | null {
  if (row.seq !== expectedSeq) return `entry ${expectedSeq} is missing (next entry found is ${row.seq})`;
  if (row.prev_hash !== prev) return `entry ${row.seq} does not follow entry ${row.seq - 1} (previous hash differs)`;
  if (entryHash(row) !== row.hash) return `entry ${row.seq} was altered (hash differs)`;
  return null;
}

/** Walks the whole chain in order; reports the first entry that does not check out. */
export async function verifyAuditChain(db: Kysely<DB>): Promise<ChainReport> {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for await (const row of auditPages(db)) {
    count++;
    const problem = chainProblem(row, expectedSeq, prev);
    if (problem) return { ok: false, entries: count, seq: row.seq === expectedSeq ? row.seq : expectedSeq, problem };
    prev = row.hash;
    expectedSeq++;
  }
  return { ok: true, entries: count, head: prev };
}

/** Keyset pages rather than a driver stream, so it runs the same on SQLite and PostgreSQL. */
export async function* auditPages(db: Kysely<DB>, size = 1000) {
  let after = 0;
  for (;;) {
    const page = await db
      .selectFrom("audit_log")
      .selectAll()
      .where("seq", ">", after)
      .orderBy("seq", "asc")
      .limit(size)
      .execute();
    yield* page;
    if (page.length < size) return;
    after = page[page.length - 1].seq;
  }
}
