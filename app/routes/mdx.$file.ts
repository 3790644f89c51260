import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireViewer } from "~/http/guards.server";
import { asBrowserModule, catalogSources, compiledByHash } from "~/courses/mdx.server";

// Compiled course content as a same-origin ES module (so the CSP needs no 'unsafe-eval').
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  requireViewer(request, context);
  const m = /^([0-9a-f]{32})\.js$/.exec(params.file ?? "");
  const compiled = m ? await compiledByHash(m[1], () => catalogSources(context.catalog)) : null;
  if (!compiled) throw notFound();
  return new Response(asBrowserModule(compiled.code), {
    headers: { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "private, max-age=31536000, immutable" },
  });
}
