import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { readForm } from "~/http/guards.server";
import { sessionCookie } from "~/auth/session.server";
import { deviceCookie, readDevice } from "~/auth/device.server";
import { clearPendingCookie, finishSignIn, readPendingSignIn, readPendingToken } from "~/auth/second-factor.server";
import { Field } from "~/components/Field";
import { PasskeyButton } from "~/components/PasskeyButton";

export const meta: MetaFunction = () => [{ title: "Second step · Confidant" }];
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

// The second step of signing in: the password was right; the session starts only after this.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const pending = await readPendingSignIn(context.db, readPendingToken(request.headers.get("cookie"), context.config.secureCookies), context.clock);
  if (!pending) throw redirect("/login");
  return { email: pending.email, totp: pending.factors.totp, passkeys: pending.factors.passkeys > 0 };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const secure = context.config.secureCookies;
  const result = await finishSignIn(
    context.db,
    {
      token: readPendingToken(request.headers.get("cookie"), secure),
      form: Object.fromEntries(form),
      ip: context.ip,
      userAgent: context.userAgent,
      appSecret: context.config.secret,
      origin: context.config.origin,
    },
    context.clock,
  );
  if (result.ok) {
    const headers = new Headers();
    headers.append("Set-Cookie", clearPendingCookie(secure));
    headers.append("Set-Cookie", sessionCookie(result.sessionToken, secure));
    const { secret } = context.config;
    const device = readDevice(request.headers.get("cookie"), { secret, secure });
    headers.append("Set-Cookie", deviceCookie({ secret, secure, userId: result.userId, deviceId: device?.deviceId }));
    return redirect(result.redirectTo, { headers });
  }
  if (result.restart) return redirect("/login", { headers: { "Set-Cookie": clearPendingCookie(secure) } });
  return data({ field: result.field, error: result.error }, { status: 400 });
}

export default function SecondStep() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errorFor = (field: string) => (result?.field === field ? result.error : undefined);
  return (
    <div className="panel">
      <h1>Confirm it is you</h1>
      <p>
        Your password for <strong>{d.email}</strong> is right. To finish signing in, use your second factor.
      </p>
      {d.passkeys ? (
        <Form method="post" aria-label="Use a passkey">
          <input type="hidden" name="method" value="passkey" />
          {errorFor("passkey") ? (
            <p className="form-error" role="alert">
              {errorFor("passkey")}
            </p>
          ) : null}
          <PasskeyButton purpose="second-factor" label="Use my passkey" />
        </Form>
      ) : null}
      {d.totp ? (
        <>
          <Form method="post" noValidate aria-label="Use your authenticator app">
            <input type="hidden" name="method" value="totp" />
            <Field id="code" label="Code from your authenticator app" inputMode="numeric" autoComplete="one-time-code" maxLength={9} error={errorFor("code")} />
            <button type="submit" className="button" disabled={busy}>
              {busy ? "Checking…" : "Continue"}
            </button>
          </Form>
          <details open={Boolean(errorFor("recovery"))}>
            <summary>Lost your phone? Use a recovery code</summary>
            <Form method="post" noValidate>
              <input type="hidden" name="method" value="recovery" />
              <Field id="recovery" label="Recovery code" hint="One of the ten codes you saved when you set up the app. Each works once." autoComplete="off" error={errorFor("recovery")} />
              <button type="submit" className="button secondary" disabled={busy}>
                Use recovery code
              </button>
            </Form>
          </details>
        </>
      ) : null}
      <p>
        <Link to="/login">Start again</Link>
      </p>
    </div>
  );
}
