import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { recordAudit } from "~/audit/audit.server";
import { clearSessionCookie, invalidateSession } from "~/auth/session.server";

export async function loader() {
  // Signing out changes state, so it is a POST; a GET just goes home.
  return redirect("/");
}

export async function action({ context }: ActionFunctionArgs) {
  if (context.sessionId && context.viewer) {
    await invalidateSession(context.db, context.sessionId);
    await recordAudit(context.db, { actorId: context.viewer.id, action: "auth.signed_out", subjectType: "user", subjectId: context.viewer.id }, context.clock());
  }
  return redirect("/login", { headers: { "Set-Cookie": clearSessionCookie(context.config.secureCookies) } });
}
