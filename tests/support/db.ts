// A real SQLite file per test, copied from the migrated template.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { createDb, type Db } from "../../db/connection";

export interface TestDb {
  db: Db;
  file: string;
  close: () => Promise<void>;
}

export async function freshDb(): Promise<TestDb> {
  const template = process.env.CONFIDANT_TEST_TEMPLATE;
  if (!template) throw new Error("The test template database is missing (global setup did not run).");
  const file = path.join(os.tmpdir(), `confidant-${randomUUID()}.sqlite`);
  fs.copyFileSync(template, file);
  const db = createDb(`file:${file}`);
  return {
    db,
    file,
    close: async () => {
      await db.destroy();
      for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    },
  };
}
