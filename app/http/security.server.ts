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

export function securityHeaders(req: Request, res: Response, next: NextFunction) {
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
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join("; "),
  );
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Referrer-Policy", "same-origin");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
  if (req.secure) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  next();
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Rejects a state-changing request unless the browser says it came from this origin. A request
 * with neither Origin nor Sec-Fetch-Site is refused too: browsers send them on every POST. */
export function sameOriginOnly(allowedOrigin: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const site = req.get("sec-fetch-site");
    const origin = req.get("origin");
    const ownOrigin = `${req.protocol}://${req.get("host")}`;
    const originOk = origin !== undefined && (origin === allowedOrigin || origin === ownOrigin);
    const siteOk = site === undefined || site === "same-origin";
    if (originOk && siteOk) return next();
    res
      .status(403)
      .type("text/plain")
      .send("This request did not come from a Confidant page, so it was refused. Go back, reload the page and try again.");
  };
}
