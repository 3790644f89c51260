// The learning loop's hot page: a course module (compiled MDX, from the in-memory compile
// cache) against a bare page of the same server. The bare page, /account, is a real signed-in
// document that goes through the same stack (Express middleware, session validation, root
// loader and layout, React SSR) with one small query and no MDX, so the ratio isolates what
// the module page adds: its loader (assignment + progress queries) and rendering the MDX.
import { startBenchServer } from "./support/server";
import { getPage, loadOptions, machineNote, measure, table, writeJson, type RouteResult } from "./support/load";
import type { CaseOutcome } from "./support/types";

export const description = "module page (compiled MDX) vs. bare signed-in page, same server";

export const MODULE_PATH = "/courses/protecting-trade-secrets/what-is-a-trade-secret";
export const BARE_PATH = "/account";
export const TARGET = 0.7;
const EMAIL = "employee@example.com";

export async function run(): Promise<CaseOutcome> {
  const opts = loadOptions();
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

    console.log(`  server pid ${server.pid} at ${server.origin}; ${opts.connections} connections, ${opts.warmupSeconds} s warm-up + ${opts.seconds} s per route`);
    const bare = await measure(`bare route   ${BARE_PATH}`, bareUrl, cookie, opts);
    const mod = await measure(`module page  ${MODULE_PATH}`, moduleUrl, cookie, opts);
    const ratio = mod.rps / bare.rps;
    const ok = ratio >= TARGET;

    console.log("");
    console.log(indent(table([bare, mod])));
    console.log("");
    console.log(`  Note: ${machineNote()}.`);
    console.log(`  module page / bare route = ${ratio.toFixed(2)} (target ≥ ${TARGET.toFixed(2)}): ${ok ? "OK" : "BELOW TARGET"}`);

    const file = writeJson("learning-loop", {
      case: "learning-loop",
      at: new Date().toISOString(),
      machine: machineNote(),
      options: opts,
      routes: { bare: strip(bare), module: strip(mod) },
      ratio: round(ratio, 3),
      target: TARGET,
      ok,
    });
    console.log(`  results: ${file}`);
    return { ok, file, ratio, bare, module: mod };
  } finally {
    await server.stop();
  }
}

function strip(r: RouteResult) {
  return { ...r, route: r.route.replace(/\s+/g, " "), rps: round(r.rps, 1), mean: round(r.mean, 2) };
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
