// Server memory per 10,000 people: the production server as `npm start` runs it (its start
// script, so with NODE_HEAP_MB's heap limit), once against an organisation of one and once against
// the HR case's 100,000 people (BENCH_HR_FILE, seeded by the hr or pages case), each signed in as
// HR and opening every HR page a few times. Reports the peak resident memory of each (VmHWM) and
// the difference per 10,000 people.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createDb } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { hashPassword } from "../../app/auth/password.server";
import type { CaseOutcome } from "./support/types";
import { enrolAuthenticator } from "./pages";

export const description = "memory: the server's peak RSS with one person and with 100,000, per 10,000 people";

const PASSWORD = "bench-password-1";
const HR = "usr_0000003";
const HEAP_MB = process.env.NODE_HEAP_MB ?? "512";
const PAGES = ["/", "/hr", "/hr?department=Sales&status=overdue", "/hr/overdue", "/hr/people", "/hr/people?q=person4242", "/hr/outbox", "/hr/board", "/hr/recognition", "/hr/assign", "/courses", "/account"];
const ROUNDS = 3;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** An HR person who can sign in with the bench password (the pages case makes the same one). */
async function prepare(file: string) {
  const db = createDb(`file:${file}`);
  try {
    await migrateToLatest(db);
    const hash = await hashPassword(PASSWORD);
    const at = "2027-01-01T00:00:00.000Z";
    const exists = await db.selectFrom("users").select("id").where("id", "=", HR).executeTakeFirst();
    if (!exists) {
      await db.insertInto("users").values({ id: HR, email: "hr@bench.example", name: "HR Bench", type: "employee", status: "active", is_hr: 1, start_date: "2025-01-01", created_at: at, updated_at: at, board_opt_out: 0 } as never).execute();
    }
    await db.updateTable("users").set({ password_hash: hash, status: "active", is_hr: 1 }).where("id", "=", HR).execute();
    await db.deleteFrom("totp_credentials").where("user_id", "=", HR).execute();
    return Number((await db.selectFrom("users").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
  } finally {
    await db.destroy();
  }
}

function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function measure(file: string, dataDir: string): Promise<{ people: number; peakMb: number; afterStartMb: number }> {
  const people = await prepare(file);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const start = (JSON.parse(fs.readFileSync("package.json", "utf8")) as { scripts: { start: string } }).scripts.start;
  // `sh -c "… exec node …"`: the shell becomes the server, so its pid is the server's.
  const child = spawn("sh", ["-c", start], {
    env: { ...process.env, NODE_HEAP_MB: HEAP_MB, PORT: String(port), APP_ORIGIN: origin, DATABASE_URL: `file:${file}`, DATA_DIR: dataDir, APP_SECRET: "bench-secret-0123456789abcdef0123456789", LOG_LEVEL: "warn", SCHEDULER_EVERY_MINUTES: "0", MAIL_EVERY_SECONDS: "0", DB_QUICK_CHECK: "false" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    for (let i = 0; ; i++) {
      if (i > 600) throw new Error("the server did not start");
      try {
        if ((await fetch(`${origin}/login`)).status === 200) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const afterStartMb = peakRssMb(child.pid!);
    const email = people === 1 ? "hr@bench.example" : undefined;
    const login = await fetch(`${origin}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin },
      body: new URLSearchParams({ email: email ?? (await hrEmail(file)), password: PASSWORD }).toString(),
    });
    const cookie = login.headers.get("set-cookie")?.split(";")[0];
    if (login.status !== 302 || !cookie) throw new Error(`signing in gave ${login.status}`);
    await withDb(file, (db) => enrolAuthenticator(db, HR));
    for (let r = 0; r < ROUNDS; r++) {
      for (const page of PAGES) await (await fetch(origin + page, { headers: { Cookie: cookie } })).arrayBuffer();
    }
    return { people, peakMb: peakRssMb(child.pid!), afterStartMb };
  } finally {
    child.kill("SIGTERM");
  }
}

async function withDb<T>(file: string, fn: (db: ReturnType<typeof createDb>) => Promise<T>): Promise<T> {
  const db = createDb(`file:${file}`);
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

const hrEmail = (file: string) => withDb(file, async (db) => (await db.selectFrom("users").select("email").where("id", "=", HR).executeTakeFirstOrThrow()).email);

export async function run(): Promise<CaseOutcome> {
  const large = process.env.BENCH_HR_FILE ? path.resolve(process.env.BENCH_HR_FILE) : null;
  if (!large || !fs.existsSync(large)) throw new Error("set BENCH_HR_FILE to the hr or pages case's seeded database");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-bench-memory-"));
  try {
    const small = await measure(path.join(dir, "one.sqlite"), dir);
    console.log(`  one person:    ${small.afterStartMb.toFixed(0)} MB after start, peak ${small.peakMb.toFixed(0)} MB after ${ROUNDS} rounds of HR's pages (NODE_HEAP_MB=${HEAP_MB})`);
    const big = await measure(large, dir);
    console.log(`  ${big.people.toLocaleString()} people: ${big.afterStartMb.toFixed(0)} MB after start, peak ${big.peakMb.toFixed(0)} MB after ${ROUNDS} rounds of HR's pages`);
    const per10k = ((big.peakMb - small.peakMb) * 10_000) / big.people;
    console.log(`  per 10,000 people: ${per10k.toFixed(0)} MB above the ${small.peakMb.toFixed(0)} MB of an instance with one person`);
    const out = path.resolve("data", "bench", "memory.json");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ case: "memory", at: new Date().toISOString(), heapMb: Number(HEAP_MB), small, big, per10kMb: per10k }, null, 2));
    return { ok: true, file: out, per10k };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
