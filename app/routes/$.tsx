// Any address no other route answers: a 404 inside the normal layout (header, menu, nonce on
// every script), rather than the router's bare "No route matches" page.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";

export const meta: MetaFunction = () => [{ title: "Page not found · Confidant" }];

export function loader(_: LoaderFunctionArgs) {
  throw new Response("We could not find that page. It may have moved, or the link may be mistyped.", { status: 404 });
}

export default function NotFound() {
  return null;
}
