// npm run courses:publish -- <course> [--restart-in-progress] [--yes]
// Shows what publishing the courses folder's version of <course> would do (the scheduler's own
// dry run: who it reaches, how many assignments and emails), asks to confirm, then publishes it
// (audited). Without a terminal to ask, --yes confirms. Exit 0: published; 1: not published (not
// confirmed, unknown course, already published); 2: could not run.
import { parseArgs } from "node:util";
import readline from "node:readline/promises";
import { boot, type Booted } from "../app/boot.server";
import { formatPublicationPlan, planPublication, publishCourse } from "../app/scheduler/publishing.server";
import { exitAfterFlush } from "./support/exit";

const USAGE = "Usage: npm run courses:publish -- <course> [--restart-in-progress] [--yes]";

function stop(message: string): never {
  console.error(message);
  process.exit(2);
}

let values: { "restart-in-progress": boolean; yes: boolean; help: boolean };
let positionals: string[];
try {
  ({ values, positionals } = parseArgs({
    options: {
      "restart-in-progress": { type: "boolean", default: false },
      yes: { type: "boolean", short: "y", default: false },
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
if (positionals.length !== 1) stop(`Name one course folder.\n${USAGE}`);

async function confirm(): Promise<boolean> {
  if (values.yes) return true;
  if (!process.stdin.isTTY) {
    console.log("\nNot published: run again with --yes to confirm.");
    return false;
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question("\nPublish it? [y/N] ");
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

let booted: Booted | null = null;
let exitCode = 1;
try {
  booted = await boot();
  const opts = {
    catalogs: { live: booted.catalog, drafts: booted.drafts },
    courseId: positionals[0],
    restart: values["restart-in-progress"],
    now: new Date(),
    rules: booted.config.reminders,
    origin: booted.config.origin,
  };
  const plan = await planPublication(booted.db, opts);
  if (plan === "no_such_draft") {
    console.error(`There is no course '${positionals[0]}' in ${booted.config.coursesDir} (or it has problems: npm run courses:check).`);
  } else {
    console.log(formatPublicationPlan(plan));
    if (await confirm()) {
      const done = await publishCourse(booted.db, { ...opts, now: new Date(), contentHash: plan.contentHash, actorId: null });
      if (typeof done === "string") console.error(`Not published: ${done.replaceAll("_", " ")}.`);
      else {
        console.log(`Published ${plan.title} (${plan.contentHash}); the scheduler issues it from its next run.`);
        exitCode = 0;
      }
    }
  }
} catch (e) {
  console.error(`courses:publish could not run: ${e instanceof Error ? e.message : String(e)}`);
  exitCode = 2;
} finally {
  await booted?.db.destroy();
}
await exitAfterFlush(exitCode);
