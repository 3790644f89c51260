import { data, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { notFound } from "~/http/guards.server";
import { clearOidcStateCookie, finishOidc, oidcStateCookieName } from "~/auth/oidc.server";
import { readCookie, sessionCookie } from "~/auth/session.server";
import { pendingCookie } from "~/auth/second-factor.server";
import { signInWithProvider } from "~/people/sso-sign-in.server";
import { passOnHeaders } from "~/http/headers";
import { asResponse, policiesFor, requireAssignment } from "~/http/course-access.server";
import { signAttestation } from "~/attestations/attestations.server";
import type { AppContext } from "~/http/context";
import type { FinishedOidc } from "~/auth/oidc.server";

const NOT_SIGNED = "The agreement was not signed: that sign-in was not the one Confidant asked for. Go back to the agreement and sign again.";

/** Back from a fresh sign-in for signing: the same person, the same provider, then the signature. */
async function finishSigning(request: Request, context: AppContext, finished: FinishedOidc, headers: Headers) {
  const viewer = context.viewer;
  const courseId = /^\/courses\/([^/]+)\/attest$/.exec(finished.redirectTo)?.[1];
  const same = viewer && viewer.id === finished.userId && viewer.sso_issuer === finished.identity.issuer && viewer.email === finished.identity.email;
  if (!same || !courseId || !finished.form) return data({ message: NOT_SIGNED }, { status: 403, headers });
  try {
    const { course, assignment } = await requireAssignment(request, context, courseId);
    const { policy, consentPolicy } = policiesFor(context, course);
    const { issuer, subject, authTime, acr, amr } = finished.identity;
    const result = await signAttestation(
      context.db,
      {
        viewer: viewer!, assignment, course, policy, consentPolicy, form: finished.form, ip: context.ip, userAgent: context.userAgent,
        sessionId: context.sessionId, secret: context.config.secret, origin: context.config.origin, freshSso: { issuer, subject, authTime, acr, amr },
      },
      context.clock,
    );
    if (!result.ok) return data({ message: `${result.formError ?? "The agreement was not signed."} ${Object.values(result.fieldErrors).join(" ")}`.trim() }, { status: result.status, headers });
    return redirect(`/receipts/${result.code}`, { headers });
  } catch (e) {
    asResponse(e);
  }
}

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
  if (finished.purpose === "sign") return finishSigning(request, context, finished, headers);
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
