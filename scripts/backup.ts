// npm run backup -- --out FILE — an online backup of the database (SQLite backup API, or pg_dump
// in custom format for PostgreSQL) that is safe while the app is running.
import { parseArgs } from "node:util";
import { readConfig } from "../app/config.server";
import { backupDatabase } from "../db/backup";

let out: string | undefined;
try {
  out = parseArgs({ options: { out: { type: "string" } }, strict: true }).values.out;
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
}
if (!out) {
  console.error("Usage: npm run backup -- --out FILE");
  process.exit(2);
}
try {
  const result = await backupDatabase(readConfig().databaseUrl, out);
  console.log(`Backup written: ${result.file} (${result.kind}, ${result.bytes} bytes).`);
} catch (e) {
  console.error(`backup failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
