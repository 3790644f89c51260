// The Express application around Remix. Built by server.ts for real use and by tests, which
// pass their own database, catalog and clock.
import path from "node:path";
import express from "express";
import { createRequestHandler } from "@remix-run/express";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import type { Logger } from "pino";
import type { Db } from "../../db/connection";
import type { AppConfig } from "../config.server";
import type { Catalog } from "../courses/catalog.server";
import type { Clock } from "../clock";
import "./context";
import { readSessionToken, validateSessionToken } from "../auth/session.server";
import { requestId, sameOriginOnly, securityHeaders, wellFormedRequest } from "./security.server";
import { retryAfterOn503, storageFaultHandler, withStorageFaults } from "./storage-faults.server";
import { probeWritable } from "../../db/storage";
import { lastSchedulerRun } from "../scheduler/last-run.server";

export interface AppDeps {
  config: AppConfig;
  db: Db;
  catalog: Catalog;
  /** The folder's drafts, when they differ from the live catalog (decision 024). */
  drafts?: Catalog;
  build: ServerBuild;
  clock: Clock;
  logger: Logger;
  publicDir?: string;
  /** Starts mail delivery soon (see AppContext.mailQueued). */
  onMailQueued?: () => void;
}

export function createApp({ config, db, catalog, drafts, build, clock, logger, publicDir = "public", onMailQueued }: AppDeps) {
  const app = express();
  app.disable("x-powered-by");
  if (config.trustProxy) app.set("trust proxy", true);

  app.use(requestId);
  app.use(retryAfterOn503);
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      logger.info(
        {
          requestId: res.locals.requestId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        "request",
      );
    });
    next();
  });
  app.use(securityHeaders(config));
  app.use(wellFormedRequest);
  app.use(sameOriginOnly(config));

  const root = path.resolve(publicDir);
  app.use("/build", express.static(path.join(root, "build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(root, { maxAge: "1h" }));
  // For load balancers and operators: 200 only while the database takes writes.
  app.get("/healthz", async (_req, res, next) => {
    try {
      const [probe, lastRun] = await Promise.all([probeWritable(db), lastSchedulerRun(db)]);
      res
        .status(probe.writable ? 200 : 503)
        .set("Cache-Control", "no-store")
        .json({ status: probe.writable ? "ok" : "unavailable", database: probe, scheduler: { lastRunAt: lastRun?.at ?? null } });
    } catch (err) {
      next(err);
    }
  });

  app.all(
    "*",
    createRequestHandler({
      build: withStorageFaults(build, logger),
      mode: config.env === "production" ? "production" : "development",
      async getLoadContext(req, res): Promise<AppLoadContext> {
        const token = readSessionToken(req.headers.cookie, config.secureCookies);
        const session = token ? await validateSessionToken(db, token, clock) : null;
        return {
          db,
          catalog,
          drafts,
          config,
          clock,
          viewer: session?.user ?? null,
          sessionId: session?.sessionId ?? null,
          requestId: res.locals.requestId,
          nonce: res.locals.nonce,
          ip: req.ip ?? null,
          userAgent: req.get("user-agent") ?? null,
          mailQueued: onMailQueued,
          drained: () =>
            new Promise<void>((resolve) => {
              if (!res.writableNeedDrain || res.destroyed) return resolve();
              const done = () => {
                res.off("drain", done);
                res.off("close", done);
                resolve();
              };
              res.on("drain", done);
              res.on("close", done);
            }),
        };
      },
    }),
  );

  app.use(storageFaultHandler(logger));
  // Anything thrown outside Remix: log it with the request id, tell the user plainly.
  app.use((err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    logger.error({ err, requestId: res.locals.requestId, path: req.path }, "unhandled error");
    if (!res.headersSent) {
      res.status(500).type("text/plain").send(`Something went wrong on our side. Reference: ${res.locals.requestId}`);
    }
  });
  return app;
}
