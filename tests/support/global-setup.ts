// Once per run: a migrated template database that every integration test copies — a SQLite file,
// or, with CONFIDANT_TEST_DB=postgres, a template database on a throwaway PostgreSQL server, so
// that the same suites run on both databases.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createDb } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { startPostgres } from "./postgres";

export const PG_TEMPLATE = "confidant_template";

export default async function setup() {
  if (process.env.CONFIDANT_TEST_DB === "postgres") {
    const server = await startPostgres();
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`create database ${PG_TEMPLATE}`);
    await admin.end();
    const db = createDb(server.url.replace(/\/postgres$/, `/${PG_TEMPLATE}`));
    await migrateToLatest(db);
    await db.destroy();
    process.env.CONFIDANT_TEST_PG_SERVER = server.url;
    return () => server.stop();
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-test-"));
  const template = path.join(dir, "template.sqlite");
  const db = createDb(`file:${template}`);
  await migrateToLatest(db);
  await db.destroy();
  process.env.CONFIDANT_TEST_TEMPLATE = template;
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
