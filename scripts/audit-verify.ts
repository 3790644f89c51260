// npm run audit:verify [-- --anchors FILE] [--public-key FILE] — checks the audit log against its
// anchors: the hash chain, the Merkle tree under every checkpoint, every checkpoint's signature,
// every timestamp token (TSA_CA_FILE is the trust anchor), the log's length against its last
// checkpoint and the anchor file (AUDIT_ANCHOR_FILE, or a copy given with --anchors), and every
// evidence row against the entry that recorded it.
// Exit 0: intact. Exit 1: tampered or behind its anchor, the first problem named. Exit 2: could not check.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createDb } from "../db/connection";
import { readConfig } from "../app/config.server";
import { INSTANCE_KEY_FILE, loadInstanceKey } from "../app/keys/instance-key.server";
import { verifyAuditLog } from "../app/audit/verify.server";

function couldNotCheck(message: string): never {
  console.error(`audit:verify could not check: ${message}`);
  process.exit(2);
}

let args: { anchors?: string; "public-key"?: string };
try {
  args = parseArgs({ options: { anchors: { type: "string" }, "public-key": { type: "string" } }, strict: true }).values;
} catch (e) {
  couldNotCheck(`${e instanceof Error ? e.message : String(e)} (usage: npm run audit:verify -- [--anchors FILE] [--public-key FILE])`);
}
const config = readConfig();
let publicKey: string | null = null;
try {
  const { pem, file } = config.instanceKey;
  // Verifying never creates a key: without one here, checkpoints (if any) cannot be checked.
  if (args["public-key"]) publicKey = fs.readFileSync(args["public-key"], "utf8");
  else if (pem || file || fs.existsSync(path.join(config.dataDir, INSTANCE_KEY_FILE))) publicKey = loadInstanceKey({ dataDir: config.dataDir, pem, file }).publicKeyPem;
} catch (e) {
  couldNotCheck(`no public key to check checkpoints with (${e instanceof Error ? e.message : String(e)})`);
}
let trustAnchorsPem: string | null = null;
if (config.audit.tsaCaFile) {
  try {
    trustAnchorsPem = fs.readFileSync(config.audit.tsaCaFile, "utf8");
  } catch {
    couldNotCheck(`TSA_CA_FILE ${config.audit.tsaCaFile} cannot be read`);
  }
}

const db = createDb(config.databaseUrl);
try {
  const report = await verifyAuditLog(db, { publicKey, anchorFile: args.anchors ?? config.audit.anchorFile, trustAnchorsPem });
  if (report.status === 0) {
    console.log(`Audit log intact: ${report.entries} entries, head ${report.head}.`);
    for (const n of report.notes) console.log(`  ${n}`);
  } else if (report.status === 1) {
    console.error(`Audit log TAMPERED: ${report.problems[0]}.`);
    for (const p of report.problems.slice(1, 20)) console.error(`  also: ${p}`);
    if (report.problems.length > 20) console.error(`  … and ${report.problems.length - 20} more problems`);
  } else {
    console.error(`audit:verify could not check: ${report.unchecked[0]}.`);
    for (const n of report.notes) console.error(`  ${n}`);
  }
  process.exitCode = report.status;
} catch (e) {
  console.error(`audit:verify could not read the audit log: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 2;
} finally {
  await db.destroy();
}
