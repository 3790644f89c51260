// Load generation with autocannon (programmatic API) and the small report every case prints.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { cpuSeconds } from "./server";

export interface LoadOptions {
  connections: number;
  /** Measured seconds per route, split over the rounds. */
  seconds: number;
  /** Unmeasured seconds per route first, in alternating 2-second slices. V8 keeps optimising
   * hot code on background threads for the first ~10 s under load; measuring during that
   * charges the compiler to whichever route comes first. */
  warmupSeconds: number;
  /** Routes are measured in short alternating slices (A B, B A, A B, …) so drift and bursts
   * of other work on the machine fall on both alike. Default: 2-second slices. */
  rounds: number;
}

export function loadOptions(): LoadOptions {
  const num = (name: string, fallback: number, min = 0) => {
    const raw = process.env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number ≥ ${min}, not '${raw}'`);
    return n;
  };
  const seconds = num("BENCH_SECONDS", 10, 1);
  return {
    seconds,
    warmupSeconds: num("BENCH_WARMUP_SECONDS", 6, 0),
    connections: Math.round(num("BENCH_CONNECTIONS", 10, 1)),
    rounds: Math.max(1, Math.round(num("BENCH_ROUNDS", Math.max(1, Math.round(seconds / 2)), 1))),
  };
}

export interface Target {
  route: string;
  url: string;
}

export interface RouteResult {
  route: string;
  url: string;
  /** Completed requests per second over the measured time. */
  rps: number;
  /** Latency in milliseconds, from every measured response. */
  p50: number;
  p99: number;
  mean: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Server CPU time (user + system, all its threads) per request, in ms; null off Linux.
   * Much less sensitive than req/s to other work on the machine. */
  serverCpuMsPerRequest: number | null;
  bytesPerResponse: number;
  seconds: number;
  connections: number;
  rounds: number;
}

function cannon(url: string, cookie: string, connections: number, seconds: number, onLatency?: (ms: number) => void) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url, connections, duration: seconds, headers: { cookie, accept: "text/html" } },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    if (onLatency) instance.on("response", (_client, _status, _bytes, ms) => onLatency(ms));
  });
}

/** Runs every target: a short unmeasured run each, then `rounds` measured runs each in
 * alternating order. Throws if any response was not a 2xx: a benchmark that counts redirects to
 * /login or error pages measures the wrong thing. */
export interface Measurement {
  routes: RouteResult[];
  /** Requests per second of each target in each round: perRound[round][target]. */
  perRound: number[][];
  /** Cores kept busy by other processes (not the server, not this load generator) during the
   * measured runs, on average; null off Linux. Above ~0.2 the numbers are noisy. */
  otherCores: number | null;
}

/** Busy CPU seconds of the whole machine so far (all cores), from /proc/stat; null off Linux. */
function machineBusySeconds(): number | null {
  try {
    const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0];
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return (user + nice + system + irq + softirq + (steal || 0)) / 100;
  } catch {
    return null;
  }
}

export async function measure(targets: Target[], cookie: string, opts: LoadOptions, serverPid: number): Promise<Measurement> {
  const warmSlices = Math.ceil(opts.warmupSeconds / 2);
  for (let slice = 0; slice < warmSlices; slice++) {
    for (const t of targets) {
      const seconds = Math.min(2, opts.warmupSeconds - slice * 2);
      assertAll2xx(t.route, await cannon(t.url, cookie, opts.connections, seconds), "warm-up");
    }
  }
  const acc = targets.map(() => ({ latencies: [] as number[], requests: 0, bytes: 0, seconds: 0, cpu: 0 as number | null }));
  const perRound = opts.seconds / opts.rounds;
  const perRoundRps: number[][] = [];
  const started = { wall: Date.now(), machine: machineBusySeconds(), server: cpuSeconds(serverPid), self: process.cpuUsage() };
  for (let round = 0; round < opts.rounds; round++) {
    const order = targets.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    const thisRound: number[] = [];
    perRoundRps.push(thisRound);
    for (const i of order) {
      const a = acc[i];
      const cpuBefore = cpuSeconds(serverPid);
      const r = await cannon(targets[i].url, cookie, opts.connections, perRound, (ms) => a.latencies.push(ms));
      const cpuAfter = cpuSeconds(serverPid);
      assertAll2xx(targets[i].route, r, `round ${round + 1}`);
      if (process.env.BENCH_VERBOSE === "1") {
        const cpu = cpuBefore === null || cpuAfter === null ? "n/a" : (((cpuAfter - cpuBefore) * 1000) / r.requests.total).toFixed(2);
        console.log(`    round ${round + 1} ${targets[i].route.padEnd(30).slice(0, 30)} ${(r.requests.total / r.duration).toFixed(1).padStart(7)} req/s  ${cpu} ms CPU/req`);
      }
      thisRound[i] = r.requests.total / r.duration;
      a.requests += r.requests.total;
      a.bytes += r.throughput.total;
      a.seconds += r.duration;
      a.cpu = a.cpu === null || cpuBefore === null || cpuAfter === null ? null : a.cpu + (cpuAfter - cpuBefore);
    }
  }
  let otherCores: number | null = null;
  const machine = machineBusySeconds();
  const server = cpuSeconds(serverPid);
  if (machine !== null && started.machine !== null && server !== null && started.server !== null) {
    const self = process.cpuUsage(started.self);
    const other = machine - started.machine - (server - started.server) - (self.user + self.system) / 1e6;
    otherCores = Math.max(0, other / ((Date.now() - started.wall) / 1000));
  }
  const routes = targets.map((t, i) => {
    const a = acc[i];
    const sorted = Float64Array.from(a.latencies).sort();
    return {
      route: t.route,
      url: t.url,
      rps: a.requests / a.seconds,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      mean: sorted.reduce((s, x) => s + x, 0) / (sorted.length || 1),
      requests: a.requests,
      non2xx: 0,
      errors: 0,
      serverCpuMsPerRequest: a.cpu === null || a.requests === 0 ? null : (a.cpu * 1000) / a.requests,
      bytesPerResponse: a.requests ? Math.round(a.bytes / a.requests) : 0,
      seconds: a.seconds,
      connections: opts.connections,
      rounds: opts.rounds,
    };
  });
  return { routes, perRound: perRoundRps, otherCores };
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function assertAll2xx(route: string, r: autocannon.Result, phase: string) {
  if (r.non2xx !== 0 || r.errors !== 0 || r.timeouts !== 0 || r["2xx"] === 0) {
    const codes = Object.entries(r.statusCodeStats ?? {})
      .map(([code, s]) => `${code}×${s.count ?? 0}`)
      .join(", ");
    throw new Error(
      `${route} (${phase}): ${r["2xx"]} ok, ${r.non2xx} non-2xx [${codes}], ${r.errors} errors, ${r.timeouts} timeouts; the result would not be valid`,
    );
  }
}

/** Fetches a page once with the cookie, checks it is a 200 HTML page, returns the body. */
export async function getPage(url: string, cookie: string): Promise<string> {
  const res = await fetch(url, { redirect: "manual", headers: { cookie, accept: "text/html" } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status} (${res.headers.get("location") ?? body.slice(0, 200)})`);
  return body;
}

export function machineNote(): string {
  const cpus = os.cpus();
  return `${cpus.length} CPU core${cpus.length === 1 ? "" : "s"} (${cpus[0]?.model.trim() ?? "unknown"}), Node ${process.version}; the server (child process) and the load generator share them, so absolute numbers are lower than on a server of its own`;
}

export function table(rows: RouteResult[]): string {
  const head = ["route", "req/s (mean)", "p50 ms", "p99 ms", "requests", "server CPU ms/req", "KB/resp"];
  const body = rows.map((r) => [
    r.route,
    r.rps.toFixed(1),
    r.p50.toFixed(1),
    r.p99.toFixed(1),
    String(r.requests),
    r.serverCpuMsPerRequest === null ? "n/a" : r.serverCpuMsPerRequest.toFixed(2),
    (r.bytesPerResponse / 1024).toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

export function writeJson(name: string, data: unknown): string {
  const file = path.resolve("data", "bench", `${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + "\n");
  return path.relative(process.cwd(), file);
}

export function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
