// A one-time message shown on the next page after a change ("Added Dana Reyes"), carried in a
// short-lived signed cookie rather than the URL, and cleared when read.
import { createCookie } from "@remix-run/node";
import type { AppConfig } from "../config.server";

function flashCookie(config: Pick<AppConfig, "secret" | "secureCookies">) {
  return createCookie(config.secureCookies ? "__Host-confidant_flash" : "confidant_flash", {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: config.secureCookies,
    maxAge: 120,
    secrets: [config.secret],
  });
}

/** A Set-Cookie header carrying `message` to the next page. */
export async function setFlash(config: Pick<AppConfig, "secret" | "secureCookies">, message: string): Promise<string> {
  return flashCookie(config).serialize(message.slice(0, 500));
}

/** The waiting message, if any, and the header that clears it. */
export async function readFlash(
  request: Request,
  config: Pick<AppConfig, "secret" | "secureCookies">,
): Promise<{ message: string | null; headers: Record<string, string> }> {
  const cookie = flashCookie(config);
  const value: unknown = await cookie.parse(request.headers.get("Cookie"));
  if (typeof value !== "string" || value === "") return { message: null, headers: {} };
  return { message: value, headers: { "Set-Cookie": await cookie.serialize("", { maxAge: 0 }) } };
}
