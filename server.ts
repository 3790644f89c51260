// Production entry: boot, then serve the built Remix app behind our own middleware.
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { boot } from "./app/boot.server";
import { createApp } from "./app/http/app.server";
import { systemClock } from "./app/clock";
import { startSchedulerLoop } from "./app/scheduler/run.server";

export async function startServer(env: NodeJS.ProcessEnv = process.env) {
  const booted = await boot(env);
  const build = (await import(pathToFileURL(path.resolve("build/index.js")).href)) as ServerBuild;
  const app = createApp({ ...booted, build, clock: systemClock });
  // Compile every module in the background so the first learner does not wait for it.
  const warm = (build.entry.module as { warmUp?: (c: typeof booted.catalog) => Promise<void> }).warmUp;
  void warm?.(booted.catalog).catch((err) => booted.logger.error({ err }, "warm-up failed"));
  const server = app.listen(booted.config.port, booted.config.host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const stopScheduler = startSchedulerLoop(booted);
  const shutdown = async () => {
    stopScheduler();
    server.close();
    await booted.db.destroy();
  };
  return { ...booted, server, shutdown };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { config, logger, shutdown } = await startServer();
  logger.info(`Confidant is listening on ${config.origin}`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void shutdown().then(() => process.exit(0)));
  }
}
