import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { clearSessionCookie } from "~/auth/session.server";
import { signOut } from "~/people/sign-out.server";

export async function loader() {
  // Signing out changes state, so it is a POST; a GET just goes home.
  return redirect("/");
}

export async function action({ context }: ActionFunctionArgs) {
  const sso = Boolean(context.viewer?.sso_issuer && context.config.oidc);
  if (context.sessionId && context.viewer) {
    await signOut(context.db, { sessionId: context.sessionId, userId: context.viewer.id, now: context.clock() });
  }
  // Signed in through the company's provider: the sign-in page offers its sign-out too.
  return redirect(sso ? "/login?signedOut=sso" : "/login", { headers: { "Set-Cookie": clearSessionCookie(context.config.secureCookies) } });
}
