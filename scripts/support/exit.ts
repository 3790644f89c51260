// Ending a command-line script: process.exit() drops whatever stdout and stderr still hold, and
// when they are pipes (`npm run roster:import … | less`) that is everything past the pipe's
// 64 KiB — the summary at the end first. Wait until both have handed their data to the OS.
export async function exitAfterFlush(code: number): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write("", () => resolve()))));
  process.exit(code);
}

/** SIGINT / SIGTERM: the first says so and calls `onStop` (finish what is in hand); a second ends
 * the process at once. */
export function stopOnSignals(what: string, onStop: () => void): void {
  let stopped = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopped) process.exit(130);
      stopped = true;
      console.log(`${signal}: stopping after ${what}.`);
      onStop();
    });
  }
}
