import type { LoaderFunctionArgs } from "@remix-run/node";
import { publishedSigningKey } from "~/keys/published-key.server";

// Public: the instance's signing key and fingerprint, and its PDF signing certificate, as JSON.
export async function loader({ context }: LoaderFunctionArgs) {
  const doc = await publishedSigningKey(context.config);
  return new Response(`${JSON.stringify(doc, null, 2)}\n`, {
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*" },
  });
}
