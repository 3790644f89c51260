// npm run scheduler -- --once [--now 2027-03-01T09:00:00Z] [--dry-run]
// npm run scheduler -- --preview-rules | --apply-rules
// npm run scheduler                      (runs every SCHEDULER_EVERY_MINUTES until stopped)
import { parseArgs } from "node:util";
import { boot } from "../app/boot.server";
import { formatSummary } from "../app/scheduler/scheduler.server";
import { runOnce } from "../app/scheduler/run.server";
import { applyRuleChanges, formatRuleChanges, previewRuleChanges } from "../app/scheduler/rule-changes.server";
import { exitAfterFlush, stopOnSignals } from "./support/exit";

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      once: { type: "boolean", default: false },
      now: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      "preview-rules": { type: "boolean", default: false },
      "apply-rules": { type: "boolean", default: false },
    },
    strict: true,
  }).values;
}
try {
  args = parse();
} catch (e) {
  fail(`${e instanceof Error ? e.message : String(e)}\nUsage: npm run scheduler -- --once [--now ISO-8601] [--dry-run] | --preview-rules | --apply-rules`);
}
const now = args.now ? new Date(args.now) : undefined;
if (now && Number.isNaN(now.getTime())) fail(`--now ${args.now} is not a date and time (try 2027-03-01T09:00:00Z)`);

process.env.LOG_LEVEL ??= "warn";
const { db, catalog, config } = await boot();
try {
  if (args["preview-rules"] || args["apply-rules"]) {
    const changes = await previewRuleChanges(db, { catalog, now: now ?? new Date() });
    console.log(formatRuleChanges(changes));
    if (args["apply-rules"]) {
      const applied = await applyRuleChanges(db, { catalog, now: now ?? new Date(), actorId: null });
      console.log(`Applied: ${applied.dueDatesChanged} due dates recalculated, ${applied.cancelled} assignments ended for people no longer in the audience.`);
    }
  } else if (args.once) {
    const result = await runOnce(db, { catalog, config, now, dryRun: args["dry-run"] });
    if (!result.ran) {
      console.log(`Not run: ${result.reason}.`);
    } else {
      console.log(formatSummary(result.summary));
      if (result.mail) console.log(`  Mail: ${result.mail.sent} sent, ${result.mail.retried} to retry, ${result.mail.failed} failed`);
      const a = result.anchor;
      if (a) console.log(`  Audit log: ${a.treeSize === null ? "no checkpoint" : `checkpoint of ${a.treeSize} entries${a.created ? " signed" : " (no new entries)"}`}; ${a.stamped} timestamped, ${a.pending} timestamps pending${a.problem ? ` — ${a.problem}` : ""}`);
    }
  } else {
    const every = Math.max(config.schedulerEveryMinutes, 1);
    console.log(`Running every ${every} minutes; Ctrl+C to stop.`);
    // SIGINT / SIGTERM: finish the run in progress (its batches are each one transaction, so a
    // harder stop would also be safe), release the lease, and end.
    let stopping = false;
    let wake: () => void = () => {};
    stopOnSignals("the current run", () => {
      stopping = true;
      wake();
    });
    while (!stopping) {
      const result = await runOnce(db, { catalog, config });
      console.log(result.ran ? formatSummary(result.summary) : `Not run: ${result.reason}.`);
      if (stopping) break;
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, every * 60_000);
      });
    }
  }
} finally {
  await db.destroy();
}
await exitAfterFlush(process.exitCode === undefined ? 0 : Number(process.exitCode));
