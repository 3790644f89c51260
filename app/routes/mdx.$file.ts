import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireViewer } from "~/http/guards.server";
import { asBrowserModule, catalogSources } from "~/courses/mdx.server";
import { compiledModule } from "~/courses/compiled-store.server";

// Compiled course content as a same-origin ES module (so the CSP needs no 'unsafe-eval'): live
// content, a version someone is still on (kept by hash), and for HR the folder's drafts.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = requireViewer(request, context);
  const m = /^([0-9a-f]{32})\.js$/.exec(params.file ?? "");
  const drafts = viewer.is_hr && context.drafts ? context.drafts : null;
  const sources = function* () {
    yield* catalogSources(context.catalog);
    if (drafts) yield* catalogSources(drafts);
  };
  const compiled = m ? await compiledModule(context.db, m[1], sources) : null;
  if (!compiled) throw notFound();
  return new Response(asBrowserModule(compiled.code), {
    headers: { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "private, max-age=31536000, immutable" },
  });
}
