// An in-process breakdown of one request's CPU cost, without HTTP or Express: the Remix
// handler is called directly, one request at a time, and timed with process.cpuUsage() (CPU
// time, so other work on the machine disturbs it less than wall-clock time). A route's `.data`
// request (single fetch) runs the same loaders and serialises their data but renders no HTML,
// so document − data ≈ React rendering and streaming the HTML.
import path from "node:path";
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { createRequestHandler, type AppLoadContext, type ServerBuild } from "@remix-run/node";
import { createDb } from "../../../db/connection";
import { readConfig } from "../../../app/config.server";
import { loadCatalog } from "../../../app/courses/catalog.server";
import { createSession, validateSessionToken } from "../../../app/auth/session.server";
import { systemClock } from "../../../app/clock";
import { makeTempDir, seedBenchDatabase } from "./server";

export interface BreakdownRow {
  name: string;
  /** CPU ms per call: the best (lowest) of several batches' means. (For a ratio row: the ratio.) */
  ms: number;
  ratio?: boolean;
}

/** CPU ms per call of each function: they run interleaved in small batches, many rounds, and
 * each keeps its best (lowest) batch mean, so a burst of other work on the machine spoils a
 * batch of each rather than all of one. Warmed up first, long enough for V8 to optimise. */
async function cpuMsInterleaved(fns: Array<() => Promise<unknown> | unknown>, { warm = 1000, batch = 100, rounds = 15 } = {}): Promise<number[]> {
  for (const fn of fns) for (let i = 0; i < warm; i++) await fn();
  const best = fns.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    for (let f = 0; f < fns.length; f++) {
      const start = process.cpuUsage();
      for (let i = 0; i < batch; i++) await fns[f]();
      const used = process.cpuUsage(start);
      best[f] = Math.min(best[f], (used.user + used.system) / 1000 / batch);
    }
  }
  return best;
}

export interface BreakdownOptions {
  email: string;
  routes: Array<{ key: string; path: string }>;
  /** More functions to time alongside, e.g. a suspected hot spot. */
  extra?: Record<string, () => unknown>;
  /** Server builds to compare, by label (default: this checkout's build/index.js). Handy for
   * A/B-testing a change: build a copy of the app elsewhere and time both in one process. */
  builds?: Record<string, string>;
}

export async function breakdown(opts: BreakdownOptions): Promise<BreakdownRow[]> {
  const { dir, remove } = makeTempDir("confidant-breakdown-");
  const secret = randomBytes(32).toString("hex");
  const file = path.join(dir, "confidant.sqlite");
  await seedBenchDatabase(file, secret);
  const config = readConfig({ ...process.env, NODE_ENV: "production", DATABASE_URL: `file:${file}`, DATA_DIR: dir, APP_SECRET: secret, PORT: "3000", LOG_LEVEL: "warn" });
  const db = createDb(config.databaseUrl);
  try {
    const catalog = loadCatalog(config.coursesDir);
    const builds = opts.builds ?? { "": "build/index.js" };
    const handlers = await Promise.all(
      Object.entries(builds).map(async ([label, file]) => {
        const build = (await import(pathToFileURL(path.resolve(file)).href)) as ServerBuild;
        return { label: label ? `[${label}] ` : "", handler: createRequestHandler(build, "production") };
      }),
    );
    const user = await db.selectFrom("users").select("id").where("email", "=", opts.email).executeTakeFirstOrThrow();
    const { token } = await createSession(db, { userId: user.id, ip: null, userAgent: null }, systemClock);
    const session = await validateSessionToken(db, token, systemClock);
    if (!session) throw new Error("session did not validate");
    const context = (): AppLoadContext => ({
      db,
      catalog,
      config,
      clock: systemClock,
      viewer: session.user,
      sessionId: session.sessionId,
      requestId: "bench",
      nonce: "bench-nonce",
      ip: "127.0.0.1",
      userAgent: "bench",
    });
    const call = (handler: (typeof handlers)[number]["handler"]) => async (p: string) => {
      const res = await handler(new Request(`${config.origin}${p}`, { headers: { accept: "text/html" } }), context());
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${p} answered ${res.status}: ${body.slice(0, 200)}`);
      return body;
    };

    const named: Array<[string, () => unknown]> = [["session validation (validateSessionToken)", () => validateSessionToken(db, token, systemClock)]];
    for (const { label, handler } of handlers) {
      const get = call(handler);
      for (const r of opts.routes) {
        await get(r.path); // the first request of a module compiles its MDX
        named.push([`${label}${r.key}: document`, () => get(r.path)]);
        named.push([`${label}${r.key}: .data`, () => get(`${r.path}.data`)]);
      }
    }
    for (const [name, fn] of Object.entries(opts.extra ?? {})) named.push([name, fn]);
    const ms = await cpuMsInterleaved(named.map(([, fn]) => fn));
    const got = new Map(named.map(([name], i) => [name, ms[i]]));

    const rows: BreakdownRow[] = [{ name: named[0][0], ms: ms[0] }];
    for (const { label } of handlers) {
      for (const r of opts.routes) {
        const doc = got.get(`${label}${r.key}: document`)!;
        const data = got.get(`${label}${r.key}: .data`)!;
        rows.push({ name: `${label}${r.key}: document (loaders + render + HTML stream)`, ms: doc });
        rows.push({ name: `${label}${r.key}: .data (loaders + data serialisation, no render)`, ms: data });
        rows.push({ name: `${label}${r.key}: document − .data (≈ React render + HTML stream)`, ms: doc - data });
      }
      if (opts.routes.length === 2) {
        const [a, b] = opts.routes;
        rows.push({ name: `${label}${b.key} / ${a.key} (document CPU ratio, as throughput would be)`, ms: got.get(`${label}${a.key}: document`)! / got.get(`${label}${b.key}: document`)!, ratio: true });
      }
    }
    for (const name of Object.keys(opts.extra ?? {})) rows.push({ name, ms: got.get(name)! });
    return rows;
  } finally {
    await db.destroy();
    remove();
  }
}

export function printBreakdown(rows: BreakdownRow[]) {
  console.log("\n  In-process CPU per request, one at a time (no HTTP, no Express):");
  for (const r of rows) console.log(`    ${r.ms.toFixed(3).padStart(7)}${r.ratio ? "   " : " ms"}  ${r.name}`);
}
