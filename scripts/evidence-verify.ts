// npm run evidence:verify -- pack.json [--public-key FILE]
// Checks an evidence pack offline (no database, no network). Exit 0: every check held, with a
// summary that says which key the signature was checked with. Exit 1: the pack was tampered
// with; names the first failed check (then any others). Exit 2: could not check (unreadable
// file, not JSON, a key of the wrong type), in one line.
import fs from "node:fs";
import { parseArgs } from "node:util";
import { verifyPack } from "../app/evidence/verify";
import { readPublicKey } from "../app/evidence/verify-signature";

const USAGE = "Usage: npm run evidence:verify -- pack.json [--public-key FILE]";

function cannotCheck(message: string): never {
  console.error(`evidence:verify could not check the pack: ${message}.`);
  process.exit(2);
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    cannotCheck(`could not read ${file} (${e instanceof Error ? e.message.replace(/^[A-Z]+: /, "") : String(e)})`);
  }
}

let args: { values: { "public-key"?: string }; positionals: string[] };
try {
  args = parseArgs({ options: { "public-key": { type: "string" } }, allowPositionals: true, strict: true, args: process.argv.slice(2).filter((a) => a !== "--") });
} catch (e) {
  console.error(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  process.exit(2);
}
if (args.positionals.length !== 1) {
  console.error(USAGE);
  process.exit(2);
}
const file = args.positionals[0];
const keyFile = args.values["public-key"];

let publicKeyPem: string | null = null;
if (keyFile) {
  try {
    publicKeyPem = readPublicKey(readText(keyFile), keyFile);
  } catch (e) {
    cannotCheck(e instanceof Error ? e.message : String(e));
  }
}

let pack: unknown;
try {
  pack = JSON.parse(readText(file));
} catch (e) {
  cannotCheck(`${file} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
}

try {
  const report = verifyPack(pack, { publicKeyPem });
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
  if (report.signature?.keySource === "embedded") {
    console.log(
      `Signature checked with the key embedded in the pack only. To show the instance produced it, check its key: ` +
        `npm run evidence:verify -- ${file} --public-key <key from ${report.signature.publishedAt ?? "the instance's /.well-known/confidant-signing-key"}>`,
    );
  }
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
