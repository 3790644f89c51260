import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { readForm, requireViewer } from "~/http/guards.server";
import { securityPage, securityAction } from "~/auth/security-page.server";
import { Field } from "~/components/Field";
import { PasskeyButton } from "~/components/PasskeyButton";
import { formatDate } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Sign-in security · Confidant" }];
// A pending authenticator key and fresh recovery codes are on this page: never cache it.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireViewer(request, context);
  return securityPage(context.db, { viewer, appSecret: context.config.secret });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireViewer(request, context);
  const form = Object.fromEntries(await readForm(request));
  const result = await securityAction(context.db, { viewer, form, appSecret: context.config.secret, origin: context.config.origin }, context.clock);
  return data(result, { status: result.ok ? 200 : 400 });
}

function AuthenticatorApp({ totp }: { totp: ReturnType<typeof useLoaderData<typeof loader>>["totp"] }) {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errorFor = (field: string) => (result && !result.ok && result.field === field ? result.error : undefined);
  if (result?.ok && result.recoveryCodes) {
    return (
      <section className="panel" aria-labelledby="codes-h">
        <h2 id="codes-h">Your recovery codes</h2>
        <p>
          Your authenticator app is on. Save these ten codes somewhere safe, away from your phone: each one signs you in once if you lose it. They are
          shown only now.
        </p>
        <ul className="recovery-codes" aria-label="Recovery codes">
          {result.recoveryCodes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        <p>
          <Link to="/account/security">I have saved them</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="panel" aria-labelledby="totp-h">
      <h2 id="totp-h">Authenticator app</h2>
      {totp.status === "off" ? (
        <Form method="post">
          <p className="muted">Get a 6-digit code from an app on your phone (any authenticator app) each time you sign in.</p>
          <input type="hidden" name="intent" value="totp-start" />
          <button type="submit" className="button secondary" disabled={busy}>
            Set up an authenticator app
          </button>
        </Form>
      ) : totp.status === "pending" ? (
        <Form method="post" noValidate>
          <p>Scan this code with your authenticator app, or type the key into it. Then enter the 6-digit code it shows.</p>
          <div className="qr" role="img" aria-label="QR code for your authenticator app" dangerouslySetInnerHTML={{ __html: totp.qrSvg }} />
          <p>
            Key: <code data-testid="totp-secret">{totp.secret}</code>
          </p>
          <input type="hidden" name="intent" value="totp-confirm" />
          <Field id="code" label="Code from the app" inputMode="numeric" autoComplete="one-time-code" maxLength={9} error={errorFor("code")} />
          <button type="submit" className="button" disabled={busy}>
            Turn on
          </button>
        </Form>
      ) : (
        <Form method="post" noValidate>
          <p>{`On since ${formatDate(totp.confirmedAt)}. Recovery codes left: ${totp.recoveryCodesLeft} of 10.`}</p>
          <input type="hidden" name="intent" value="totp-remove" />
          <Field id="totp-remove-password" name="password" label="Your password, to turn it off" type="password" autoComplete="current-password" error={errorFor("totp-remove")} />
          <button type="submit" className="button secondary" disabled={busy}>
            Turn off the authenticator app
          </button>
        </Form>
      )}
    </section>
  );
}

function Passkeys({ passkeys }: { passkeys: ReturnType<typeof useLoaderData<typeof loader>>["passkeys"] }) {
  const result = useActionData<typeof action>();
  const errorFor = (field: string) => (result && !result.ok && result.field === field ? result.error : undefined);
  return (
    <section className="panel" aria-labelledby="passkeys-h">
      <h2 id="passkeys-h">Passkeys</h2>
      <p className="muted">A passkey signs you in with your device's fingerprint, face or PIN, with no password to type.</p>
      {passkeys.length ? (
        <ul className="passkeys" aria-label="Your passkeys">
          {passkeys.map((p) => (
            <li key={p.id}>
              <Form method="post">
                <strong>{p.name}</strong> <span className="muted">added {formatDate(p.createdAt)}{p.lastUsedAt ? `, last used ${formatDate(p.lastUsedAt)}` : ""}</span>{" "}
                <input type="hidden" name="intent" value="passkey-remove" />
                <input type="hidden" name="passkeyId" value={p.id} />
                <button type="submit" className="link-button" aria-label={`Remove ${p.name}`}>
                  Remove
                </button>
              </Form>
            </li>
          ))}
        </ul>
      ) : (
        <p>You have no passkeys yet.</p>
      )}
      {errorFor("passkey-remove") ? (
        <p className="form-error" role="alert">
          {errorFor("passkey-remove")}
        </p>
      ) : null}
      <Form method="post" noValidate>
        <input type="hidden" name="intent" value="passkey-add" />
        {errorFor("passkey") ? (
          <p className="form-error" role="alert">
            {errorFor("passkey")}
          </p>
        ) : null}
        <Field id="passkey-name" name="name" label="Name for this passkey" hint="So you can tell your passkeys apart, e.g. Work laptop." maxLength={60} error={errorFor("name")} />
        <Field id="passkey-password" name="password" label="Your password" type="password" autoComplete="current-password" error={errorFor("password")} />
        <PasskeyButton purpose="register" label="Add a passkey" />
      </Form>
    </section>
  );
}

export default function SecurityPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  return (
    <>
      <h1>Sign-in security</h1>
      {params.get("required") === "hr" && !d.hasSecondFactor ? (
        <p className="form-error" role="alert">
          HR admins must have a second factor. Add a passkey or an authenticator app to open HR pages.
        </p>
      ) : null}
      {result?.ok && result.message ? (
        <p className="notice" role="status">
          {result.message}
        </p>
      ) : null}
      <p className="muted">
        A second factor keeps your account yours even if someone learns your password. {d.isHr ? "As an HR admin you must have one." : "It is optional, and recommended."}
      </p>
      <Passkeys passkeys={d.passkeys} />
      <AuthenticatorApp totp={d.totp} />
      <p>
        <Link to="/account">Back to your details</Link>
      </p>
    </>
  );
}
