// Load generation with autocannon (programmatic API) and the small report every case prints.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";

export interface LoadOptions {
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

export function loadOptions(): LoadOptions {
  const num = (name: string, fallback: number) => {
    const raw = process.env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not '${raw}'`);
    return n;
  };
  return {
    seconds: num("BENCH_SECONDS", 10),
    warmupSeconds: num("BENCH_WARMUP_SECONDS", 2),
    connections: Math.round(num("BENCH_CONNECTIONS", 10)),
  };
}

export interface RouteResult {
  route: string;
  url: string;
  /** Mean requests per second over the measured run. */
  rps: number;
  /** Latency in milliseconds. */
  p50: number;
  p99: number;
  mean: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  bytesPerResponse: number;
  seconds: number;
  connections: number;
}

function cannon(url: string, cookie: string, connections: number, seconds: number) {
  return autocannon({
    url,
    connections,
    duration: seconds,
    headers: { cookie, accept: "text/html" },
  });
}

/** A short unmeasured run, then the measured one. Throws if any response was not a 2xx: a
 * benchmark that counts redirects to /login or error pages measures the wrong thing. */
export async function measure(route: string, url: string, cookie: string, opts: LoadOptions): Promise<RouteResult> {
  if (opts.warmupSeconds > 0) {
    const warm = await cannon(url, cookie, opts.connections, opts.warmupSeconds);
    assertAll2xx(route, warm, "warm-up");
  }
  const r = await cannon(url, cookie, opts.connections, opts.seconds);
  assertAll2xx(route, r, "measured run");
  return {
    route,
    url,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    mean: r.latency.average,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    bytesPerResponse: r.requests.total ? Math.round(r.throughput.total / r.requests.total) : 0,
    seconds: r.duration,
    connections: r.connections,
  };
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
  return `${cpus.length} CPU core${cpus.length === 1 ? "" : "s"} (${cpus[0]?.model.trim() ?? "unknown"}), Node ${process.version}; the server (child process) and the load generator share them`;
}

export function table(rows: RouteResult[]): string {
  const head = ["route", "req/s (mean)", "p50 ms", "p99 ms", "requests", "KB/resp"];
  const body = rows.map((r) => [
    r.route,
    r.rps.toFixed(1),
    r.p50.toFixed(1),
    r.p99.toFixed(1),
    String(r.requests),
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
