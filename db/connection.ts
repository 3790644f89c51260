// The one place a database connection is made: SQLite by default, PostgreSQL when
// DATABASE_URL says postgres://. Every SQLite connection gets its pragmas set and then
// checked, because a pragma that silently did not apply is how data gets lost.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import {
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  CompiledQuery,
  type DatabaseConnection,
  type Compilable,
  type Driver,
  type SqliteDialectConfig,
} from "kysely";
import type { DB } from "./schema";

export type Db = Kysely<DB>;

export const DEFAULT_DATABASE_URL = "file:./data/confidant.sqlite";

/** Kysely begins SQLite transactions with a plain BEGIN, which takes the write lock late and
 * can fail with SQLITE_BUSY despite the busy timeout when another process writes. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }

  /** After SQLITE_FULL or an I/O error SQLite has already rolled the transaction back, and
   * Kysely's ROLLBACK then fails with "no transaction is active", which would replace the error
   * that matters. Keep the original: a rollback with nothing to roll back is not a failure. */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } catch (err) {
      if (!/no transaction is active/i.test(err instanceof Error ? err.message : String(err))) throw err;
    }
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

const MIN_SQLITE = [3, 51, 3];
/** 64 MiB: room for the largest scheduler batch, without an unbounded WAL after a big run. */
export const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

