import type { HeadersFunction } from "@remix-run/node";

/** Remix only sends loader/action headers on documents when the route says so: pass on the
 * action's (e.g. Retry-After on a throttled form), else the loader's. */
export const passOnHeaders: HeadersFunction = ({ actionHeaders, loaderHeaders }) =>
  [...actionHeaders.keys()].length > 0 ? actionHeaders : loaderHeaders;
