// A fresh WebAuthn challenge for the browser's passkey dialog (POST; the page's script asks).
import type { ActionFunctionArgs } from "@remix-run/node";
import { badRequest, readForm, requireViewer } from "~/http/guards.server";
import { passkeyAuthenticationOptions, passkeyRegistrationOptions } from "~/auth/passkeys.server";
import { readPendingSignIn, readPendingToken } from "~/auth/second-factor.server";

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, 1024);
  const purpose = form.get("purpose");
  const { db, clock, config } = context;
  const origin = config.origin;
  let options;
  if (purpose === "register") {
    const viewer = requireViewer(request, context);
    options = await passkeyRegistrationOptions(db, { user: viewer, origin }, clock);
  } else if (purpose === "signing") {
    const viewer = requireViewer(request, context);
    options = await passkeyAuthenticationOptions(db, { userId: viewer.id, purpose, origin }, clock);
  } else if (purpose === "second-factor") {
    const pending = await readPendingSignIn(db, readPendingToken(request.headers.get("cookie"), config.secureCookies), clock);
    if (!pending) throw new Response("Your sign-in has expired. Enter your email and password again.", { status: 401 });
    options = await passkeyAuthenticationOptions(db, { userId: pending.userId, purpose, origin }, clock);
  } else if (purpose === "sign-in") {
    options = await passkeyAuthenticationOptions(db, { userId: null, purpose, origin }, clock);
  } else {
    throw badRequest("Unknown passkey request.");
  }
  return Response.json(options, { headers: { "Cache-Control": "no-store" } });
}
