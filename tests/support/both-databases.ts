// The same test on SQLite and PostgreSQL side by side: a fresh SQLite file and a throwaway,
// migrated PostgreSQL server, opened in beforeAll and removed in afterAll.
import { afterAll, beforeAll } from "vitest";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { freshDb, type TestDb } from "./db";
import { startPostgres } from "./postgres";

export interface BothDatabases {
  /** The SQLite database. */
  lite: () => Db;
  /** The PostgreSQL database. */
  pg: () => Db;
  both: () => Db[];
}

/** Opens both databases for this file; `prepare` runs on each (e.g. seeding) before the tests. */
export function bothDatabases(prepare?: (db: Db) => Promise<void>): BothDatabases {
  let server: Awaited<ReturnType<typeof startPostgres>> | undefined;
  let pgDb: Db | undefined;
  let lite: TestDb | undefined;
  beforeAll(async () => {
    server = await startPostgres();
    pgDb = createDb(server.url);
    await migrateToLatest(pgDb);
    lite = await freshDb();
    for (const db of [pgDb, lite.db]) await prepare?.(db);
  }, 180_000);
  afterAll(async () => {
    await pgDb?.destroy();
    server?.stop();
    await lite?.close();
  });
  return { lite: () => lite!.db, pg: () => pgDb!, both: () => [lite!.db, pgDb!] };
}
