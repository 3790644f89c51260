// A real, throwaway PostgreSQL server on 127.0.0.1 for the Postgres path. initdb refuses to run
// as root, so as root the cluster belongs to the `postgres` user.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

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

function pgBin(name: string): string {
  for (const dir of ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin", "/usr/local/bin", "/usr/bin"]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`PostgreSQL's ${name} is not installed (apt-get install -y postgresql)`);
}

const asRoot = process.getuid?.() === 0;

function run(bin: string, args: string[]) {
  const cmd = asRoot ? "runuser" : bin;
  const argv = asRoot ? ["-u", "postgres", "--", bin, ...args] : args;
  const r = spawnSync(cmd, argv, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${path.basename(bin)} failed: ${r.stderr || r.stdout}`);
}

export async function startPostgres(): Promise<{ url: string; stop: () => void; restart: () => void; pause: () => void; start: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-pg-"));
  if (asRoot) execFileSync("chown", ["-R", "postgres:postgres", dir]);
  const data = path.join(dir, "data");
  const port = await freePort();
  run(pgBin("initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  // `-l` keeps the server's output in its log file: with pg_ctl's stdout it would hold the pipe that
  // spawnSync waits on, and block the caller for as long as the server runs.
  const start = () => run(pgBin("pg_ctl"), ["-D", data, "-w", "-l", path.join(dir, "log"), "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: () => run(pgBin("pg_ctl"), ["-D", data, "-l", path.join(dir, "log"), "-m", "fast", "-w", "restart"]),
    /** Stops the server (as for maintenance) until `start()`. */
    pause: () => run(pgBin("pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]),
    start,
    stop: () => {
      try {
        run(pgBin("pg_ctl"), ["-D", data, "-m", "immediate", "stop"]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
