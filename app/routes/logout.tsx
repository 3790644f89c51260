import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { clearSessionCookie } from "~/auth/session.server";
import { signOut } from "~/people/sign-out.server";

export async function loader() {
  // Signing out changes state, so it is a POST; a GET just goes home.
  return redirect("/");
}

export async function action({ context }: ActionFunctionArgs) {
  if (context.sessionId && context.viewer) {
    await signOut(context.db, { sessionId: context.sessionId, userId: context.viewer.id, now: context.clock() });
  }
  return redirect("/login", { headers: { "Set-Cookie": clearSessionCookie(context.config.secureCookies) } });
}
