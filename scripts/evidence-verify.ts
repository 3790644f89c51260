// npm run evidence:verify -- pack.json
// Checks an evidence pack offline (no database, no network). Exit 0: every check held, with a
// summary. Exit 1: names the first failed check (then any others). Exit 2: could not run.
import fs from "node:fs";
import { verifyPack } from "../app/evidence/verify";

const file = process.argv.slice(2).filter((a) => a !== "--")[0];
if (!file || process.argv.slice(2).filter((a) => a !== "--").length > 1) {
  console.error("Usage: npm run evidence:verify -- pack.json");
  process.exit(2);
}

let text: string;
try {
  text = fs.readFileSync(file, "utf8");
} catch (e) {
  console.error(`evidence:verify could not read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}

let pack: unknown;
try {
  pack = JSON.parse(text);
} catch (e) {
  console.error(`Evidence pack FAILED verification: ${file} is not valid JSON (${e instanceof Error ? e.message : String(e)}).`);
  process.exit(1);
}

try {
  const report = verifyPack(pack);
  if (!report.ok) {
    console.error(`Evidence pack FAILED verification: ${report.failures[0]}.`);
    if (report.failures.length > 1) {
      console.error(`${report.failures.length - 1} further problem(s):`);
      for (const f of report.failures.slice(1)) console.error(`  - ${f}`);
    }
    process.exit(1);
  }
  const p = pack as { person: { name: string; email: string }; generatedAt: string; audit: { head: { seq: number; hash: string } | null } };
  console.log(`Evidence pack verified: ${p.person.name} <${p.person.email}>, produced ${p.generatedAt}.`);
  for (const line of report.passed) console.log(`  ok  ${line}`);
  if (p.audit.head) {
    console.log(
      `To tie this pack to the live system, check that audit entry ${p.audit.head.seq} there still has the hash ${p.audit.head.hash} ` +
        "(npm run audit:verify checks the whole chain).",
    );
  }
} catch (e) {
  console.error(`Evidence pack FAILED verification: the pack could not be read as an evidence pack (${e instanceof Error ? e.message : String(e)}).`);
  process.exit(1);
}
