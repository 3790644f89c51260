// Online backups that keep every acknowledged write: SQLite's backup API (better-sqlite3's
// db.backup(), page by page under SQLite's own locking, never a file copy of a live WAL database)
// and pg_dump (custom format) for PostgreSQL. Neither includes the anchor file: after a restore,
// audit:verify compares the restored log with it and says how far behind the database is.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { isPostgresUrl, openSqlite, sqlitePathFromUrl } from "./connection";

export interface BackupResult {
  kind: "sqlite" | "postgres";
  file: string;
  bytes: number;
}

export async function backupDatabase(url: string, out: string): Promise<BackupResult> {
  const file = path.resolve(out);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (fs.existsSync(file)) throw new Error(`${file} already exists; a backup never overwrites a file.`);
  if (isPostgresUrl(url)) {
    await run("pg_dump", ["--format=custom", "--no-owner", `--file=${file}`, `--dbname=${url}`]);
    return { kind: "postgres", file, bytes: fs.statSync(file).size };
  }
  const source = sqlitePathFromUrl(url);
  if (!fs.existsSync(source)) throw new Error(`There is no SQLite database at ${source}.`);
  const handle = openSqlite(source);
  try {
    await handle.backup(file);
  } finally {
    handle.close();
  }
  return { kind: "sqlite", file, bytes: fs.statSync(file).size };
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", (e) => reject(new Error(`${command} could not be started (${e.message}); install the PostgreSQL client tools.`)));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${command} failed: ${stderr.trim()}`))));
  });
}
