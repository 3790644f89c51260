// npm run evidence:verify -- pack.json [--public-key FILE] [--checkpoint FILE] [--tsa-ca FILE]
// Checks an evidence pack offline (no database, no network). Exit 0: every check held, with a
// summary that says which key the signature was checked with. Exit 1: the pack was tampered
// with; names the first failed check (then any others). Exit 2: could not check (unreadable
// file, not JSON, a key of the wrong type, a timestamp token for other data), in one line.
// --checkpoint: a checkpoint saved earlier (the signed note, or the anchor file's JSON line or
// file, whose last checkpoint is used); the pack's log must extend it.
import fs from "node:fs";
import { parseArgs } from "node:util";
import { verifyPackOffline } from "../app/evidence/verify";
import { CannotCheck } from "../app/evidence/verify-anchor";
import { readPublicKey } from "../app/evidence/verify-signature";

const USAGE = "Usage: npm run evidence:verify -- pack.json [--public-key FILE] [--checkpoint FILE] [--tsa-ca FILE]";

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

/** A saved checkpoint: the signed note itself, or anchor-file JSON (one line, or the whole file: its last checkpoint). */
function readSavedCheckpoint(text: string, file: string): string {
  if (!text.trimStart().startsWith("{")) return text;
  const notes: string[] = [];
  for (const line of text.split("\n").filter((l) => l.trim())) {
    try {
      const v = JSON.parse(line) as { note?: unknown };
      if (typeof v.note === "string") notes.push(v.note);
    } catch {
      cannotCheck(`${file} is neither a checkpoint note nor anchor-file JSON`);
    }
  }
  if (!notes.length) cannotCheck(`${file} holds no checkpoint`);
  return notes[notes.length - 1];
}

let args: { values: { "public-key"?: string; checkpoint?: string; "tsa-ca"?: string }; positionals: string[] };
try {
  args = parseArgs({ options: { "public-key": { type: "string" }, checkpoint: { type: "string" }, "tsa-ca": { type: "string" } }, allowPositionals: true, strict: true, args: process.argv.slice(2).filter((a) => a !== "--") });
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

const savedCheckpoint = args.values.checkpoint ? readSavedCheckpoint(readText(args.values.checkpoint), args.values.checkpoint) : null;
const tsaTrustAnchorPem = args.values["tsa-ca"] ? readText(args.values["tsa-ca"]) : null;
if (tsaTrustAnchorPem !== null && !tsaTrustAnchorPem.includes("-----BEGIN CERTIFICATE-----")) cannotCheck(`${args.values["tsa-ca"]} is not a PEM certificate`);

let pack: unknown;
try {
  pack = JSON.parse(readText(file));
} catch (e) {
  cannotCheck(`${file} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
}

try {
  const report = await verifyPackOffline(pack, { publicKeyPem, savedCheckpoint, tsaTrustAnchorPem });
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
  if (report.credentialChanges.length) {
    console.log("Credential-change marks (a signature within 24 hours after a password set through a link someone else started):");
    for (const line of report.credentialChanges) console.log(`  ${line}`);
  }
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
  if (e instanceof CannotCheck) cannotCheck(e.message);
  console.error(`Evidence pack FAILED verification: the pack could not be read as an evidence pack (${e instanceof Error ? e.message : String(e)}).`);
  process.exit(1);
}