export function sqlitePathFromUrl(url: string): string {
  if (url.startsWith("file:")) return url.slice("file:".length);
  return url;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** Opens a better-sqlite3 handle with the pragmas Confidant depends on, verified. */
export function openSqlite(file: string): Database.Database {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const handle = new Database(file);
  const version = String(handle.prepare("select sqlite_version() as v").pluck().get());
  const parts = version.split(".").map(Number);
  const tooOld = MIN_SQLITE.some((min, i) => {
    const earlier = MIN_SQLITE.slice(0, i).every((m, j) => parts[j] === m);
    return earlier && (parts[i] ?? 0) < min;
  });
  if (tooOld) {
    handle.close();
    throw new Error(
      `SQLite ${version} has a WAL corruption bug; Confidant needs ${MIN_SQLITE.join(".")} or newer`,
    );
  }
  handle.pragma("journal_mode = WAL");
  handle.pragma("synchronous = FULL");
  handle.pragma("busy_timeout = 5000");
  handle.pragma("foreign_keys = ON");
  // After a checkpoint the WAL file is truncated back to this size instead of keeping its peak.
  handle.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
  const expected: Array<[string, unknown]> = [
    ["journal_mode", file === ":memory:" ? "memory" : "wal"],
    ["synchronous", 2],
    ["busy_timeout", 5000],
    ["foreign_keys", 1],
    ["journal_size_limit", JOURNAL_SIZE_LIMIT],
  ];
  for (const [name, want] of expected) {
    const got = handle.pragma(name, { simple: true });
    if (got !== want) {
      handle.close();
      throw new Error(`SQLite pragma ${name} is ${String(got)}, expected ${String(want)}`);
    }
  }
  return handle;
}

/** PostgreSQL pool settings (`DB_*` in the environment); SQLite ignores them. */
export interface PostgresOptions {
  poolMax: number;
  /** A statement running longer is cancelled (PostgreSQL's statement_timeout). */
  statementTimeoutMs: number;
  /** Waiting longer for a row or advisory lock fails the statement (lock_timeout). */
  lockTimeoutMs: number;
  /** Waiting longer for a connection from the pool, or for the server to accept one, fails. */
  connectTimeoutMs: number;
  /** Told about errors of idle connections (a server restart terminates them); the pool drops them. */
  onPoolError: (err: Error) => void;
}

export const DEFAULT_POSTGRES_OPTIONS: PostgresOptions = {
  poolMax: 10,
  statementTimeoutMs: 60_000,
  lockTimeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  onPoolError: () => {},
};

export function createDb(url: string = process.env.DATABASE_URL || DEFAULT_DATABASE_URL, options: Partial<PostgresOptions> = {}): Db {
  if (isPostgresUrl(url)) {
    const o = { ...DEFAULT_POSTGRES_OPTIONS, ...options };
    // Loaded lazily so SQLite installs never touch the pg driver.
    return new Kysely<DB>({
      dialect: new PostgresDialect({
        pool: async () => {
          const pg = await import("pg");
          // Counts and sums come back as strings by default; our numbers fit in a double.
          pg.default.types.setTypeParser(20, (v: string) => Number(v));
          pg.default.types.setTypeParser(1700, (v: string) => Number(v));
          const pool = new pg.default.Pool({
            connectionString: url,
            max: o.poolMax,
            statement_timeout: o.statementTimeoutMs,
            lock_timeout: o.lockTimeoutMs,
            connectionTimeoutMillis: o.connectTimeoutMs,
          });
          // Without a listener, an idle connection terminated by the server (57P01 on a restart)
          // is an unhandled 'error' event and ends the process. The pool discards that client.
          pool.on("error", (err) => o.onPoolError(err));
          // The pool's listener covers idle clients only: a client checked out (inside a
          // transaction, between its queries) when the server goes away emits 'error' on itself.
          // Its query fails and the pool discards it on release; the process must not end.
          pool.on("connect", (client) => client.on("error", (err) => o.onPoolError(err)));
          return pool;
        },
      }),
    });
  }
  const file = sqlitePathFromUrl(url);
  const handle = openSqlite(file);
  const db = new Kysely<DB>({ dialect: new ImmediateSqliteDialect({ database: handle }) });
  sqliteHandles.set(db, { handle, statements: new Map() });
  return db;
}

const sqliteHandles = new WeakMap<Kysely<any>, { handle: Database.Database; statements: Map<string, Database.Statement> }>();
const STATEMENT_CACHE = 32;

/**
 * All rows of a query, for bulk reads (the CSV export reads millions). On SQLite the query runs
 * on the better-sqlite3 handle with rows as arrays, prepared once and reused, and each row is
 * rebuilt as a plain object here: better-sqlite3 builds row objects through V8's C++ API, which
 * doubled the time of the export's main query (8.7 against 4.2 µs a row, measured). Kysely's
 * connection is held meanwhile, so no other query or transaction runs in between. Elsewhere
 * (PostgreSQL, inside a transaction) it is Kysely's own execute.
 */
export async function readAll<O>(db: Kysely<DB>, query: Compilable<O>): Promise<O[]> {
  const compiled = query.compile();
  const sqlite = sqliteHandles.get(db);
  if (!sqlite) return (await db.executeQuery(compiled)).rows as O[];
  return db.connection().execute(async () => {
    const statement = prepared(sqlite, compiled.sql);
    const names = statement.columns().map((c) => c.name);
    const arrays = statement.all(...(compiled.parameters as unknown[])) as unknown[][];
    const rows = new Array<O>(arrays.length);
    for (let i = 0; i < arrays.length; i++) {
      const values = arrays[i];
      const row: Record<string, unknown> = {};
      for (let c = 0; c < names.length; c++) row[names[c]] = values[c];
      rows[i] = row as O;
    }
    return rows;
  });
}

/** Like readAll, with each row as an array of its values in the query's select order: for the
 * hottest loop (the export), where even rebuilding objects shows. */
export async function readArrays(db: Kysely<DB>, query: Compilable<unknown>): Promise<unknown[][]> {
  const compiled = query.compile();
  const sqlite = sqliteHandles.get(db);
  if (!sqlite) return (await db.executeQuery(compiled)).rows.map((row) => Object.values(row as object));
  return db.connection().execute(async () => prepared(sqlite, compiled.sql).all(...(compiled.parameters as unknown[])) as unknown[][]);
}

function prepared(sqlite: { handle: Database.Database; statements: Map<string, Database.Statement> }, text: string): Database.Statement {
  let statement = sqlite.statements.get(text);
  if (!statement) {
    if (sqlite.statements.size >= STATEMENT_CACHE) sqlite.statements.clear();
    statement = sqlite.handle.prepare(text).raw(true);
    sqlite.statements.set(text, statement);
  }
  return statement;
}

export function dialectOf(db: Kysely<any>): "sqlite" | "postgres" {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

/** The better-sqlite3 handle behind a SQLite Kysely instance (null on PostgreSQL): for checks
 * that need SQLite itself (quick_check, the write probe, the online backup). Use it inside
 * `db.connection().execute(…)` when it must not interleave with Kysely's own queries. */
export function sqliteHandleOf(db: Kysely<any>): Database.Database | null {
  return sqliteHandles.get(db)?.handle ?? null;
}
