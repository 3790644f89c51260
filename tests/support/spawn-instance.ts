// Starts tests/support/instance.ts (the production server) in a child process and waits until it
// prints READY; rejects with its output if it exits or does not start within a minute.
import { spawn, type ChildProcess } from "node:child_process";

export async function spawnInstance(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; log: string[] }> {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/support/instance.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance on ${env.PORT} did not start: ${log.join("")}`)), 60_000);
    child.stdout!.on("data", (b: Buffer) => {
      log.push(b.toString());
      if (b.toString().includes("READY")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on("data", (b: Buffer) => log.push(b.toString()));
    child.once("exit", (code) => reject(new Error(`instance on ${env.PORT} exited ${code}: ${log.join("")}`)));
  });
  return { child, log };
}
