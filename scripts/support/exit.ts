// Ending a command-line script: process.exit() drops whatever stdout and stderr still hold, and
// when they are pipes (`npm run roster:import … | less`) that is everything past the pipe's
// 64 KiB — the summary at the end first. Wait until both have handed their data to the OS.
export async function exitAfterFlush(code: number): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write("", () => resolve()))));
  process.exit(code);
}
