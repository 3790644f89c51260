// npm run db:migrate — applies pending migrations (the app also does this on start).
import { createDb } from "../db/connection";
import { migrateToLatest } from "../db/migrate";
import { readConfig } from "../app/config.server";

const db = createDb(readConfig().databaseUrl);
try {
  const applied = await migrateToLatest(db);
  console.log(applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
} finally {
  await db.destroy();
}
