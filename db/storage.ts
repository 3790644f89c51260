// Is the storage healthy? Checked at start (a damaged or unwritable database is refused with a
// clear message instead of taking signatures it may lose), by /healthz, and when a write fails
// (a full disk is told as such, not as whatever error came after it).
import fs from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import { dialectOf, sqliteHandleOf, sqlitePathFromUrl, isPostgresUrl, type Db } from "./connection";

/** SQLite and PostgreSQL error codes that mean "the storage cannot take writes right now":
 * full disk, I/O error, read-only file, unreachable or restarting server, lock or statement
 * timeouts. A request that meets one changed nothing (its transaction rolled back). */
const SQLITE_FAULTS = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|CORRUPT|NOTADB|PROTOCOL)/;
const PG_FAULTS = new Set([
  "53100", // disk_full
  "53200", // out_of_memory
  "53300", // too_many_connections
  "55P03", // lock_not_available (lock_timeout)
  "57014", // query_canceled (statement_timeout)
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "25006", // read_only_sql_transaction
  "08000",
  "08001",
  "08003",
  "08006",
]);
const NET_FAULTS = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"]);

/** The code of a storage fault (e.g. `SQLITE_FULL`, `57P01`, `ECONNREFUSED`), or null for any other error. */
export function storageFaultCode(err: unknown): string | null {
  if (!err || typeof err !== "object") return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && (SQLITE_FAULTS.test(code) || PG_FAULTS.has(code) || NET_FAULTS.has(code))) return code;
  const message = err instanceof Error ? err.message : "";
  if (/timeout exceeded when trying to connect|Connection terminated/i.test(message)) return "PG_CONNECTION";
  return null;
}

/** PostgreSQL refuses text it cannot store or compare — a NUL character (`%00` in an address or a
 * form) — where SQLite takes it: 22021 character_not_in_repertoire, 22P05 untranslatable_character.
 * The statement failed, so nothing was recorded; the input is the client's mistake. */
export function isUnstorableText(err: unknown): boolean {
  const code = err && typeof err === "object" ? (err as { code?: unknown }).code : undefined;
  return code === "22021" || code === "22P05";
}

/** Below this, a write of a few pages may already fail: report the disk as full before it does. */
export const MIN_FREE_BYTES = 1024 * 1024;

export interface WritableProbe {
  writable: boolean;
  /** Why not, in the storage's own words (e.g. "SQLITE_READONLY: attempt to write a readonly database"). */
  problem?: string;
}

/** Takes the write lock and lets it go again, changing nothing. */
export async function probeWritable(db: Db): Promise<WritableProbe> {
  try {
    if (dialectOf(db) === "postgres") {
      const row = await sql<{ ro: string }>`show transaction_read_only`.execute(db);
      return row.rows[0]?.ro === "on" ? { writable: false, problem: "the PostgreSQL server is read-only" } : { writable: true };
    }
    const handle = sqliteHandleOf(db);
    if (!handle) return { writable: true };
    if (!handle.memory) {
      const dir = path.dirname(path.resolve(handle.name));
      const stats = fs.statfsSync(dir);
      const free = stats.bavail * stats.bsize;
      if (free < MIN_FREE_BYTES) return { writable: false, problem: `SQLITE_FULL: the disk holding ${dir} has ${free} bytes free` };
    }
    await db.connection().execute(async () => {
      handle.exec("begin immediate");
      handle.exec("rollback");
    });
    return { writable: true };
  } catch (err) {
    const code = (err as { code?: string }).code;
    // Another writer holds the lock: the database takes writes, just not this instant.
    if (code === "SQLITE_BUSY") return { writable: true };
    return { writable: false, problem: `${code ? `${code}: ` : ""}${err instanceof Error ? err.message : String(err)}` };
  }
}

export class StorageProblem extends Error {}

/** Before opening: SQLite keeps its -wal and -shm files beside the database, so the folder must
 * be writable, or opening fails with a misleading "attempt to write a readonly database". */
export function checkSqliteFolder(url: string): void {
  if (isPostgresUrl(url)) return;
  const dir = path.dirname(path.resolve(sqlitePathFromUrl(url)));
  fs.mkdirSync(dir, { recursive: true });
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw new StorageProblem(
      `The folder ${dir} is not writable (${(err as NodeJS.ErrnoException).code}). SQLite keeps its -wal and -shm files beside the database, so the folder must be writable by this process.`,
    );
  }
}

function damaged(file: string, what: string): StorageProblem {
  return new StorageProblem(
    `The database ${file} is damaged (${what}). Confidant will not write to it. ` +
      `Stop every instance, keep this file for investigation, and restore the latest backup (README, "Backups and restoring them").`,
  );
}

/** An error from opening SQLite, told as what it means when the file is damaged. */
export function explainOpenError(err: unknown, url: string): unknown {
  const code = (err as { code?: string } | null)?.code;
  if (!isPostgresUrl(url) && (code === "SQLITE_CORRUPT" || code === "SQLITE_NOTADB")) {
    return damaged(path.resolve(sqlitePathFromUrl(url)), err instanceof Error ? err.message : String(err));
  }
  return err;
}

/** Refuses to start on storage that would lose or damage records. */
export async function checkStorageAtStart(db: Db, url: string, { quickCheck = true }: { quickCheck?: boolean } = {}): Promise<void> {
  checkSqliteFolder(url);
  const handle = sqliteHandleOf(db);
  if (quickCheck && handle) {
    const file = path.resolve(sqlitePathFromUrl(url));
    let problems: string[];
    try {
      problems = (handle.pragma("quick_check") as Array<{ quick_check: string }>).map((r) => r.quick_check).filter((r) => r !== "ok");
    } catch (err) {
      problems = [err instanceof Error ? err.message : String(err)];
    }
    if (problems.length) {
      throw damaged(file, `PRAGMA quick_check: ${problems.slice(0, 3).join("; ")}${problems.length > 3 ? ` and ${problems.length - 3} more` : ""}`);
    }
  }
  const probe = await probeWritable(db);
  if (!probe.writable) throw new StorageProblem(`The database cannot be written: ${probe.problem}.`);
}
