import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { readForm, safeRedirect } from "~/http/guards.server";
import { signIn } from "~/auth/login.server";
import { sessionCookie } from "~/auth/session.server";
import { pendingCookie, signInWithPasskey } from "~/auth/second-factor.server";
import { PasskeyButton } from "~/components/PasskeyButton";
import { deviceCookie, readDevice } from "~/auth/device.server";
import { passOnHeaders } from "~/http/headers";
import { Field } from "~/components/Field";
import { providerSignOutUrl } from "~/auth/oidc.server";

export const headers = passOnHeaders;

export const meta: MetaFunction = () => [{ title: "Sign in · Confidant" }];

export async function loader({ context, request }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  if (context.viewer) throw redirect(safeRedirect(params.get("redirectTo")));
  const { oidc, passwordSignIn } = context.config;
  // After signing out of a single sign-on session: offer the provider's own sign-out too.
  const providerSignOut = oidc && params.get("signedOut") === "sso" ? await providerSignOutUrl(oidc, `${context.config.origin}/login`) : null;
  return { sso: Boolean(oidc), passwords: passwordSignIn.mode, providerSignOut };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const redirectTo = safeRedirect(form.get("redirectTo"));
  const { secret, secureCookies: secure } = context.config;
  const device = readDevice(request.headers.get("cookie"), { secret, secure });
  if (form.get("intent") === "passkey") {
    const result = await signInWithPasskey(context.db, { response: form.get("passkey"), ip: context.ip, userAgent: context.userAgent, origin: context.config.origin }, context.clock);
    if (!result.ok) return data({ fieldErrors: {} as Record<string, string>, formError: result.error, email: "" }, { status: 400 });
    const headers = new Headers();
    headers.append("Set-Cookie", sessionCookie(result.sessionToken, secure));
    headers.append("Set-Cookie", deviceCookie({ secret, secure, userId: result.userId, deviceId: device?.deviceId }));
    return redirect(redirectTo, { headers });
  }
  const result = await signIn(
    context.db,
    { form: Object.fromEntries(form), ip: context.ip, userAgent: context.userAgent, device, redirectTo, passwordPolicy: context.config.passwordSignIn },
    context.clock,
  );
  if (!result.ok) {
    const headers = result.status === 429 ? { "Retry-After": String(result.retryAfter) } : undefined;
    return data(
      { fieldErrors: "fieldErrors" in result ? result.fieldErrors : {}, formError: result.formError ?? null, email: String(form.get("email") ?? "").slice(0, 254) },
      { status: result.status, headers },
    );
  }
  // Password right and a second factor on the account: that comes next, before any session.
  if ("pendingToken" in result) return redirect("/login/verify", { headers: { "Set-Cookie": pendingCookie(result.pendingToken, secure) } });
  const headers = new Headers();
  headers.append("Set-Cookie", sessionCookie(result.token, secure));
  headers.append("Set-Cookie", deviceCookie({ secret, secure, userId: result.userId, deviceId: device?.deviceId }));
  return redirect(redirectTo, { headers });
}

/** Single sign-on, when configured: the first way in on the page. */
function CompanySignIn({ redirectTo }: { redirectTo: string }) {
  return (
    <Form method="post" action="/auth/oidc" className="sso-sign-in" reloadDocument>
      <input type="hidden" name="redirectTo" value={redirectTo} />
      <button type="submit" className="button">
        Sign in with your company account
      </button>
    </Form>
  );
}

export default function Login() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const errors = result?.fieldErrors ?? {};
  return (
    <div className="panel">
      <h1>Sign in</h1>
      {page?.providerSignOut ? (
        <p className="notice" role="status">
          You are signed out of Confidant. <a href={page.providerSignOut}>Also sign out of your company account</a>
        </p>
      ) : null}
      {page?.sso ? <CompanySignIn redirectTo={params.get("redirectTo") ?? "/"} /> : null}
      {page?.passwords === "off" ? null : (
      <>
      <p className="muted">{page?.passwords === "break-glass" ? "Break-glass HR accounts only: your work email address and your Confidant password." : "Use your work email address and your Confidant password."}</p>
      {params.get("passwordSet") ? (
        <p className="notice" role="status">
          Your password is set. Sign in with it now.
        </p>
      ) : null}
      <Form method="post" noValidate aria-describedby={result?.formError ? "login-error" : undefined}>
        {result?.formError ? (
          <p id="login-error" className="form-error" role="alert">
            {result.formError}
          </p>
        ) : null}
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/"} />
        <Field id="email" label="Work email" type="email" autoComplete="username" required defaultValue={result?.email ?? params.get("email") ?? undefined} error={errors.email} />
        <Field id="password" label="Password" type="password" autoComplete="current-password" required error={errors.password} />
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </Form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
      </>
      )}
      <Form method="post" className="passkey-sign-in">
        <input type="hidden" name="intent" value="passkey" />
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/"} />
        <p className="muted">Or, if you have added a passkey to your account:</p>
        <PasskeyButton purpose="sign-in" label="Use a passkey" className="button secondary" />
      </Form>
    </div>
  );
}
