// Single sign-on with OpenID Connect (Authorization Code flow with PKCE, `state` and `nonce`),
// through openid-client. A request to the provider is a row here (the state's SHA-256, the
// nonce, the PKCE verifier) that the callback uses once; the browser that started it carries the
// state in a cookie, so a callback from another browser, a replayed callback and an unknown state
// are all refused before the provider is asked for tokens. People are matched by their verified
// email; the provider is discovered from its issuer. Sole writer of `oidc_requests`.
import * as client from "openid-client";
import type { Db } from "../../db/connection";
import type { OidcConfig } from "../config.server";
import type { Clock } from "../clock";
import { sha256Hex } from "../hash.server";

export const OIDC_REQUEST_MINUTES = 10;
export type OidcPurpose = "sign-in" | "sign";

/** What the provider said about the person, from a verified ID token. */
export interface ProviderIdentity {
  issuer: string;
  subject: string;
  email: string;
  /** When the person last authenticated at the provider (ISO time), if it said. */
  authTime: string | null;
  acr: string | null;
  amr: string[];
}

export type OidcFailure = { ok: false; status: 400 | 403 | 503; message: string; reason: string };

const discovered = new Map<string, Promise<client.Configuration>>();

/** The provider's configuration from discovery, kept per process; a failed discovery is tried
 * again next time. */
function providerOf(oidc: OidcConfig): Promise<client.Configuration> {
  const key = `${oidc.issuer} ${oidc.clientId}`;
  let found = discovered.get(key);
  if (!found) {
    const insecure = new URL(oidc.issuer).protocol === "http:";
    found = client.discovery(new URL(oidc.issuer), oidc.clientId, oidc.clientSecret ?? undefined, undefined, {
      execute: insecure ? [client.allowInsecureRequests] : [],
      timeout: 10,
    });
    discovered.set(key, found);
    found.catch(() => discovered.delete(key));
  }
  return found;
}

export const PROVIDER_DOWN = "Your company's sign-in service is not answering, so you cannot sign in with it right now. Nothing was changed. Please try again in a few minutes.";

/** True for a failure to reach the provider at all (refused, reset, timed out), as opposed to
 * an answer that was refused. */
function unreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === "AbortError" || err.name === "TimeoutError" || err instanceof TypeError) return true;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error && (cause.name === "AbortError" || cause.name === "TimeoutError" || cause instanceof TypeError)) return true;
  return typeof (cause as { code?: unknown })?.code === "string" && /^(ECONN|ENOTFOUND|EAI_|ETIMEDOUT|EHOSTUNREACH|UND_ERR)/.test((cause as { code: string }).code);
}

/** Starts a request to the provider: the address to send the browser to, and the state for its
 * cookie. Signing (`purpose: "sign"`) asks for a fresh authentication: `prompt=login`, `max_age=0`. */
export async function startOidc(
  db: Db,
  input: { oidc: OidcConfig; callbackUrl: string; purpose: OidcPurpose; redirectTo: string; userId?: string | null; loginHint?: string | null; form?: Record<string, string> },
  clock: Clock,
): Promise<{ ok: true; url: string; state: string } | OidcFailure> {
  let provider: client.Configuration;
  try {
    provider = await providerOf(input.oidc);
  } catch (err) {
    return { ok: false, status: 503, message: PROVIDER_DOWN, reason: err instanceof Error ? err.message : String(err) };
  }
  const state = client.randomState();
  const nonce = client.randomNonce();
  const verifier = client.randomPKCECodeVerifier();
  const now = clock();
  await db.deleteFrom("oidc_requests").where("expires_at", "<=", now.toISOString()).execute();
  await db
    .insertInto("oidc_requests")
    .values({
      id: sha256Hex(state),
      purpose: input.purpose,
      nonce,
      code_verifier: verifier,
      user_id: input.userId ?? null,
      redirect_to: input.redirectTo,
      form_json: input.form ? JSON.stringify(input.form) : null,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + OIDC_REQUEST_MINUTES * 60_000).toISOString(),
    })
    .execute();
  const params: Record<string, string> = {
    redirect_uri: input.callbackUrl,
    scope: input.oidc.scopes,
    response_type: "code",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  };
  if (input.purpose === "sign") Object.assign(params, { prompt: "login", max_age: "0" });
  if (input.loginHint) params.login_hint = input.loginHint;
  return { ok: true, url: client.buildAuthorizationUrl(provider, params).href, state };
}

export interface FinishedOidc {
  ok: true;
  purpose: OidcPurpose;
  userId: string | null;
  redirectTo: string;
  requestedAt: string;
  /** For signing: the form the person filled in before going to the provider. */
  form: Record<string, unknown> | null;
  identity: ProviderIdentity;
}

const refused = (reason: string, message = "That sign-in could not be completed. Please start again from the sign-in page."): OidcFailure => ({ ok: false, status: 400, message, reason });

/** The provider's answer at the callback: the request it belongs to is used up, the code is
 * exchanged with the PKCE verifier, and the ID token's signature, issuer, audience, nonce (and
 * for signing, `auth_time` after the request) are checked. */
