// npm run export:assignments -- [--out file.csv] [--course ID] [--department NAME] [--status STATUS]
//                                [--cycle CYCLE] [--manager USER_ID] [--type employee|contractor] [--now ISO-8601]
// Writes every matching assignment as CSV (the same file as /hr/export/assignments.csv), to
// stdout unless --out is given. People who have left are included. The export is audited.
import fs from "node:fs";
import path from "node:path";
import { once } from "node:events";
import { parseArgs } from "node:util";
import type { Writable } from "node:stream";
import { createDb } from "../db/connection";
import { readConfig } from "../app/config.server";
import { assignmentsCsv, recordExportRequest } from "../app/reports/export.server";
import { parseFilters, STATUS_FILTERS } from "../app/reports/filters.server";

const USAGE =
  "Usage: npm run export:assignments -- [--out file.csv] [--course ID] [--department NAME] [--status STATUS] " +
  "[--cycle CYCLE] [--manager USER_ID] [--type employee|contractor] [--now ISO-8601]";

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

let values: Record<string, string | undefined>;
try {
  values = parseArgs({
    options: {
      out: { type: "string" },
      course: { type: "string" },
      department: { type: "string" },
      status: { type: "string" },
      cycle: { type: "string" },
      manager: { type: "string" },
      type: { type: "string" },
      now: { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (e) {
  fail(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
}

const params = new URLSearchParams();
for (const key of ["course", "department", "status", "cycle", "manager", "type"]) {
  if (values[key] !== undefined) params.set(key, values[key]!);
}
const filters = parseFilters(params);
if (!filters) {
  fail(`That filter is not valid. --status is one of ${STATUS_FILTERS.join(", ")}; --type is employee or contractor; --course is a course id.\n${USAGE}`);
}
const now = values.now ? new Date(values.now) : new Date();
if (Number.isNaN(now.getTime())) fail(`--now ${values.now} is not a date and time (try 2027-03-01T09:00:00Z)`);

// `| head` closing the pipe early is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

const db = createDb(readConfig().databaseUrl);
let out: Writable = process.stdout;
let rows = 0;
try {
  await recordExportRequest(db, { actorId: null, filters, via: "command line", now });
  if (values.out) out = fs.createWriteStream(path.resolve(values.out));
  for await (const chunk of assignmentsCsv(db, { filters, now, onPage: (n) => (rows += n) })) {
    // Respect back-pressure: wait for the file (or pipe) to drain before reading the next page.
    if (!out.write(chunk)) await once(out, "drain");
  }
  if (out !== process.stdout) {
    out.end();
    await once(out, "finish");
  }
  console.error(`Exported ${rows} assignment${rows === 1 ? "" : "s"}${values.out ? ` to ${values.out}` : ""}.`);
} catch (e) {
  console.error(`export:assignments failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
