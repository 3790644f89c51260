// Middleware that runs before Remix: request ids, security headers with a per-request CSP
// nonce, and the cross-site request check for every method that can change something.
import { randomBytes, randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";

export function requestId(req: Request, res: Response, next: NextFunction) {
  const id = randomUUID();
  res.locals.requestId = id;
  res.locals.nonce = randomBytes(16).toString("base64");
  res.setHeader("X-Request-Id", id);
  next();
}

/** Every response's security headers; HSTS when the public origin is https (behind a proxy
 * that ends TLS the request itself may look like plain http). */
export function securityHeaders(config: { origin: string; oidc?: { issuer: string } | null }) {
  // Signing in with the company's provider is a form post that the app redirects to the provider:
  // form-action must allow its origin, or the browser stops the redirect.
  const provider = config.oidc ? new URL(config.oidc.issuer).origin : null;
  return (req: Request, res: Response, next: NextFunction) => {
    setSecurityHeaders(res, config.origin.startsWith("https://"), provider);
    next();
  };
}

function setSecurityHeaders(res: Response, https: boolean, provider: string | null) {
  const nonce = res.locals.nonce as string;
  res.setHeader(
    "Content-Security-Policy",
    [
      "default-src 'self'",
      `script-src 'self' 'nonce-${nonce}'`,
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      provider ? `form-action 'self' ${provider}` : "form-action 'self'",
      "frame-ancestors 'none'",
    ].join("; "),
  );
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Referrer-Policy", "same-origin");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
  if (https) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
}

/** A host name or IP literal, with an optional port: nothing else belongs in a Host header. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62}))*\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

/** Malformed addresses and Host headers are the client's mistake: 400 before anything reads
 * them (route matching would throw on `/receipts/%FF`, and the request URL on a bad Host). */
export function wellFormedRequest(req: Request, res: Response, next: NextFunction) {
  let ok = true;
  try {
    const path = decodeURIComponent(req.path);
    // `?_data=` is Remix's legacy data request: this app's client never makes one. A NUL (`%00`)
    // in the path names no record, and PostgreSQL cannot compare text containing one.
    ok =
      HOST.test(req.get("host") ?? "localhost") &&
      !/[\u0000-\u001f\u007f]/.test(req.originalUrl) &&
      !path.includes("\u0000") &&
      !("_data" in req.query);
  } catch {
    ok = false;
  }
  if (ok) return next();
  res.status(400).type("text/plain").send("That address is not valid. Check it, or go back to the home page.");
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Rejects a state-changing request unless the browser says it came from this app's public
 * origin (APP_ORIGIN; never the Host header, which the client chooses). A request without
 * Origin is refused too: browsers send it on every POST. */
export function sameOriginOnly(config: { origin: string }) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    // SCIM is called by identity providers' servers, never by a browser page: its routes read a
    // bearer token and never the session cookie, so a cross-site form cannot use them.
    if (/^\/scim\/v2(\/|$)/i.test(req.path)) return next();
    const site = req.get("sec-fetch-site");
    const origin = req.get("origin");
    const originOk = origin !== undefined && origin === config.origin;
    const siteOk = site === undefined || site === "same-origin";
    if (originOk && siteOk) return next();
    res
      .status(403)
      .type("text/plain")
      .send("This request did not come from a Confidant page, so it was refused. Go back, reload the page and try again.");
  };
}
