// BENCH_PROFILE=1: a CPU profile of the server under load, one route at a time, each on a
// fresh server started with --cpu-prof. Prints where the time went and keeps the
// .cpuprofile files (open them in Chrome DevTools › Performance, or speedscope).
import fs from "node:fs";
import path from "node:path";
import { makeTempDir, startBenchServer } from "./server";
import { getPage, type LoadOptions } from "./load";
import { summarize, type ProfileSummary } from "./cpuprofile";
import autocannon from "autocannon";

export function profilingWanted(): boolean {
  return process.env.BENCH_PROFILE === "1";
}

/** Functions worth seeing inclusive time for (all their callees), when present. */
const INCLUSIVE = [
  "getLoadContext",
  "validateSessionToken",
  "executeQuery",
  "sha256Hex",
  "compileMdx",
  "renderToPipeableStream",
  "loader",
  "getCourseState",
  "courseAccess",
  "getOwnProfile",
];

export async function profileRoutes(
  caseName: string,
  routes: Array<{ key: string; path: string }>,
  signInAs: string,
  opts: LoadOptions,
): Promise<Record<string, RouteProfile>> {
  const seconds = Number(process.env.BENCH_PROFILE_SECONDS || 5);
  const outDir = path.resolve("data", "bench", "profiles");
  fs.mkdirSync(outDir, { recursive: true });
  const out: Record<string, RouteProfile> = {};
  for (const route of routes) {
    const { dir: tmp, remove } = makeTempDir("confidant-profile-");
    // The profiler's own sampling keeps an idle process a little busy.
    let requests = 0;
    const server = await startBenchServer({ nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${tmp}`], idleShare: 0.3 });
    try {
      const cookie = await server.signIn(signInAs);
      for (let i = 0; i < 20; i++) await getPage(server.origin + route.path, cookie);
      const load = (duration: number) =>
        new Promise<autocannon.Result>((resolve, reject) =>
          autocannon(
            { url: server.origin + route.path, connections: opts.connections, duration, headers: { cookie, accept: "text/html" } },
            (err, res) => (err ? reject(err) : resolve(res)),
          ),
        );
      // Warm-up (left out of the summary, which reads only the last `seconds`), then the load.
      if (opts.warmupSeconds > 0) await load(opts.warmupSeconds);
      const r = await load(seconds);
      if (r.non2xx || r.errors) throw new Error(`profiling ${route.path}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      requests = r.requests.total;
    } finally {
      await server.stop(); // SIGTERM: the server exits normally and writes its profile
    }
    // The main thread's profile is the largest (tsx's loader thread writes a small one too).
    const files = fs.readdirSync(tmp).map((f) => path.join(tmp, f));
    const main = files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
    if (!main) throw new Error(`no CPU profile was written for ${route.path}`);
    const file = path.join(outDir, `${caseName}-${route.key}.cpuprofile`);
    fs.copyFileSync(main, file);
    remove();
    // Only the load itself: the last `seconds` of the profile, minus the shutdown.
    const summary = summarize(file, INCLUSIVE, 200, seconds * 1000);
    out[route.key] = { ...summary, topSelf: summary.topSelf.slice(0, 30), requests, busyMsPerRequest: summary.busyMs / requests, file: path.relative(process.cwd(), file) };
  }
  return out;
}

export interface RouteProfile extends ProfileSummary {
  file: string;
  requests: number;
  busyMsPerRequest: number;
}

export function printProfiles(profiles: Record<string, RouteProfile>) {
  for (const [key, s] of Object.entries(profiles)) {
    console.log(
      `\n  CPU profile, ${key} (${s.file}): busy ${s.busyMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms, ` +
        `${s.requests} requests, ${s.busyMsPerRequest.toFixed(2)} ms CPU per request (profiler overhead included)`,
    );
    console.log(`    by area:   ${s.byArea.slice(0, 10).map((a) => `${a.area} ${a.pct.toFixed(1)}%`).join(", ")}`);
    console.log(`    inclusive: ${s.inclusive.map((a) => `${a.name} ${a.pct.toFixed(1)}%`).join(", ")}`);
    console.log(`    top self:  ${s.topSelf.slice(0, 12).map((a) => `${a.name} ${a.pct.toFixed(1)}%`).join(", ")}`);
  }
}

/** Per-request CPU by area, second route minus first: where the extra time goes. */
export function printProfileDiff(base: RouteProfile, other: RouteProfile, baseName: string, otherName: string, rows = 12) {
  const perReq = (p: RouteProfile) => new Map(p.byArea.map((a) => [a.area, a.ms / p.requests]));
  const a = perReq(base);
  const b = perReq(other);
  const areas = new Set([...a.keys(), ...b.keys()]);
  const diff = [...areas]
    .map((k) => ({ area: k, base: a.get(k) ?? 0, other: b.get(k) ?? 0 }))
    .map((d) => ({ ...d, delta: d.other - d.base }))
    .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta));
  const total = other.busyMsPerRequest - base.busyMsPerRequest;
  console.log(`\n  Where ${otherName} spends more CPU per request than ${baseName} (total ${total >= 0 ? "+" : ""}${total.toFixed(3)} ms):`);
  for (const d of diff.slice(0, rows)) {
    console.log(`    ${(d.delta >= 0 ? "+" : "") + d.delta.toFixed(3)} ms  ${d.area.padEnd(32)} (${d.base.toFixed(3)} → ${d.other.toFixed(3)})`);
  }
  const inc = (p: RouteProfile) => new Map(p.inclusive.map((x) => [x.name, x.ms / p.requests]));
  const ia = inc(base);
  const ib = inc(other);
  const names = [...new Set([...ia.keys(), ...ib.keys()])];
  console.log(`    inclusive per request: ${names.map((n) => `${n} ${(ia.get(n) ?? 0).toFixed(3)} → ${(ib.get(n) ?? 0).toFixed(3)} ms`).join("; ")}`);
}
