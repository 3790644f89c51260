import { data, redirect, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData } from "@remix-run/react";
import { notFound, readForm, safeRedirect } from "~/http/guards.server";
import { oidcStateCookie, startOidc } from "~/auth/oidc.server";

export const meta: MetaFunction = () => [{ title: "Sign in with your company account · Confidant" }];

// Starts single sign-on: off to the provider, or a plain page when it is not answering. (A GET
// shows the page's default text; it must not redirect, or the action's answer would be lost.)
export async function loader() {
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const oidc = context.config.oidc;
  if (!oidc) throw notFound();
  const form = await readForm(request);
  const started = await startOidc(
    context.db,
    { oidc, callbackUrl: `${context.config.origin}/auth/oidc/callback`, purpose: "sign-in", redirectTo: safeRedirect(form.get("redirectTo")) },
    context.clock,
  );
  if (!started.ok) return data({ message: started.message }, { status: started.status, headers: { "Retry-After": "60" } });
  return redirect(started.url, { headers: { "Set-Cookie": oidcStateCookie(started.state, context.config.secureCookies) } });
}

export default function StartSso() {
  const result = useActionData<typeof action>();
  return (
    <div className="panel">
      <h1>Sign in with your company account</h1>
      <p role="alert" className="form-error">
        {result?.message ?? "Start from the sign-in page."}
      </p>
      <p>
        <Link to="/login">Back to the sign-in page</Link>
      </p>
    </div>
  );
}
