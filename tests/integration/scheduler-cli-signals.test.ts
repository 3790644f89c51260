// `npm run scheduler` as an operator stops it: SIGTERM to npm ends the real worker too, after it
// says so, instead of leaving it running under a shell.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";

function schedulerProcesses(): string[] {
  const out = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return out.split("\n").filter((line) => line.includes("scripts/scheduler.ts") && !line.includes("ps -eo"));
}

test("SIGTERM to `npm run scheduler` stops the worker after its current run", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-sched-"));
  fs.copyFileSync(process.env.CONFIDANT_TEST_TEMPLATE!, path.join(dir, "db.sqlite"));
  const child = spawn("npm", ["run", "-s", "scheduler"], {
    cwd: path.resolve("."),
    env: { ...process.env, DATABASE_URL: `file:${path.join(dir, "db.sqlite")}`, DATA_DIR: dir, SCHEDULER_EVERY_MINUTES: "60", NODE_OPTIONS: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
  const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  // Wait for the first run to finish: the worker is then waiting for the next one.
  for (let i = 0; i < 600 && !out.includes("Departures:"); i++) await new Promise((r) => setTimeout(r, 100));
  expect(out).toContain("Running every 60 minutes");
  expect(out).toContain("Departures:");
  const before = schedulerProcesses();
  expect(before.length).toBeGreaterThan(0);
  child.kill("SIGTERM");
  await closed;
  await new Promise((r) => setTimeout(r, 500));
  expect(out).toContain("SIGTERM: stopping after the current run.");
  expect(schedulerProcesses().filter((line) => before.some((b) => b.trim().split(/\s+/)[0] === line.trim().split(/\s+/)[0]))).toEqual([]);
  fs.rmSync(dir, { recursive: true, force: true });
}, 90_000);
