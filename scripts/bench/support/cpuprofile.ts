// Reads a V8 .cpuprofile (node --cpu-prof) into a short summary: where the time went by
// function (self time), by package or source file, and the inclusive time of named functions.
//   npx tsx scripts/bench/support/cpuprofile.ts data/bench/profiles/x.cpuprofile [lastMs] [fn …]
import fs from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  busyMs: number;
  topSelf: Array<{ name: string; ms: number; pct: number }>;
  byArea: Array<{ area: string; ms: number; pct: number }>;
  inclusive: Array<{ name: string; ms: number; pct: number }>;
}

/** Groups a script URL into a readable area: a package name, an app folder, or node internals. */
export function areaOf(url: string): string {
  if (!url) return "(native/V8)";
  if (url.startsWith("node:")) return "node internals";
  const nm = url.lastIndexOf("/node_modules/");
  if (nm !== -1) {
    const rest = url.slice(nm + "/node_modules/".length).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const m = url.match(/\/(build|app|db|scripts)\/(.*)$/);
  if (m) return `${m[1]}/${m[2]}`;
  return url.replace(/^file:\/\//, "");
}

/** `lastMs`: only the samples from the profile's last `lastMs` milliseconds (the measured load,
 * without start-up and warm-up). */
export function summarize(file: string, inclusiveNames: string[] = [], top = 25, lastMs = Infinity): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  const from = p.endTime - lastMs * 1000;
  let at = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    at += p.timeDeltas[i] ?? 0;
    const dt = p.timeDeltas[i + 1] ?? 0;
    if (at < from) continue;
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + dt);
  }
  let total = 0;
  let idle = 0;
  const fn = new Map<string, number>();
  const area = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    total += us;
    const name = n.callFrame.functionName || "(anonymous)";
    if (name === "(idle)") {
      idle += us;
      continue;
    }
    const key = `${name} ${areaOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const a = name.startsWith("(") && !n.callFrame.url ? name : areaOf(n.callFrame.url);
    area.set(a, (area.get(a) ?? 0) + us);
    // Inclusive: charge this sample once to each named ancestor.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const fname = byId.get(cur)!.callFrame.functionName;
      if (inclusiveNames.includes(fname) && !seen.has(fname)) {
        seen.add(fname);
        incl.set(fname, (incl.get(fname) ?? 0) + us);
      }
    }
  }
  const busy = total - idle;
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, us]) => ({ k, ms: us / 1000, pct: (100 * us) / busy }));
  return {
    totalMs: total / 1000,
    idleMs: idle / 1000,
    busyMs: busy / 1000,
    topSelf: rows(fn).slice(0, top).map(({ k, ms, pct }) => ({ name: k, ms, pct })),
    byArea: rows(area).slice(0, top).map(({ k, ms, pct }) => ({ area: k, ms, pct })),
    inclusive: rows(incl).map(({ k, ms, pct }) => ({ name: k, ms, pct })),
  };
}

if (process.argv[1]?.endsWith("cpuprofile.ts")) {
  const [file, last, ...names] = process.argv.slice(2);
  const s = summarize(file, names, 30, Number(last) || Infinity);
  console.log(`busy ${s.busyMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms`);
  console.log("\nby area:");
  for (const r of s.byArea) console.log(`  ${r.pct.toFixed(1).padStart(5)}%  ${r.area}`);
  console.log("\ntop self:");
  for (const r of s.topSelf) console.log(`  ${r.pct.toFixed(1).padStart(5)}%  ${r.name}`);
  console.log("\ninclusive:");
  for (const r of s.inclusive) console.log(`  ${r.pct.toFixed(1).padStart(5)}%  ${r.name}`);
}
