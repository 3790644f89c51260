// npm run audit:verify — walks the hash chain of the audit log. Exit 0: intact. Exit 1: names the
// first entry that was edited, deleted or moved.
import { createDb } from "../db/connection";
import { readConfig } from "../app/config.server";
import { verifyAuditChain } from "../app/audit/audit.server";

const db = createDb(readConfig().databaseUrl);
try {
  const report = await verifyAuditChain(db);
  if (report.ok) {
    console.log(`Audit chain intact: ${report.entries} entries, head ${report.head}.`);
  } else {
    console.error(`Audit chain BROKEN at entry ${report.seq}: ${report.problem}.`);
    process.exitCode = 1;
  }
} catch (e) {
  console.error(`audit:verify could not read the audit log: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 2;
} finally {
  await db.destroy();
}
