// Where a bench case measures: the SQLite file it seeded, or — with `npm run bench -- --db postgres`
// — a throwaway PostgreSQL server on 127.0.0.1 holding a copy of that file. Seeding stays SQLite's
// prepared statements (minutes for millions of rows); the copy moves each table in batches of JSON
// rows, with foreign keys and triggers off for the copy only, then ANALYZE, so the measured part runs
// on a PostgreSQL database with the same rows and its planner's statistics.
import { sql } from "kysely";
import { createDb, openSqlite } from "../../../db/connection";
import { migrateToLatest } from "../../../db/migrate";
import { startPostgres } from "../../../tests/support/postgres";

export type BenchDb = "sqlite" | "postgres";

/** The database the cases measure: `--db postgres` (set by scripts/bench.ts) or SQLite. */
export function benchDb(): BenchDb {
  return process.env.BENCH_DB === "postgres" ? "postgres" : "sqlite";
}

const BATCH = 5_000;

export interface MeasuredDatabase {
  db: BenchDb;
  url: string;
  close: () => void;
}

/** The SQLite file itself, or a PostgreSQL copy of it on a server of its own (stopped by close). */
export async function measuredDatabase(file: string): Promise<MeasuredDatabase> {
  if (benchDb() === "sqlite") return { db: "sqlite", url: `file:${file}`, close: () => {} };
  const started = Date.now();
  const server = await startPostgres();
  try {
    const rows = await copyIntoPostgres(file, server.url);
    console.log(`  copied ${rows.toLocaleString()} rows into PostgreSQL in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return { db: "postgres", url: server.url, close: server.stop };
  } catch (e) {
    server.stop();
    throw e;
  }
}

async function copyIntoPostgres(file: string, url: string): Promise<number> {
  const target = createDb(url);
  const source = openSqlite(file);
  let copied = 0;
  try {
    await migrateToLatest(target);
    const tables = source.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'").pluck().all() as string[];
    await target.connection().execute(async (conn) => {
      // Rows arrive in any order (a manager after their reports): no foreign-key or trigger checks
      // for this connection while it copies what SQLite already checked.
      await sql`set session_replication_role = replica`.execute(conn);
      for (const table of tables) {
        let batch: unknown[] = [];
        const flush = async () => {
          if (!batch.length) return;
          await sql`insert into ${sql.table(table)} select * from json_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(batch)}::json)`.execute(conn);
          copied += batch.length;
          batch = [];
        };
        for (const row of source.prepare(`select * from "${table}"`).iterate() as Iterable<Record<string, unknown>>) {
          for (const [k, v] of Object.entries(row)) if (Buffer.isBuffer(v)) row[k] = `\\x${v.toString("hex")}`;
          batch.push(row);
          if (batch.length >= BATCH) await flush();
        }
        await flush();
      }
      await sql`set session_replication_role = origin`.execute(conn);
      // Serial columns continue after the copied ids.
      const serials = await sql<{ table_name: string; column_name: string }>`select table_name, column_name from information_schema.columns where table_schema = 'public' and column_default like 'nextval%'`.execute(conn);
      for (const s of serials.rows) {
        await sql`select setval(pg_get_serial_sequence(${s.table_name}, ${s.column_name}), coalesce((select max(${sql.ref(s.column_name)}) from ${sql.table(s.table_name)}), 0) + 1, false)`.execute(conn);
      }
      await sql`analyze`.execute(conn);
    });
  } finally {
    source.close();
    await target.destroy();
  }
  return copied;
}
