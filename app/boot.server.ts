// Starting the app: config, logger, database (migrated), catalog. Shared by server.ts and the
// demo script so both boot the same way.
import pino from "pino";
import { createDb, type Db } from "../db/connection";
import { migrateToLatest } from "../db/migrate";
import { readConfig, type AppConfig } from "./config.server";
import { formatProblems, loadCatalog, type Catalog } from "./courses/catalog.server";

export interface Booted {
  config: AppConfig;
  db: Db;
  catalog: Catalog;
  logger: pino.Logger;
}

export async function boot(env: NodeJS.ProcessEnv = process.env): Promise<Booted> {
  const config = readConfig(env);
  const logger = pino({ level: config.logLevel });
  const db = createDb(config.databaseUrl);
  const applied = await migrateToLatest(db);
  if (applied.length) logger.info({ applied }, "migrations applied");
  const catalog = loadCatalog(config.coursesDir);
  if (catalog.problems.length) {
    logger.error(`Some courses are broken and were left out:\n${formatProblems(catalog.problems)}`);
  }
  logger.info({ courses: [...catalog.courses.keys()], policies: [...catalog.policies.keys()] }, "catalog loaded");
  return { config, db, catalog, logger };
}
