// Production entry: boot, then serve the built Remix app behind our own middleware.
import path from "node:path";
import v8 from "node:v8";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { boot } from "./app/boot.server";
import { createApp } from "./app/http/app.server";
import { systemClock } from "./app/clock";
import { accountLinks, mailKicker, startSchedulerLoop } from "./app/scheduler/run.server";
import { startMailLoop } from "./app/notifications/mail-loop.server";
import { watchCourses } from "./app/courses/reload.server";
import { syncLiveCatalog } from "./app/courses/live.server";
import { formatProblems } from "./app/courses/catalog.server";

/** `scheduler: false` leaves the in-process scheduler to be started by the caller (the demo
 * starts it only once its seed is complete, so the first run never sees a half-seeded database). */
export async function startServer(env: NodeJS.ProcessEnv = process.env, { scheduler = true }: { scheduler?: boolean } = {}) {
  const booted = await boot(env);
  const build = (await import(pathToFileURL(path.resolve("build/index.js")).href)) as ServerBuild;
  // Invitations and reset links go out at once rather than at the next mail loop pass.
  const onMailQueued = mailKicker(booted);
  const app = createApp({ ...booted, build, clock: systemClock, onMailQueued });
  // Compile every module in the background so the first learner does not wait for it.
  const warm = (build.entry.module as { warmUp?: (c: typeof booted.catalog) => Promise<void> }).warmUp;
  void warm?.(booted.catalog).catch((err) => booted.logger.error({ err }, "warm-up failed"));
  const server = app.listen(booted.config.port, booted.config.host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  let stopScheduler = () => {};
  const startScheduler = () => {
    stopScheduler = startSchedulerLoop(booted);
  };
  if (scheduler) startScheduler();
  // Mail has its own loop (MAIL_EVERY_SECONDS; 0 leaves it to `npm run mail`).
  const mail = startMailLoop({ ...booted, clock: systemClock, personalise: accountLinks(booted.db, booted.config.origin) });
  // `npm run dev`: the courses folder reloads on change (never in production).
  const stopWatching =
    booted.config.env === "development"
      ? watchCourses(booted.drafts, async (report) => {
          await syncLiveCatalog(booted.db, booted.catalog, booted.drafts);
          booted.logger.info(report, "courses reloaded");
          if (booted.drafts.problems.length) booted.logger.error(`Some courses are broken:\n${formatProblems(booted.drafts.problems)}`);
        })
      : () => {};
  const shutdown = async () => {
    stopWatching();
    stopScheduler();
    await mail.stop();
    server.close();
    await booted.db.destroy();
  };
  return { ...booted, server, shutdown, startScheduler };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { config, logger, shutdown } = await startServer();
  logger.info(`Confidant is listening on ${config.origin}`);
  // --max-old-space-size=NODE_HEAP_MB (set by `npm start`) fixes the old generation; V8's limit
  // adds the young one (tens of MB) to it.
  const heapMb = Math.round(v8.getHeapStatistics().heap_size_limit / 1024 / 1024);
  if (heapMb < config.heapMb || heapMb > config.heapMb + 128) logger.warn({ heapMb, NODE_HEAP_MB: config.heapMb }, "the heap limit is not NODE_HEAP_MB: start the server with `npm start`");
  else logger.info({ heapMb }, `heap limit ${heapMb} MB (NODE_HEAP_MB=${config.heapMb})`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void shutdown().then(() => process.exit(0)));
  }
}
