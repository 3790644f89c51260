// The learning loop's hot page: a course module (compiled MDX, from the in-memory compile
// cache) against a bare page of the same server. The bare page, /account, is a real signed-in
// document that goes through the same stack (Express middleware, session validation, root
// loader and layout, React SSR) with one small query and no MDX, so the ratio isolates what
// the module page adds: its loader (assignment and progress queries) and rendering the MDX.
//
//   npm run bench -- learning-loop
//   BENCH_SECONDS=20 BENCH_ROUNDS=4 npm run bench -- learning-loop
//   BENCH_PROFILE=1 npm run bench -- learning-loop     (adds a CPU profile of each route)
import fs from "node:fs";
import path from "node:path";
import { sha256Hex } from "../../app/hash.server";
import { startBenchServer } from "./support/server";
import { getPage, loadOptions, machineNote, measure, median, table, writeJson, type LoadOptions, type Measurement, type RouteResult } from "./support/load";
import { printProfileDiff, printProfiles, profileRoutes, profilingWanted } from "./support/profile";
import { breakdown, printBreakdown } from "./support/breakdown";
import type { CaseOutcome } from "./support/types";

export const description = "module page (compiled MDX) vs. bare signed-in page, same server";

export const MODULE_PATH = "/courses/protecting-trade-secrets/what-is-a-trade-secret";
export const BARE_PATH = "/account";
export const TARGET = 0.7;
const EMAIL = "employee@example.com";

export async function run(): Promise<CaseOutcome> {
  const opts = loadOptions();
  const { routes: [bare, mod], perRound, otherCores } = await measureBoth(opts);
  const ratio = mod.rps / bare.rps;
  // The ratio within each round (adjacent slices), and their median: a burst of other work
  // that falls on one slice moves the median much less than the totals.
  const roundRatios = perRound.map(([b, m]) => m / b);
  const medianRatio = median(roundRatios);
  const ok = ratio >= TARGET;

  console.log("");
  console.log(indent(table([bare, mod])));
  console.log("");
  console.log(`  Note: ${machineNote()}.`);
  if (otherCores !== null) {
    const busy = otherCores >= 0.2;
    console.log(
      `  Other processes kept ${otherCores.toFixed(2)} cores busy during the measurement` +
        (busy ? ": the machine was not quiet, so expect noise (rerun, or raise BENCH_SECONDS)." : "."),
    );
  }
  if (bare.serverCpuMsPerRequest !== null && mod.serverCpuMsPerRequest !== null) {
    console.log(
      `  Server CPU per request: module ${mod.serverCpuMsPerRequest.toFixed(2)} ms, bare ${bare.serverCpuMsPerRequest.toFixed(2)} ms ` +
        `(bare/module = ${(bare.serverCpuMsPerRequest / mod.serverCpuMsPerRequest).toFixed(2)}; steadier than req/s when other work shares the machine).`,
    );
  }
  if (roundRatios.length > 1) {
    console.log(`  Per-round ratios: ${roundRatios.map((r) => r.toFixed(2)).join(", ")}; median ${medianRatio.toFixed(2)}.`);
  }

  // BENCH_PROFILE=1: a CPU profile of each route, each on its own fresh server, and an
  // in-process breakdown (loaders vs. rendering) of one request of each.
  const profiles = profilingWanted()
    ? await profileRoutes(
        "learning-loop",
        [
          { key: "bare", path: BARE_PATH },
          { key: "module", path: MODULE_PATH },
        ],
        EMAIL,
        opts,
      )
    : null;
  if (profiles) {
    printProfiles(profiles);
    printProfileDiff(profiles.bare, profiles.module, "the bare route", "the module page");
  }
  const moduleSource = () => fs.readFileSync(path.resolve("courses", "protecting-trade-secrets", "01-what-is-a-trade-secret.mdx"), "utf8");
  const split = profilingWanted()
    ? await breakdown({
        email: EMAIL,
        routes: [
          { key: "bare", path: BARE_PATH },
          { key: "module", path: MODULE_PATH },
        ],
        extra: { "sha256Hex(module source), as compileMdx does on every request": ((src) => () => sha256Hex(src))(moduleSource()) },
      })
    : null;
  if (split) printBreakdown(split);

  const file = writeJson("learning-loop", {
    case: "learning-loop",
    at: new Date().toISOString(),
    machine: machineNote(),
    otherCoresBusy: otherCores === null ? null : round(otherCores, 2),
    options: opts,
    routes: { bare: strip(bare), module: strip(mod) },
    ratio: round(ratio, 3),
    roundRatios: roundRatios.map((r) => round(r, 3)),
    medianRoundRatio: round(medianRatio, 3),
    target: TARGET,
    ok,
    ...(profiles ? { profiles } : {}),
    ...(split ? { breakdown: split } : {}),
  });
  console.log(`  results: ${file}`);
  console.log(`\nmodule page / bare route = ${ratio.toFixed(2)} (target ≥ ${TARGET.toFixed(2)}): ${ok ? "OK" : "BELOW TARGET"}`);
  return { ok, file, ratio, bare, module: mod };
}

async function measureBoth(opts: LoadOptions): Promise<Measurement> {
  const server = await startBenchServer();
  try {
    const cookie = await server.signIn(EMAIL);
    const bareUrl = server.origin + BARE_PATH;
    const moduleUrl = server.origin + MODULE_PATH;

    // Warm-up by hand first: both pages answer 200 with their real content, and the module's
    // MDX is compiled (the first request compiles it; later ones use the cache).
    for (let i = 0; i < 5; i++) {
      const bare = await getPage(bareUrl, cookie);
      if (!bare.includes("Your details") || !bare.includes("Erin Walsh")) throw new Error(`${BARE_PATH} did not render the profile`);
      const mod = await getPage(moduleUrl, cookie);
      if (mod.includes('role="status">Loading') || !mod.includes("What makes something a trade secret")) {
        throw new Error(`${MODULE_PATH} did not render its compiled MDX`);
      }
    }

    console.log(
      `  server pid ${server.pid} at ${server.origin}; ${opts.connections} connections, ${opts.warmupSeconds} s warm-up per route, ` +
        `then ${opts.seconds} s per route in ${opts.rounds} alternating round${opts.rounds === 1 ? "" : "s"}`,
    );
    return await measure(
      [
        { route: `bare route   ${BARE_PATH}`, url: bareUrl },
        { route: `module page  ${MODULE_PATH}`, url: moduleUrl },
      ],
      cookie,
      opts,
      server.pid,
    );
  } finally {
    await server.stop();
  }
}

function strip(r: RouteResult) {
  return {
    ...r,
    route: r.route.replace(/\s+/g, " "),
    rps: round(r.rps, 1),
    p50: round(r.p50, 2),
    p99: round(r.p99, 2),
    mean: round(r.mean, 2),
    serverCpuMsPerRequest: r.serverCpuMsPerRequest === null ? null : round(r.serverCpuMsPerRequest, 3),
  };
}
function round(n: number, digits: number) {
  return Number(n.toFixed(digits));
}
function indent(text: string) {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
