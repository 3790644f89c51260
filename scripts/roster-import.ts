// npm run roster:import -- people.csv [--dry-run] [--deactivate-missing]
// Prints what the file would change. Without --dry-run it then applies it, all in one transaction.
// A file with problems changes nothing: each is printed as "file:line  problem" and the exit code
// is 1. Exit code 2: the command could not run (bad arguments, unreadable file, database).
import fs from "node:fs";
import { parseArgs } from "node:util";
import { createDb, type Db } from "../db/connection";
import { migrateToLatest } from "../db/migrate";
import { systemClock } from "../app/clock";
import { formatRosterProblems } from "../app/roster/csv.server";
import { formatPlanText, plural } from "../app/roster/format";
import { importRosterText, readRosterBytes } from "../app/roster/import.server";
import { planIsEmpty } from "../app/roster/plan.server";
import { exitAfterFlush } from "./support/exit";

const USAGE = "Usage: npm run roster:import -- <file.csv> [--dry-run] [--deactivate-missing]";

function stop(message: string): never {
  console.error(message);
  process.exit(2);
}

let values: { "dry-run": boolean; "deactivate-missing": boolean; help: boolean };
let positionals: string[];
try {
  ({ values, positionals } = parseArgs({
    options: {
      "dry-run": { type: "boolean", default: false },
      "deactivate-missing": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
    strict: true,
  }));
} catch (e) {
  stop(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (positionals.length !== 1) stop(`Name one roster file.\n${USAGE}`);
const file = positionals[0];

let bytes: Buffer;
try {
  bytes = fs.readFileSync(file);
} catch (e) {
  stop(`Cannot read ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : e instanceof Error ? e.message : String(e)}`);
}
const read = readRosterBytes(bytes);
if (!read.ok) {
  console.error(`${file}:1  ${read.message}`);
  process.exit(1);
}

let db: Db | null = null;
let exitCode = 0;
try {
  db = createDb();
  await migrateToLatest(db);
  const { plan, summary } = await importRosterText(
    db,
    { fileName: file, text: read.text, sha256: read.sha256, deactivateMissing: values["deactivate-missing"], dryRun: values["dry-run"] },
    systemClock,
  );
  if (plan.problems.length > 0) {
    console.error(formatRosterProblems(file, plan.problems));
    console.error(`\n${plural(plan.problems.length, "problem")} in ${file}; nothing was changed.`);
    exitCode = 1;
  } else {
    console.log(formatPlanText(plan, file));
    if (values["dry-run"]) {
      console.log("\nDry run: nothing was changed. Run again without --dry-run to apply.");
    } else if (summary) {
      const c = summary.counts;
      console.log(
        `\n${planIsEmpty(plan) ? "Nothing to change; the import was recorded" : "Applied"}: ${c.added} added, ${c.changed} changed, ${c.leave} put on leave, ` +
          `${c.returned} returned from leave, ${c.reactivated} reactivated, ${c.deactivated} deactivated (import ${summary.importId}).`,
      );
    }
  }
} catch (e) {
  console.error(`roster:import could not run: ${e instanceof Error ? e.message : String(e)}`);
  exitCode = 2;
} finally {
  await db?.destroy();
}
await exitAfterFlush(exitCode);
