// When the storage cannot take a write (full disk, read-only file, PostgreSQL restarting…), the
// person is told so truthfully — nothing was recorded, try again shortly — with a 503 and
// Retry-After, and the operator's log names the storage's own error code. Text PostgreSQL cannot
// store (a NUL) is the client's mistake: a 400. Every other error stays what it was.
import { data, type ServerBuild } from "@remix-run/node";
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";
import { isUnstorableText, storageFaultCode } from "../../db/storage";

export const STORAGE_FAULT_MESSAGE = "The service cannot save right now, and nothing was recorded. Please try again in a few minutes.";
export const RETRY_AFTER_SECONDS = 30;
export const UNSTORABLE_TEXT_MESSAGE = "Something you sent contains a character that cannot be stored (a NUL), so nothing was recorded. Remove it and try again.";

type Handler = ((args: never) => unknown) | undefined;

function guard<H extends Handler>(handler: H, routeId: string, logger: Logger): H {
  if (!handler) return handler;
  const wrapped = async (args: never) => {
    try {
      return await (handler as (a: never) => unknown)(args);
    } catch (err) {
      if (isUnstorableText(err)) throw data(UNSTORABLE_TEXT_MESSAGE, { status: 400 });
      const code = storageFaultCode(err);
      if (!code) throw err;
      logger.error({ code, routeId, err: err instanceof Error ? err.message : String(err) }, "storage fault: request refused with 503");
      throw data(STORAGE_FAULT_MESSAGE, { status: 503, headers: { "Retry-After": String(RETRY_AFTER_SECONDS) } });
    }
  };
  return wrapped as unknown as H;
}

/** The same build with every route's loader and action answering storage faults with a 503. */
export function withStorageFaults(build: ServerBuild, logger: Logger): ServerBuild {
  const routes = Object.fromEntries(
    Object.entries(build.routes).map(([id, route]) => [
      id,
      {
        ...route,
        module: { ...route.module, loader: guard(route.module.loader as Handler, id, logger), action: guard(route.module.action as Handler, id, logger) },
      },
    ]),
  );
  return { ...build, routes } as ServerBuild;
}

/** Express's last word, for faults before Remix (reading the session): the same 503. */
export function storageFaultHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, next) => {
    const code = storageFaultCode(err);
    if (!code || res.headersSent) return next(err);
    logger.error({ code, err: err instanceof Error ? err.message : String(err) }, "storage fault: request refused with 503");
    res.status(503).set("Retry-After", String(RETRY_AFTER_SECONDS)).type("text/plain").send(STORAGE_FAULT_MESSAGE);
  };
}

/** Every 503 carries Retry-After (Remix does not pass a thrown response's headers to a document). */
export const retryAfterOn503: RequestHandler = (_req, res, next) => {
  const writeHead = res.writeHead;
  res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
    if ((args[0] === 503 || this.statusCode === 503) && !this.getHeader("retry-after")) this.setHeader("Retry-After", String(RETRY_AFTER_SECONDS));
    return writeHead.apply(this, args);
  } as typeof writeHead;
  next();
};
