// npm run audit:checkpoint — signs a checkpoint of the audit log now (the scheduler takes one each
// run), appends it to the anchor file and asks the TSA (TSA_URL) for a timestamp of it, and of any
// checkpoint still waiting for one. Prints the checkpoint (a C2SP signed note) for the operator to
// keep. Exit 1 when the log is behind or no longer matches its last checkpoint.
import { createDb } from "../db/connection";
import { readConfig } from "../app/config.server";
import { loadInstanceKey } from "../app/keys/instance-key.server";
import { AnchorError, stampPending, takeCheckpoint } from "../app/audit/anchors.server";

const config = readConfig();
const db = createDb(config.databaseUrl);
try {
  const key = loadInstanceKey({ dataDir: config.dataDir, ...config.instanceKey });
  const now = new Date();
  const taken = await takeCheckpoint(db, { key, anchors: config.audit, now });
  if (!taken) console.log("The audit log is empty: no checkpoint taken.");
  else {
    console.log(taken.created ? `Checkpoint of ${taken.checkpoint.treeSize} entries signed and appended to ${config.audit.anchorFile}:` : `No new entries; the last checkpoint (${taken.checkpoint.createdAt}) stands:`);
    process.stdout.write(taken.checkpoint.note);
  }
  if (config.audit.tsaUrl) {
    const stamped = await stampPending(db, { anchors: config.audit, now });
    console.log(`Timestamps: ${stamped.stamped} received, ${stamped.failed} pending after a failed attempt.`);
    for (const p of stamped.problems) console.log(`  ${p}`);
  } else console.log("No TSA_URL: the checkpoint is signed but not timestamped.");
} catch (e) {
  console.error(e instanceof AnchorError ? e.message : `audit:checkpoint failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = e instanceof AnchorError ? 1 : 2;
} finally {
  await db.destroy();
}
