// The real server for a benchmark: a fresh temporary SQLite database (migrated, demo org
// seeded) and `server.ts` started in a child process, so the load generator does not share
// the server's event loop. Needs `npm run build` first (`npm run bench` does it).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import { randomBytes } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { createDb } from "../../../db/connection";
import { migrateToLatest } from "../../../db/migrate";
import { loadCatalog } from "../../../app/courses/catalog.server";
import { seedDemo, DEMO_PASSWORD } from "../../seed";

/** Seconds of CPU (user + system, all threads) a process has used so far; null off Linux. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after "pid (comm) ".
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** Waits until the process has used under `share` of a core for two half-second windows in a row. */
export async function waitForIdle(pid: number, share = 0.05, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  let last = cpuSeconds(pid);
  if (last === null) {
    await new Promise((r) => setTimeout(r, 5_000)); // no /proc: give the warm-up a moment
    return;
  }
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const now = cpuSeconds(pid);
    if (now === null) return;
    quiet = now - last < share * 0.5 ? quiet + 1 : 0;
    last = now;
    if (quiet >= 2) return;
  }
  throw new Error(`The server was still busy ${timeoutMs / 1000} s after starting`);
}

export interface BenchServer {
  origin: string;
  pid: number;
  /** Signs in through the real /login form and returns the session cookie ("name=value"). */
  signIn: (email: string, password?: string) => Promise<string>;
  /** Stops the server and removes the temporary folder. Safe to call twice. */
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

// Every child still running and every temporary folder, so an exit of this process (error,
// Ctrl+C) takes them along.
const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();

/** A new temporary folder, removed however this process ends (call `remove` when done). */
export function makeTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return {
    dir,
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
}
function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the child leads its own process group (detached)
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}
process.once("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => process.exit(130)); // the exit handler above cleans up
}

/** A fresh SQLite database at `file`: migrated, with the demo organisation seeded. */
export async function seedBenchDatabase(file: string, secret: string): Promise<void> {
  const db = createDb(`file:${file}`);
  try {
    await migrateToLatest(db);
    const catalog = loadCatalog(path.resolve("courses"));
    if (catalog.problems.length) throw new Error(`The course catalog has problems: ${JSON.stringify(catalog.problems)}`);
    await seedDemo(db, { catalog, secret });
  } finally {
    await db.destroy();
  }
}

export interface BenchServerOptions {
  /** Extra Node flags for the server, e.g. ["--cpu-prof", "--cpu-prof-dir=…"]. */
  nodeArgs?: string[];
  /** Share of one core under which the server counts as idle after start-up (default 5 %). */
  idleShare?: number;
}

export async function startBenchServer({ nodeArgs = [], idleShare = 0.05 }: BenchServerOptions = {}): Promise<BenchServer> {
  const { dir, remove } = makeTempDir("confidant-bench-");
  const dbFile = path.join(dir, "confidant.sqlite");
  const secret = randomBytes(32).toString("hex");
  let child: ChildProcess | null = null;
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child) {
      const c = child;
      const exited = new Promise<void>((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) resolve();
        else c.once("exit", () => resolve());
      });
      killGroup(c, "SIGTERM");
      const timer = setTimeout(() => killGroup(c, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      running.delete(c);
    }
    remove();
  };

  try {
    // Database: migrated and seeded here, then closed before the server opens it.
    await seedBenchDatabase(dbFile, secret);

    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const output: string[] = [];
    // `node --import tsx` rather than the tsx CLI: one process, no signal relay in between.
    child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "server.ts"], {
      cwd: process.cwd(),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        PORT: String(port),
        APP_ORIGIN: origin,
        DATABASE_URL: `file:${dbFile}`,
        DATA_DIR: dir,
        APP_SECRET: secret,
        LOG_LEVEL: "warn",
        // The in-process scheduler would run at start and every few minutes; a benchmark of
        // page serving should not have it wake up in the middle of a measurement.
        SCHEDULER_EVERY_MINUTES: "0",
        MAIL_EVERY_SECONDS: "0",
      },
    });
    running.add(child);
    const remember = (chunk: Buffer) => {
      const text = chunk.toString();
      output.push(text);
      // Warnings and errors from the server during a run matter: show them.
      for (const line of text.split("\n")) if (line.trim()) process.stderr.write(`  [server] ${line}\n`);
    };
    child.stdout!.on("data", remember);
    child.stderr!.on("data", remember);

    await waitForHealth(origin, child, output);
    // server.ts compiles every course module in the background after it starts listening;
    // measuring while that runs would charge its CPU time to whichever route goes first.
    await waitForIdle(child.pid!, idleShare);

    const signIn = async (email: string, password = DEMO_PASSWORD) => {
      const res = await fetch(`${origin}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin },
        body: new URLSearchParams({ email, password, redirectTo: "/" }).toString(),
      });
      const set = res.headers.get("set-cookie");
      if (res.status !== 302 || !set) throw new Error(`Signing in as ${email} failed: HTTP ${res.status}`);
      return set.split(";")[0];
    };
    return { origin, pid: child.pid!, signIn, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function waitForHealth(origin: string, child: ChildProcess, output: string[], timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output.join("")}`);
    }
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`The server did not answer /healthz within ${timeoutMs / 1000} s:\n${output.join("")}`);
}
