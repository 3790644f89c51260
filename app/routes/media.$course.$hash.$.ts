import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound } from "~/http/guards.server";
import { courseAccess } from "~/http/course-access.server";
import { readMedia } from "~/courses/media.server";

// A course's figures, videos, captions and transcripts, only to people who may open the course.
// The URL carries the file's content hash, so it can be cached for good. (X-Content-Type-Options:
// nosniff comes with every response, from app/http/security.server.ts.)
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const access = await courseAccess(request, context, params.course);
  const file = readMedia(access.course, params.hash ?? "", params["*"] ?? "");
  if (!file) throw notFound();
  return new Response(new Uint8Array(file.body), {
    headers: {
      "Content-Type": file.type,
      "Content-Length": String(file.body.length),
      "Cache-Control": "private, max-age=31536000, immutable",
      // An SVG opened on its own runs nothing and loads nothing.
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    },
  });
}
