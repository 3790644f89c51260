// Once per run: a migrated SQLite template that every integration test copies.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";

export default async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-test-"));
  const template = path.join(dir, "template.sqlite");
  const db = createDb(`file:${template}`);
  await migrateToLatest(db);
  await db.destroy();
  process.env.CONFIDANT_TEST_TEMPLATE = template;
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
