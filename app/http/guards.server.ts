// Loader/action guards. Permission checks live on the server; pages only mirror them.
import { redirect } from "@remix-run/node";
import type { AppContext, Viewer } from "../http/context";

export function requireViewer(request: Request, context: AppContext): Viewer {
  if (context.viewer) return context.viewer;
  const url = new URL(request.url);
  const back = url.pathname + url.search;
  throw redirect(back === "/" ? "/login" : `/login?redirectTo=${encodeURIComponent(back)}`);
}

/** Where an HR admin without a second factor is sent before any HR page. */
export const ENROL_SECOND_FACTOR_PATH = "/account/security?required=hr";

/** HR-only pages answer 404 to everyone else, so they do not reveal they exist. An HR admin
 * must have a second factor: without one, every HR page sends them to add one first. */
export function requireHr(request: Request, context: AppContext): Viewer {
  const viewer = requireViewer(request, context);
  if (!viewer.is_hr) throw notFound();
  if (!viewer.has_second_factor) throw redirect(ENROL_SECOND_FACTOR_PATH);
  return viewer;
}

export function notFound(message = "We could not find that page."): Response {
  return new Response(message, { status: 404, statusText: "Not Found" });
}

export function badRequest(message: string): Response {
  return new Response(message, { status: 400, statusText: "Bad Request" });
}

/** A list's page number from the address (`?page=3`; absent is the first page). Anything but a
 * whole number from 1 to 999,999 is a 400 with a plain message. */
export function pageNumberOr400(params: URLSearchParams, name = "page"): number {
  const raw = params.get(name);
  if (raw === null || raw === "") return 1;
  if (!/^[1-9][0-9]{0,5}$/.test(raw)) throw badRequest("That page number is not valid. Go back to the first page and try again.");
  return Number(raw);
}

/** The pages the team page's address asks for (`?page=` for the assignments, `?peoplePage=`,
 * `?overduePage=`; the first page without). Anything but a whole number from 1 is a 400. */
export function teamPagesOr400(params: URLSearchParams): { page: number; peoplePage: number; overduePage: number } {
  return { page: pageNumberOr400(params), peoplePage: pageNumberOr400(params, "peoplePage"), overduePage: pageNumberOr400(params, "overduePage") };
}

const REDIRECT_BASE = "http://confidant.invalid";

/** Only same-origin paths: never send a signed-in person to another site. The path is read as
 * the WHATWG URL parser (and so a browser) reads it, against a placeholder origin; anything that
 * would leave that origin, any control character (tab, CR, LF, NUL…) or backslash, and anything
 * that is not a plain `/path` is refused. What comes back is the parser's own serialisation, so
 * it is ASCII and safe in a Location header. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || to.length === 0 || to.length > 2048) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\\]/.test(to) || !to.startsWith("/") || to.startsWith("//")) return fallback;
  let url: URL;
  try {
    url = new URL(to, REDIRECT_BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== REDIRECT_BASE) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!path.startsWith("/") || path.startsWith("//")) return fallback;
  return path;
}

/** Reads a URL-encoded form with a size limit, answering 400/413/415 instead of failing on
 * bad bodies. (File uploads have their own reader.) */
export async function readForm(request: Request, maxBytes = 64 * 1024): Promise<URLSearchParams> {
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > maxBytes) throw new Response("That form is too large.", { status: 413 });
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded")) {
    throw new Response("Expected a form submission.", { status: 415 });
  }
  let text: string;
  try {
    text = await request.text();
  } catch {
    throw badRequest("That form could not be read.");
  }
  if (text.length > maxBytes) throw new Response("That form is too large.", { status: 413 });
  return new URLSearchParams(text);
}
