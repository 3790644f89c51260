// Device cookies (OWASP's "device cookie" scheme): after a successful sign-in the browser gets
// a cookie naming a random device id and the account it signed in to, signed with the app
// secret. A sign-in for that account from that browser is then counted against the device's
// own limit instead of the account's global ceiling, so strangers guessing from elsewhere
// cannot lock the owner out (decision 010). It proves nothing else and grants nothing.
import { createHmac, timingSafeEqual } from "node:crypto";
import { randomId } from "../ids.server";

export const DEVICE_COOKIE_DAYS = 365;

export interface KnownDevice {
  deviceId: string;
  userId: string;
}

function mac(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(`device-cookie:${payload}`).digest("base64url");
}

export function deviceCookieName(secure: boolean): string {
  return secure ? "__Host-confidant_device" : "confidant_device";
}

/** The Set-Cookie value after a successful sign-in (a browser keeps one device id). */
export function deviceCookie({ secret, secure, userId, deviceId }: { secret: string; secure: boolean; userId: string; deviceId?: string | null }): string {
  const payload = `${deviceId ?? randomId(15)}.${userId}`;
  const parts = [`${deviceCookieName(secure)}=${payload}.${mac(secret, payload)}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${DEVICE_COOKIE_DAYS * 86_400}`];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

/** The device this browser proved it is, if its cookie is there and its signature holds. */
export function readDevice(cookieHeader: string | null | undefined, { secret, secure }: { secret: string; secure: boolean }): KnownDevice | null {
  if (!cookieHeader) return null;
  const name = deviceCookieName(secure);
  for (const part of cookieHeader.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k !== name) continue;
    const [deviceId, userId, signature, extra] = v.join("=").split(".");
    if (!deviceId || !userId || !signature || extra !== undefined || deviceId.length > 64 || userId.length > 64) return null;
    const expected = Buffer.from(mac(secret, `${deviceId}.${userId}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return { deviceId, userId };
  }
  return null;
}
