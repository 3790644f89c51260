// Downloads: the domain hands over plain data (bytes, text) or an async iterable of text chunks,
// and this turns it into the Response the routes send, with the download headers.

import { notFound } from "./guards.server";

export interface Download {
  fileName: string;
  contentType: string;
}

function downloadHeaders({ fileName, contentType }: Download): Record<string, string> {
  return {
    "Content-Type": contentType,
    "Content-Disposition": `attachment; filename="${fileName}"`,
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
  };
}

/** A whole file already in memory (a PDF's bytes, a JSON text). */
export function fileResponse(body: Uint8Array | string, download: Download): Response {
  return new Response(typeof body === "string" ? body : new Uint8Array(body), { headers: downloadHeaders(download) });
}

/** A file the domain produced, or a 404 with `message` when there is none for this viewer. */
export function fileOr404(file: (Download & { body: Uint8Array | string }) | null, message: string): Response {
  if (!file) throw notFound(message);
  return fileResponse(file.body, file);
}

/** A file streamed as its chunks are produced; see `textStream` for back-pressure and aborts. */
export function streamResponse(
  chunks: AsyncGenerator<string>,
  download: Download & { signal?: AbortSignal; drained?: () => Promise<void> },
): Response {
  return new Response(textStream(chunks, { signal: download.signal, drained: download.drained }), { headers: downloadHeaders(download) });
}

/**
 * A pull-based byte stream over text chunks: the next page is read only when the consumer asks
 * for more. `signal` aborting (the client went away) stops the reading. `drained`, when the
 * server provides it, resolves once the response socket can take more: Remix's Express adapter
 * reads a body as fast as it can whatever the socket says, so without it a slow download would
 * collect the whole file in memory.
 */
export function textStream(
  chunks: AsyncGenerator<string>,
  { signal, drained }: { signal?: AbortSignal; drained?: () => Promise<void> } = {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (drained) await drained();
          if (signal?.aborted) {
            await chunks.return(undefined);
            controller.close();
            return;
          }
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        } catch (e) {
          controller.error(e);
        }
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
}
