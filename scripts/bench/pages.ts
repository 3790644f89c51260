// Every page HR, a manager and an employee open, through the real app over HTTP, at 100,000
// people × 12 courses × 3 years (the HR case's organisation). Server time per page (median of
// a few requests, measured at the client on 127.0.0.1); the target is the 100 ms for the
// overview and the overdue list, and the same aim for every other page.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import pino from "pino";
import type { ServerBuild } from "@remix-run/node";
import { createDb } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { createApp } from "../../app/http/app.server";
import { readConfig } from "../../app/config.server";
import { loadCatalog } from "../../app/courses/catalog.server";
import { hashPassword } from "../../app/auth/password.server";
import { refreshRollup } from "../../app/reports/rollup.server";
import { refreshScores } from "../../app/recognition/scores-refresh.server";
import { fixedClock } from "../../app/clock";
import { seed } from "./hr";
import { median } from "./support/median";
import type { CaseOutcome } from "./support/types";
import { measuredDatabase, type MeasuredDatabase } from "./support/database";

export const description = "Pages: every HR, manager and employee page through the app at 100,000 people";

const NOW = "2027-10-01T09:00:00.000Z";
const PASSWORD = "bench-password-1";
const TARGET_MS = 100;
const REPEAT = 5;

/** Who signs in, and which pages they open. usr_0000000 heads the whole organisation; every
 * hundredth person manages the next 99. */
const VISITS: Array<{ who: string; label: string; pages: string[] }> = [
  {
    who: "usr_0000003",
    label: "HR",
    pages: [
      "/",
      "/hr",
      "/hr?department=Sales&status=overdue",
      "/hr/overdue",
      "/hr/people",
      "/hr/people?q=person4242",
      "/hr/people/usr_0050001",
      "/hr/people/usr_0050001/evidence",
      "/hr/outbox",
      "/hr/board",
      "/hr/recognition",
      "/hr/assign",
      "/hr/import",
      "/courses",
      "/account",
    ],
  },
  { who: "usr_0000000", label: "head of the organisation (100,000 below)", pages: ["/team", "/team/board", "/team?status=overdue"] },
  { who: "usr_0000100", label: "manager of 99", pages: ["/team", "/team/board", "/team/people/usr_0000101"] },
  { who: "usr_0000101", label: "employee", pages: ["/", "/account"] },
];

/** A confirmed authenticator on the account (its key is never used: the session exists already). */
export async function enrolAuthenticator(db: ReturnType<typeof createDb>, userId: string) {
  const at = new Date().toISOString();
  await db.deleteFrom("totp_credentials").where("user_id", "=", userId).execute();
  await db.insertInto("totp_credentials").values({ user_id: userId, key_sealed: "bench", created_at: at, confirmed_at: at, last_used_step: null, locked_until: null }).execute();
}

export async function run(): Promise<CaseOutcome> {
  // Shares the HR case's kept file when BENCH_HR_FILE is set (it adds four sign-ins to it).
  const kept = process.env.BENCH_HR_FILE ? path.resolve(process.env.BENCH_HR_FILE) : null;
  const dir = kept ? null : fs.mkdtempSync(path.join(os.tmpdir(), "confidant-bench-pages-"));
  const file = kept ?? path.join(dir!, "bench.sqlite");
  let db = createDb(`file:${file}`);
  let measured: MeasuredDatabase | null = null;
  try {
    const fresh = !fs.existsSync(file) || fs.statSync(file).size < 1_000_000;
    await migrateToLatest(db);
    if (fresh) {
      const t = Date.now();
      seed(file);
      console.log(`  seeded in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    }
    const hash = await hashPassword(PASSWORD);
    for (const { who } of VISITS) {
      await db.updateTable("users").set({ password_hash: hash, status: "active", is_hr: who === "usr_0000003" ? 1 : 0 }).where("id", "=", who).execute();
      // No second factor at sign-in (a kept file has the one enrolled by the previous run).
      await db.deleteFrom("totp_credentials").where("user_id", "=", who).execute();
    }
    // On --db postgres the app reads a PostgreSQL copy of the prepared file.
    measured = await measuredDatabase(file);
    if (measured.db === "postgres") {
      await db.destroy();
      db = createDb(measured.url);
    }
    const config = readConfig({ NODE_ENV: "production", APP_SECRET: "bench-secret-0123456789abcdef0123456789", PORT: "0", LOG_LEVEL: "silent", SCHEDULER_EVERY_MINUTES: "0" });
    const catalog = loadCatalog(config.coursesDir);
    const t = Date.now();
    await refreshRollup(db, new Date(NOW));
    await refreshScores(db, { catalog, now: new Date(NOW) });
    console.log(`  rollup and scores refreshed in ${((Date.now() - t) / 1000).toFixed(0)} s`);

    const build = (await import(pathToFileURL(path.resolve("build/index.js")).href)) as ServerBuild;
    const app = createApp({ config, db, catalog, build, clock: fixedClock(NOW), logger: pino({ level: "silent" }) });
    const server = app.listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    config.origin = url;

    // BENCH_PAGES=/hr,/team times only those pages (for the visitors that open them).
    const only = process.env.BENCH_PAGES?.split(",").filter(Boolean);
    const results: Array<{ who: string; page: string; status: number; ms: number; kb: number }> = [];
    try {
      for (const visit of VISITS) {
        const pages = only ? visit.pages.filter((p) => only.includes(p)) : visit.pages;
        if (pages.length === 0) continue;
        const email = (await db.selectFrom("users").select("email").where("id", "=", visit.who).executeTakeFirstOrThrow()).email;
        const login = await fetch(`${url}/login`, {
          method: "POST",
          redirect: "manual",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: url },
          body: new URLSearchParams({ email, password: PASSWORD }).toString(),
        });
        const cookie = login.headers.get("set-cookie")?.split(";")[0];
        if (login.status !== 302 || !cookie) throw new Error(`signing in as ${visit.who} gave ${login.status}`);
        // HR's pages need a second factor on the account: enrolled once signed in, as HR would.
        if (visit.label === "HR") await enrolAuthenticator(db, visit.who);
        console.log(`  as ${visit.label}:`);
        for (const page of pages) {
          let status = 0;
          let bytes = 0;
          const ms = await median(REPEAT, async () => {
            const res = await fetch(url + page, { redirect: "manual", headers: { Cookie: cookie } });
            status = res.status;
            bytes = (await res.arrayBuffer()).byteLength;
          }, { slowAfterMs: 1000 });
          results.push({ who: visit.label, page, status, ms, kb: bytes / 1024 });
          const verdict = status !== 200 ? `status ${status}` : ms < TARGET_MS ? "OK" : `ABOVE ${TARGET_MS} ms`;
          console.log(`    ${page.padEnd(40)} ${ms.toFixed(1).padStart(9)} ms ${(bytes / 1024).toFixed(0).padStart(6)} KB   ${verdict}`);
        }
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const ok = results.every((r) => r.status === 200 && r.ms < TARGET_MS);
    const out = path.resolve("data", "bench", measured.db === "postgres" ? "pages-postgres.json" : "pages.json");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const people = Number((await db.selectFrom("users").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
    fs.writeFileSync(out, JSON.stringify({ case: "pages", db: measured.db, at: new Date().toISOString(), people, targetMs: TARGET_MS, results, ok }, null, 2));
    return { ok, file: out };
  } finally {
    await db.destroy();
    measured?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
