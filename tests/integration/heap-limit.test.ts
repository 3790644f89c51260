// `npm start` runs the server with the heap limit NODE_HEAP_MB asks for (V8's
// --max-old-space-size), and refuses a limit too small to run in.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";

function npmStart(env: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-heap-"));
  const child = spawn("npm", ["start", "--silent"], {
    env: { ...process.env, NODE_ENV: "production", PORT: "0", DATABASE_URL: `file:${path.join(dir, "app.sqlite")}`, DATA_DIR: dir, APP_SECRET: "heap-test-secret-0123456789abcdef0123456789", LOG_LEVEL: "info", SCHEDULER_EVERY_MINUTES: "0", MAIL_EVERY_SECONDS: "0", ...env },
    detached: true,
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { output: () => out, exited, stop };
}

async function until(check: () => boolean, ms: number) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

test("npm start gives the server the heap NODE_HEAP_MB asks for, and says so", async () => {
  const server = npmStart({ NODE_HEAP_MB: "192" });
  try {
    const logged = await until(() => /heap limit \d+ MB/.test(server.output()), 60_000);
    expect(logged, server.output()).toBe(true);
    const line = server.output().split("\n").find((l) => l.includes("heap limit"))!;
    const { heapMb, msg } = JSON.parse(line) as { heapMb: number; msg: string };
    // V8's limit is the old generation asked for plus the young one.
    expect(heapMb).toBeGreaterThanOrEqual(192);
    expect(heapMb).toBeLessThan(192 + 128);
    expect(msg).toBe(`heap limit ${heapMb} MB (NODE_HEAP_MB=192)`);
  } finally {
    server.stop();
  }
}, 90_000);

test("a heap limit below 128 MB is refused at start with the variable's name", async () => {
  const server = npmStart({ NODE_HEAP_MB: "64" });
  try {
    const code = await server.exited;
    expect(code).not.toBe(0);
    expect(server.output()).toContain("NODE_HEAP_MB");
    expect(server.output()).not.toContain("heap limit");
  } finally {
    server.stop();
  }
}, 90_000);
