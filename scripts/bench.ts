// npm run bench [-- case ...] [--db postgres] — builds (npm does that), then runs the benchmark cases in
// scripts/bench/*.ts, each of which exports `run()`. No argument runs them all.
// Speed is measured here, never by timed assertions in tests.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { BenchCase } from "./bench/support/types";
import { exitAfterFlush } from "./support/exit";

const dir = path.resolve("scripts", "bench");
const available = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
  .map((f) => f.slice(0, -3))
  .sort();

// `--db postgres` measures on a throwaway PostgreSQL copy of each case's database (support/database.ts).
const argv = process.argv.slice(2).filter((a) => a !== "--");
const dbAt = argv.findIndex((a) => a === "--db" || a.startsWith("--db="));
if (dbAt >= 0) {
  const [flag] = argv.splice(dbAt, 1);
  const value = flag.includes("=") ? flag.slice("--db=".length) : argv.splice(dbAt, 1)[0];
  if (value !== "postgres" && value !== "sqlite") {
    console.error(`--db takes sqlite or postgres, not ${value ?? "nothing"}.`);
    process.exit(2);
  }
  process.env.BENCH_DB = value;
}
const wanted = argv;
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length) {
  console.error(`Unknown benchmark case: ${unknown.join(", ")}. Available: ${available.join(", ")}`);
  process.exit(2);
}
const cases = wanted.length ? wanted : available;

let failed = false;
for (const name of cases) {
  const mod = (await import(pathToFileURL(path.join(dir, `${name}.ts`)).href)) as Partial<BenchCase>;
  if (typeof mod.run !== "function") {
    console.error(`scripts/bench/${name}.ts does not export run(); skipped.`);
    failed = true;
    continue;
  }
  console.log(`\n▶ ${name}${mod.description ? `: ${mod.description}` : ""}`);
  try {
    const outcome = await mod.run();
    // Below target is reported, not failed: numbers on a shared machine are noisy. Set
    // BENCH_STRICT=1 to make a missed target fail the run (e.g. on a quiet CI machine).
    if (!outcome.ok && process.env.BENCH_STRICT === "1") failed = true;
  } catch (e) {
    console.error(`✗ ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    failed = true;
  }
}
await exitAfterFlush(failed ? 1 : 0);