export async function finishOidc(
  db: Db,
  input: { oidc: OidcConfig; callbackUrl: URL; browserState: string | null },
  clock: Clock,
): Promise<FinishedOidc | OidcFailure> {
  const state = input.callbackUrl.searchParams.get("state");
  if (!state) return refused("no state in the callback");
  if (input.browserState !== state) return refused("the state does not match this browser's");
  const row = await db.selectFrom("oidc_requests").selectAll().where("id", "=", sha256Hex(state)).executeTakeFirst();
  const used = await db.deleteFrom("oidc_requests").where("id", "=", sha256Hex(state)).executeTakeFirst();
  if (!row || Number(used.numDeletedRows) === 0) return refused("unknown or already used state");
  if (row.expires_at <= clock().toISOString()) return refused("the request expired", "That sign-in took too long. Please start again.");
  const purpose = row.purpose as OidcPurpose;
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    const provider = await providerOf(input.oidc);
    tokens = await client.authorizationCodeGrant(provider, input.callbackUrl, {
      pkceCodeVerifier: row.code_verifier,
      expectedState: state,
      expectedNonce: row.nonce,
      idTokenExpected: true,
      ...(purpose === "sign" ? { maxAge: 0 } : {}),
    });
  } catch (err) {
    if (unreachable(err)) return { ok: false, status: 503, message: PROVIDER_DOWN, reason: err instanceof Error ? err.message : String(err) };
    return refused(err instanceof Error ? err.message : String(err));
  }
  const claims = tokens.claims();
  if (!claims) return refused("no ID token");
  let profile: { email?: unknown; email_verified?: unknown } = { email: claims.email, email_verified: claims.email_verified };
  if (typeof claims.email !== "string") {
    // Providers that follow the core spec strictly give scope claims at the UserInfo endpoint only.
    try {
      profile = await client.fetchUserInfo(await providerOf(input.oidc), tokens.access_token, claims.sub);
    } catch (err) {
      if (unreachable(err)) return { ok: false, status: 503, message: PROVIDER_DOWN, reason: err instanceof Error ? err.message : String(err) };
      return refused(err instanceof Error ? err.message : String(err));
    }
  }
  if (typeof profile.email !== "string" || profile.email_verified !== true) {
    return { ok: false, status: 403, reason: "no verified email", message: "Your company account did not give Confidant a verified email address, so it cannot tell who you are. Ask your IT team." };
  }
  const authTime = typeof claims.auth_time === "number" ? new Date(claims.auth_time * 1000).toISOString() : null;
  if (purpose === "sign") {
    // auth_time is in whole seconds: the authentication must be no earlier than the second the request was made in.
    const requestedSecond = Math.floor(Date.parse(row.created_at) / 1000);
    if (typeof claims.auth_time !== "number" || claims.auth_time < requestedSecond) {
      return { ok: false, status: 403, reason: "auth_time before the request", message: "Your company's sign-in service did not ask for your password again, so the signature was not recorded. Please try signing again." };
    }
  }
  return {
    ok: true,
    purpose,
    userId: row.user_id,
    redirectTo: row.redirect_to,
    requestedAt: row.created_at,
    form: row.form_json ? (JSON.parse(row.form_json) as Record<string, unknown>) : null,
    identity: {
      issuer: claims.iss,
      subject: claims.sub,
      email: profile.email.trim().toLowerCase(),
      authTime,
      acr: typeof claims.acr === "string" ? claims.acr : null,
      amr: Array.isArray(claims.amr) ? claims.amr.filter((x): x is string => typeof x === "string") : [],
    },
  };
}

/** The provider's sign-out address (RP-initiated logout), when it has one. */
export async function providerSignOutUrl(oidc: OidcConfig, afterUrl: string): Promise<string | null> {
  try {
    const provider = await providerOf(oidc);
    if (!provider.serverMetadata().end_session_endpoint) return null;
    return client.buildEndSessionUrl(provider, { client_id: oidc.clientId, post_logout_redirect_uri: afterUrl }).href;
  } catch {
    return null;
  }
}

/** Decision 026: a provider's `amr` with `mfa` or `hwk` counts as a second factor. */
export function providerReportedSecondFactor(amr: string[]): boolean {
  return amr.includes("mfa") || amr.includes("hwk");
}

// The state cookie: the browser that started a request proves it at the callback. SameSite=Lax,
// so the provider's redirect back (a top-level GET) carries it.
export function oidcStateCookieName(secure: boolean): string {
  return secure ? "__Host-confidant_oidc" : "confidant_oidc";
}

export function oidcStateCookie(state: string, secure: boolean): string {
  return [`${oidcStateCookieName(secure)}=${state}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${OIDC_REQUEST_MINUTES * 60}`, ...(secure ? ["Secure"] : [])].join("; ");
}

export function clearOidcStateCookie(secure: boolean): string {
  return [`${oidcStateCookieName(secure)}=`, "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=0", ...(secure ? ["Secure"] : [])].join("; ");
}
