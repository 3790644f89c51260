// npm run evidence -- --email someone@example.com [--out dir] [--now ISO-8601]
// Writes <dir>/evidence-<email>-<date>.pdf and .json for one person (people who have left
// included), records "evidence.produced" in the audit log, and prints how to verify the pack.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createDb } from "../db/connection";
import { readConfig } from "../app/config.server";
import { commandLineProducer } from "../app/evidence/pack.server";
import { produceSignedEvidence } from "../app/evidence/produce.server";

const USAGE = "Usage: npm run evidence -- --email someone@example.com [--out dir]";

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

let values: { email?: string; out?: string; now?: string };
try {
  values = parseArgs({
    options: { email: { type: "string" }, out: { type: "string" }, now: { type: "string" } },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (e) {
  fail(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
}
if (!values.email || !values.email.includes("@")) fail(`Give the person's email address.\n${USAGE}`);
const now = values.now ? new Date(values.now) : new Date();
if (Number.isNaN(now.getTime())) fail(`--now ${values.now} is not a date and time (try 2027-03-01T09:00:00Z)`);
const dir = path.resolve(values.out ?? ".");

const config = readConfig();
const db = createDb(config.databaseUrl);
try {
  fs.mkdirSync(dir, { recursive: true });
  const email = values.email.trim().toLowerCase();
  const produced = await produceSignedEvidence(db, config, { who: { email }, generatedBy: commandLineProducer(), now, formats: ["json", "pdf"] });
  if (!produced) {
    console.error(`There is nobody with the email ${email}.`);
    process.exitCode = 1;
  } else {
    const jsonFile = path.join(dir, `${produced.baseName}.json`);
    const pdfFile = path.join(dir, `${produced.baseName}.pdf`);
    fs.writeFileSync(jsonFile, produced.json);
    fs.writeFileSync(pdfFile, produced.pdf!);
    const { pack } = produced;
    const rel = (f: string) => {
      const r = path.relative(process.cwd(), f);
      return r && !r.startsWith("..") ? r : f;
    };
    console.log(`Evidence pack for ${pack.person.name} <${pack.person.email}> (${pack.person.status})`);
    console.log(`  ${pack.cycles.length} training cycle(s), ${pack.attestations.length} signed agreement(s), ${pack.audit.entries.length} audit entries`);
    console.log(`  PDF:  ${rel(pdfFile)}  (SHA-256 ${produced.pdfSha256})`);
    console.log(`  JSON: ${rel(jsonFile)}  (SHA-256 ${produced.jsonSha256})`);
    console.log(`  packSha256 ${pack.packSha256}; audit chain head at export: entry ${pack.audit.head?.seq ?? "-"}`);
    console.log(`  Signed by the instance key ${pack.signingKey.fingerprint} (published at ${pack.signingKey.publishedAt})`);
    console.log(`\nVerify it offline with:\n  npm run evidence:verify -- ${rel(jsonFile)}`);
  }
} catch (e) {
  console.error(`evidence failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
