// The HTTP side of SCIM 2.0 (RFC 7644): bearer-token authentication, JSON bodies of at most 5 MB,
// and every answer as `application/scim+json` — refusals as SCIM errors with a `scimType`.
import type { AppContext } from "./context";
import { authenticateScimToken } from "../roster/scim-tokens.server";
import { ERROR, type Parsed, type ScimFailure } from "../roster/scim-protocol";

export const SCIM_MAX_BODY_BYTES = 5 * 1024 * 1024;
/** A body past the limit is read on (and dropped) up to this much, so the client hears the 413
 * instead of a reset connection; beyond it the connection is cut. */
const DRAIN_LIMIT_BYTES = 4 * SCIM_MAX_BODY_BYTES;

export function scimBaseUrl(context: AppContext): string {
  return `${context.config.origin}/scim/v2`;
}

export function scimJson(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/scim+json; charset=utf-8", "Cache-Control": "no-store", ...headers },
  });
}

export function scimError(failure: ScimFailure, headers: Record<string, string> = {}): Response {
  return scimJson(failure.status, { schemas: [ERROR], status: String(failure.status), ...(failure.scimType ? { scimType: failure.scimType } : {}), detail: failure.detail }, headers);
}

/** A domain result as the SCIM answer: the resource with `status`, or the error. */
export function scimAnswer<T>(result: Parsed<T>, status = 200): Response {
  if (!result.ok) return scimError(result);
  return result.value === true ? new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } }) : scimJson(status, result.value);
}

/** The SCIM token's id, or a thrown 401. Cookies are never looked at: SCIM is for machines. */
export async function requireScimToken(request: Request, context: AppContext): Promise<string> {
  const header = request.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const token = m ? await authenticateScimToken(context.db, m[1], context.clock) : null;
  if (!token) {
    throw scimError({ status: 401, detail: "A valid SCIM bearer token is required. HR creates one at /hr/scim." }, { "WWW-Authenticate": 'Bearer realm="confidant-scim"' });
  }
  return token.id;
}

export function methodNotAllowed(allowed: string): Response {
  return scimError({ status: 405, detail: `Use ${allowed} here.` }, { Allow: allowed });
}

/** The JSON body, or a thrown SCIM error: 415 unless JSON, 413 past 5 MB, 400 when it does not parse. */
export async function readScimBody(request: Request): Promise<unknown> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  if (!/^application\/(scim\+)?json\b/.test(type)) {
    throw scimError({ status: 415, scimType: "invalidSyntax", detail: "Send the body as application/scim+json." });
  }
  const tooLarge = () => scimError({ status: 413, scimType: "tooMany", detail: `The body is larger than ${SCIM_MAX_BODY_BYTES / 1024 / 1024} MB.` }, { Connection: "close" });
  if (Number(request.headers.get("content-length") ?? 0) > DRAIN_LIMIT_BYTES) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > DRAIN_LIMIT_BYTES) {
        await reader.cancel();
        throw tooLarge();
      }
      if (size <= SCIM_MAX_BODY_BYTES) chunks.push(value);
    }
  }
  if (size > SCIM_MAX_BODY_BYTES) throw tooLarge();
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks)));
  } catch {
    throw scimError({ status: 400, scimType: "invalidSyntax", detail: "The body is not valid JSON." });
  }
}
