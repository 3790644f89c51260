// db/schema.ts is hand-written; this keeps it honest against a freshly migrated database.
import fs from "node:fs";
import { sql } from "kysely";
import { afterEach, beforeEach, expect, test } from "vitest";
import { freshDb, onPostgres, type TestDb } from "../support/db";
import { migrateToLatest } from "../../db/migrate";

let t: TestDb;
beforeEach(async () => {
  t = await freshDb();
});
afterEach(async () => {
  await t.close();
});

/** Table → columns, read from the `interface XTable { … }` blocks of db/schema.ts. */
function declaredColumns(): Map<string, Set<string>> {
  const source = fs.readFileSync("db/schema.ts", "utf8");
  const dbBlock = /export interface DB \{([\s\S]*?)\n\}/.exec(source)![1];
  const tables = new Map<string, Set<string>>();
  for (const [, table, iface] of dbBlock.matchAll(/(\w+): (\w+);/g)) {
    const body = new RegExp(`export interface ${iface} \\{([\\s\\S]*?)\\n\\}`).exec(source)![1];
    tables.set(table, new Set([...body.matchAll(/^\s+(\w+):/gm)].map((m) => m[1])));
  }
  return tables;
}

/** The migrated database's tables and, for each, its columns: SQLite's catalogue or PostgreSQL's
 * information_schema. Kysely's own bookkeeping tables are left out. */
async function actualColumns(): Promise<Map<string, string[]>> {
  const tables = onPostgres()
    ? await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'kysely_%'`.execute(t.db)
    : await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'`.execute(t.db);
  const result = new Map<string, string[]>();
  for (const { name } of tables.rows) {
    const cols = onPostgres()
      ? await sql<{ name: string }>`select column_name as name from information_schema.columns where table_schema = 'public' and table_name = ${name}`.execute(t.db)
      : await sql<{ name: string }>`select name from pragma_table_info(${name})`.execute(t.db);
    result.set(name, cols.rows.map((c) => c.name).sort());
  }
  return result;
}

test("every table and column in db/schema.ts exists in the migrated database, and no others", async () => {
  const declared = declaredColumns();
  const actual = await actualColumns();
  const actualTables = [...actual.keys()].sort();
  expect(actualTables).toEqual([...declared.keys()].sort());
  for (const table of actualTables) {
    expect(actual.get(table), table).toEqual([...declared.get(table)!].sort());
  }
});

test("migrations are idempotent: running them again changes nothing", async () => {
  expect(await migrateToLatest(t.db)).toEqual([]);
});

test.skipIf(onPostgres())("every SQLite connection runs with WAL, synchronous=FULL, a busy timeout and foreign keys", async () => {
  const read = async (p: string) => (await sql.raw(`pragma ${p}`).execute(t.db)).rows[0] as Record<string, unknown>;
  expect(Object.values(await read("journal_mode"))[0]).toBe("wal");
  expect(Object.values(await read("synchronous"))[0]).toBe(2);
  expect(Object.values(await read("busy_timeout"))[0]).toBe(5000);
  expect(Object.values(await read("foreign_keys"))[0]).toBe(1);
});

test.runIf(onPostgres())("every PostgreSQL connection runs with the statement and lock timeouts of its settings", async () => {
  const { DEFAULT_POSTGRES_OPTIONS } = await import("../../db/connection");
  // pg_settings gives both in milliseconds.
  const setting = async (name: string) => (await sql<{ setting: string }>`select setting from pg_settings where name = ${name}`.execute(t.db)).rows[0].setting;
  expect(await setting("statement_timeout")).toBe(String(DEFAULT_POSTGRES_OPTIONS.statementTimeoutMs));
  expect(await setting("lock_timeout")).toBe(String(DEFAULT_POSTGRES_OPTIONS.lockTimeoutMs));
});
