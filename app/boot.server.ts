// Starting the app: config, logger, database (migrated), catalog. Shared by server.ts and the
// demo script so both boot the same way.
import pino from "pino";
import { createDb, type Db } from "../db/connection";
import { migrateToLatest } from "../db/migrate";
import { checkSqliteFolder, checkStorageAtStart, explainOpenError } from "../db/storage";
import { sql } from "kysely";
import { readConfig, type AppConfig } from "./config.server";
import { formatProblems, loadCatalog, type Catalog } from "./courses/catalog.server";
import { liveCatalog } from "./courses/live.server";
import { recordBaseline } from "./scheduler/publishing.server";

export interface Booted {
  config: AppConfig;
  db: Db;
  /** The live catalog: each course at the version HR published (decision 024). */
  catalog: Catalog;
  /** The courses folder as it is now: drafts, previewed and published from HR's course pages. */
  drafts: Catalog;
  logger: pino.Logger;
}

export async function boot(env: NodeJS.ProcessEnv = process.env): Promise<Booted> {
  const config = readConfig(env);
  const logger = pino({ level: config.logLevel });
  checkSqliteFolder(config.databaseUrl);
  let db: Db;
  try {
    db = createDb(config.databaseUrl, {
      ...config.database,
      onPoolError: (err) => logger.warn({ code: (err as { code?: string }).code, err: err.message }, "database connection dropped by the server; the pool replaces it"),
    });
  } catch (err) {
    throw explainOpenError(err, config.databaseUrl);
  }
  await waitForDatabase(db, { timeoutMs: config.database.startTimeoutMs, logger });
  await checkStorageAtStart(db, config.databaseUrl, { quickCheck: config.database.quickCheck });
  const applied = await migrateToLatest(db);
  if (applied.length) logger.info({ applied }, "migrations applied");
  const drafts = loadCatalog(config.coursesDir);
  if (drafts.problems.length) {
    logger.error(`Some courses are broken and were left out:\n${formatProblems(drafts.problems)}`);
  }
  // The first start after the upgrade records the courses live today as published.
  const baseline = await recordBaseline(db, drafts, new Date());
  if (baseline.length) logger.info({ courses: baseline }, "courses recorded as published at upgrade");
  const catalog = await liveCatalog(db, drafts);
  const unpublished = [...drafts.courses.keys()].filter((id) => !catalog.courses.has(id));
  logger.info({ courses: [...catalog.courses.keys()], drafts: unpublished, policies: [...catalog.policies.keys()] }, "catalog loaded");
  return { config, db, catalog, drafts, logger };
}

/** PostgreSQL may still be starting (or restarting) when the app does: retry with backoff, then
 * fail naming what the driver said rather than a generic migration error. */
export async function waitForDatabase(db: Db, { timeoutMs, logger }: { timeoutMs: number; logger: pino.Logger }): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1, delay = 250; ; attempt++, delay = Math.min(delay * 2, 5_000)) {
    try {
      await sql`select 1`.execute(db);
      return;
    } catch (err) {
      const why = `${(err as { code?: string }).code ?? ""} ${err instanceof Error ? err.message : String(err)}`.trim();
      if (Date.now() + delay > deadline) {
        throw new Error(`Cannot reach the database (${why}) after ${attempt} attempt${attempt === 1 ? "" : "s"} over ${Math.round(timeoutMs / 1000)} s. Is it running, and is DATABASE_URL right?`);
      }
      logger.warn({ attempt, why }, "database not reachable yet; retrying");
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
