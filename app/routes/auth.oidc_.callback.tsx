import { data, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { notFound } from "~/http/guards.server";
import { clearOidcStateCookie, finishOidc, oidcStateCookieName } from "~/auth/oidc.server";
import { readCookie, sessionCookie } from "~/auth/session.server";
import { pendingCookie } from "~/auth/second-factor.server";
import { signInWithProvider } from "~/people/sso-sign-in.server";
import { passOnHeaders } from "~/http/headers";

export const headers = passOnHeaders;
export const meta: MetaFunction = () => [{ title: "Signing in · Confidant" }];

// Where the provider sends the browser back: the answer is checked, then a session (or the
// second step for an HR admin), or a page saying plainly why not.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const oidc = context.config.oidc;
  if (!oidc) throw notFound();
  const secure = context.config.secureCookies;
  const url = new URL(request.url);
  const callbackUrl = new URL(`${context.config.origin}/auth/oidc/callback${url.search}`);
  const finished = await finishOidc(context.db, { oidc, callbackUrl, browserState: readCookie(request.headers.get("cookie"), oidcStateCookieName(secure)) }, context.clock);
  const headers = new Headers({ "Set-Cookie": clearOidcStateCookie(secure), "Cache-Control": "no-store" });
  if (!finished.ok) return data({ message: finished.message }, { status: finished.status, headers });
  if (finished.purpose !== "sign-in") return data({ message: "That sign-in could not be completed. Please start again from the sign-in page." }, { status: 400, headers });
  const result = await signInWithProvider(
    context.db,
    { identity: finished.identity, createPeople: oidc.createPeople, redirectTo: finished.redirectTo, ip: context.ip, userAgent: context.userAgent },
    context.clock,
  );
  if (!result.ok) return data({ message: result.message }, { status: result.status, headers });
  if ("pendingToken" in result) {
    headers.append("Set-Cookie", pendingCookie(result.pendingToken, secure));
    return redirect("/login/verify", { headers });
  }
  headers.append("Set-Cookie", sessionCookie(result.token, secure));
  return redirect(finished.redirectTo, { headers });
}

export default function SsoCallback() {
  const { message } = useLoaderData<typeof loader>();
  return (
    <div className="panel">
      <h1>You are not signed in</h1>
      <p role="alert" className="form-error">
        {message}
      </p>
      <p>
        <Link to="/login">Back to the sign-in page</Link>
      </p>
    </div>
  );
}
