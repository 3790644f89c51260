import { PassThrough } from "node:stream";
import { createReadableStreamFromReadable, type AppLoadContext, type EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import type { Catalog } from "./courses/catalog.server";
import { compileForPage } from "./courses/mdx.server";

const ABORT_DELAY = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.nonce;
  // Pages for a signed-in person are theirs alone: never stored by a browser or a proxy.
  if (loadContext.viewer) responseHeaders.set("Cache-Control", "no-store");
  const ua = request.headers.get("user-agent");
  const waitFor = ua && isbot(ua) ? "onAllReady" : "onShellReady";
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />,
      {
        nonce,
        [waitFor]() {
          shellRendered = true;
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        // An error inside a Suspense boundary (course content whose component throws) is
        // recovered: React sends the boundary's fallback and the browser renders it again, so
        // the page is still a 200. An error in the shell fails the page through onShellError.
        onError(error: unknown) {
          if (request.signal.aborted) return;
          console.error(JSON.stringify({ level: "error", requestId: loadContext.requestId, shellRendered, error: error instanceof Error ? error.stack : String(error) }));
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

/** The same for the data requests (`.data`) that client-side navigation makes. */
export function handleDataRequest(response: Response, { context }: { context: AppLoadContext }) {
  if (context.viewer) response.headers.set("Cache-Control", "no-store");
  return response;
}

/** Remix calls this for errors thrown in loaders and actions; the request id ties the log line
 * to what the user was shown. */
export function handleError(error: unknown, { request, context }: { request: Request; context: AppLoadContext }) {
  if (request.signal.aborted) return;
  // Expected refusals (404, 403, 400 …) are answers, not failures.
  const status = (error as { status?: unknown } | null)?.status;
  if (error instanceof Response || (typeof status === "number" && status < 500)) return;
  console.error(JSON.stringify({ level: "error", requestId: context.requestId, path: new URL(request.url).pathname, error: error instanceof Error ? error.stack : String(error) }));
}

/** Compiles every module and policy text ahead of the first request. Text that does not
 * compile is reported on its page (see MdxContent), never here. */
export async function warmUp(catalog: Catalog): Promise<void> {
  for (const course of catalog.courses.values()) {
    for (const m of course.modules) await compileForPage(m.source);
  }
  for (const policy of catalog.policies.values()) await compileForPage(policy.current.body);
}
