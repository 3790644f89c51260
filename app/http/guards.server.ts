// Loader/action guards. Permission checks live on the server; pages only mirror them.
import { redirect } from "@remix-run/node";
import type { AppContext, Viewer } from "../http/context";

export function requireViewer(request: Request, context: AppContext): Viewer {
  if (context.viewer) return context.viewer;
  const url = new URL(request.url);
  const back = url.pathname + url.search;
  throw redirect(back === "/" ? "/login" : `/login?redirectTo=${encodeURIComponent(back)}`);
}

/** HR-only pages answer 404 to everyone else, so they do not reveal they exist. */
export function requireHr(request: Request, context: AppContext): Viewer {
  const viewer = requireViewer(request, context);
  if (!viewer.is_hr) throw notFound();
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

/** Only same-site relative paths: never redirect a signed-in person to another site. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  return to;
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
