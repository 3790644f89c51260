import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound } from "~/http/guards.server";
import { courseAccess } from "~/http/course-access.server";
import { readMedia } from "~/courses/media.server";
import { byteRange } from "~/http/byte-range.server";

// A course's figures, videos, captions and transcripts, only to people who may open the course.
// The URL carries the file's content hash, so it can be cached for good. (X-Content-Type-Options:
// nosniff comes with every response, from app/http/security.server.ts.)
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const access = await courseAccess(request, context, params.course);
  const file = readMedia(access.course, params.hash ?? "", params["*"] ?? "");
  if (!file) throw notFound();
  const headers: Record<string, string> = {
    "Content-Type": file.type,
    "Accept-Ranges": "bytes",
    "Cache-Control": "private, max-age=31536000, immutable",
    // An SVG opened on its own runs nothing and loads nothing.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  };
  const size = file.body.length;
  const range = byteRange(request.headers.get("range"), size);
  if (range === "unsatisfiable") return new Response(null, { status: 416, headers: { ...headers, "Content-Range": `bytes */${size}` } });
  if (range === "whole") return new Response(new Uint8Array(file.body), { headers: { ...headers, "Content-Length": String(size) } });
  const part = file.body.subarray(range.start, range.end + 1);
  return new Response(new Uint8Array(part), {
    status: 206,
    headers: { ...headers, "Content-Length": String(part.length), "Content-Range": `bytes ${range.start}-${range.end}/${size}` },
  });
}
