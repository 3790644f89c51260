// db/schema.ts is hand-written; this keeps it honest against a freshly migrated database.
import fs from "node:fs";
import { sql } from "kysely";
import { afterEach, beforeEach, expect, test } from "vitest";
import { freshDb, type TestDb } from "../support/db";
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

test("every table and column in db/schema.ts exists in the migrated database, and no others", async () => {
  const declared = declaredColumns();
  const rows = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'`.execute(t.db);
  const actualTables = rows.rows.map((r) => r.name).sort();
  expect(actualTables).toEqual([...declared.keys()].sort());
  for (const table of actualTables) {
    const cols = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(t.db);
    expect(cols.rows.map((c) => c.name).sort(), table).toEqual([...declared.get(table)!].sort());
  }
});

test("migrations are idempotent: running them again changes nothing", async () => {
  expect(await migrateToLatest(t.db)).toEqual([]);
});

test("every connection runs with WAL, synchronous=FULL, a busy timeout and foreign keys", async () => {
  const read = async (p: string) => (await sql.raw(`pragma ${p}`).execute(t.db)).rows[0] as Record<string, unknown>;
  expect(Object.values(await read("journal_mode"))[0]).toBe("wal");
  expect(Object.values(await read("synchronous"))[0]).toBe(2);
  expect(Object.values(await read("busy_timeout"))[0]).toBe(5000);
  expect(Object.values(await read("foreign_keys"))[0]).toBe(1);
});
