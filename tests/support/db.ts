// A real database per test: a SQLite file copied from the migrated template, or — with
// CONFIDANT_TEST_DB=postgres — a PostgreSQL database created from the migrated template database.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { createDb, type Db } from "../../db/connection";

export interface TestDb {
  db: Db;
  /** The SQLite file ("" on PostgreSQL). */
  file: string;
  /** DATABASE_URL for this database, for child processes (scripts, servers). */
  url: string;
  close: () => Promise<void>;
}

export const onPostgres = () => process.env.CONFIDANT_TEST_DB === "postgres";

export async function freshDb(): Promise<TestDb> {
  const server = process.env.CONFIDANT_TEST_PG_SERVER;
  if (onPostgres()) {
    if (!server) throw new Error("The PostgreSQL test server is missing (global setup did not run).");
    const name = `t_${randomUUID().replace(/-/g, "")}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`create database ${name} template confidant_template`);
    await admin.end();
    const url = server.replace(/\/postgres$/, `/${name}`);
    const db = createDb(url);
    return {
      db,
      file: "",
      url,
      close: async () => {
        await db.destroy();
        const drop = new pg.Client({ connectionString: server });
        await drop.connect();
        await drop.query(`drop database if exists ${name} with (force)`);
        await drop.end();
      },
    };
  }
  const template = process.env.CONFIDANT_TEST_TEMPLATE;
  if (!template) throw new Error("The test template database is missing (global setup did not run).");
  const file = path.join(os.tmpdir(), `confidant-${randomUUID()}.sqlite`);
  fs.copyFileSync(template, file);
  const db = createDb(`file:${file}`);
  return {
    db,
    file,
    url: `file:${file}`,
    close: async () => {
      await db.destroy();
      for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    },
  };
}
