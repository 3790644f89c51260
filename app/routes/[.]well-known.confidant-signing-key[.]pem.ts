import type { LoaderFunctionArgs } from "@remix-run/node";
import { publishedSigningKey } from "~/keys/published-key.server";

// Public: the instance's Ed25519 public key alone (SPKI PEM), for evidence:verify --public-key.
export async function loader({ context }: LoaderFunctionArgs) {
  const doc = await publishedSigningKey(context.config);
  return new Response(doc.publicKeyPem, {
    headers: { "Content-Type": "application/x-pem-file", "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*" },
  });
}
