// SCIM at volume: an identity provider's initial sync of 10,000 people through the real app over
// HTTP, as Okta and Entra do it — for each person a lookup by userName, then a create; managers
// first (100 of them), then everyone else with their manager — four requests in flight, like a
// provider's worker pool. Aim: under 60 s. `BENCH_SCIM_PEOPLE` scales it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { AddressInfo } from "node:net";
import pino from "pino";
import type { ServerBuild } from "@remix-run/node";
import { createDb } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { readConfig } from "../../app/config.server";
import { systemClock } from "../../app/clock";
import { createApp } from "../../app/http/app.server";
import { loadCatalog } from "../../app/courses/catalog.server";
import { makePerson } from "../../app/demo/factories.server";
import { createScimToken } from "../../app/roster/scim-tokens.server";
import { makeTempDir } from "./support/server";
import type { CaseOutcome } from "./support/types";

export const description = "scim: a 10,000-person initial sync (lookup + create each) over HTTP, 4 requests in flight";

const PEOPLE = Number(process.env.BENCH_SCIM_PEOPLE ?? 10_000);
const MANAGERS = Math.max(1, Math.round(PEOPLE / 100));
const IN_FLIGHT = 4;
const CORE = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

async function inPool<T>(items: T[], fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

export async function run(): Promise<CaseOutcome> {
  const { dir, remove } = makeTempDir("confidant-bench-scim-");
  const db = createDb(`file:${path.join(dir, "confidant.sqlite")}`);
  try {
    await migrateToLatest(db);
    const hr = await makePerson(db, { email: "hr@bench.example", name: "Hana Reyes", startDate: "2025-01-01", isHr: true }, systemClock);
    const token = await createScimToken(db, { name: "bench", actorId: hr.id }, systemClock);
    if (!token.ok) throw new Error(token.message);
    const build = (await import(pathToFileURL(path.resolve("build/index.js")).href)) as ServerBuild;
    const config = readConfig({ NODE_ENV: "production", APP_SECRET: "bench-secret-0123456789abcdef0123456789", LOG_LEVEL: "silent", PORT: "0", DATA_DIR: dir, SCHEDULER_EVERY_MINUTES: "0" });
    const app = createApp({ config, db, catalog: loadCatalog(path.resolve("courses")), build, clock: systemClock, logger: pino({ level: "silent" }) });
    const server = app.listen(0, "127.0.0.1");
    await new Promise<void>((r) => server.once("listening", () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`;
    const headers = { Authorization: `Bearer ${token.token}`, "Content-Type": "application/scim+json" };
    const managerIds: string[] = [];
    let requests = 0;
    const sync = async (i: number) => {
      const userName = `person${i}@bench.example`;
      const found = await fetch(`${base}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, { headers });
      requests++;
      if ((await found.json()).totalResults !== 0) throw new Error(`${userName} exists already`);
      const body = {
        schemas: [CORE, ENTERPRISE],
        userName,
        name: { givenName: `Person`, familyName: String(i) },
        active: true,
        [ENTERPRISE]: { employeeNumber: `E${i}`, department: `Dept ${i % 20}`, ...(i >= MANAGERS ? { manager: { value: managerIds[i % MANAGERS] } } : {}) },
      };
      const made = await fetch(`${base}/Users`, { method: "POST", headers, body: JSON.stringify(body) });
      requests++;
      if (made.status !== 201) throw new Error(`create ${userName}: ${made.status} ${await made.text()}`);
      if (i < MANAGERS) managerIds[i] = (await made.json()).id;
      else await made.arrayBuffer();
    };
    const started = performance.now();
    await inPool([...Array(MANAGERS).keys()], sync);
    await inPool([...Array(PEOPLE - MANAGERS).keys()].map((i) => i + MANAGERS), sync);
    const ms = performance.now() - started;
    await new Promise<void>((r) => server.close(() => r()));
    const { n } = await db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    const ok = ms < 60_000 && Number(n) === PEOPLE + 1;
    console.log(`  ${PEOPLE.toLocaleString()} people (${MANAGERS} managers first), ${requests.toLocaleString()} requests in ${(ms / 1000).toFixed(1)} s = ${(requests / (ms / 1000)).toFixed(0)} req/s (target < 60 s) — ${ok ? "OK" : "BELOW TARGET"}`);
    const results = { case: "scim", at: new Date().toISOString(), people: PEOPLE, managers: MANAGERS, inFlight: IN_FLIGHT, requests, ms, ok, machine: `${os.cpus().length} cores, Node ${process.version}` };
    fs.mkdirSync(path.resolve("data", "bench"), { recursive: true });
    const out = path.resolve("data", "bench", "scim.json");
    fs.writeFileSync(out, JSON.stringify(results, null, 2));
    return { ok, file: out, ms };
  } finally {
    await db.destroy();
    remove();
  }
}
