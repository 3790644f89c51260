// A SQLite file and a PostgreSQL server for one test file, each migrated (and seeded, when asked):
// for tests that hold a feature to the same behaviour on both databases.
import { afterAll, beforeAll } from "vitest";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { freshDb, type TestDb } from "./db";
import { startPostgres } from "./postgres";

export type DatabaseName = "SQLite" | "PostgreSQL";

/** Registers the setup and teardown; `db(name)` is that database once the file's tests run. */
export function bothDatabases({ seed }: { seed?: (db: Db) => Promise<unknown> } = {}) {
  let pg: Awaited<ReturnType<typeof startPostgres>> | undefined;
  let pgDb: Db | undefined;
  let lite: TestDb | undefined;
  beforeAll(async () => {
    pg = await startPostgres();
    pgDb = createDb(pg.url);
    await migrateToLatest(pgDb);
    lite = await freshDb();
    if (seed) for (const db of [pgDb, lite.db]) await seed(db);
  }, 180_000);
  afterAll(async () => {
    await pgDb?.destroy();
    pg?.stop();
    await lite?.close();
  });
  return {
    names: [["SQLite"], ["PostgreSQL"]] as Array<[DatabaseName]>,
    db: (name: DatabaseName): Db => (name === "SQLite" ? lite!.db : pgDb!),
  };
}
