import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { notFound, readForm } from "~/http/guards.server";
import { findAccountLink, LINK_HOURS } from "~/auth/account-links.server";
import { setPasswordWithLink } from "~/auth/passwords.server";
import { passwordHint, passwordPolicyFor } from "~/auth/password-policy.server";
import { Field } from "~/components/Field";

export const meta: MetaFunction = () => [{ title: "Set your password · Confidant" }];

// The token is in the URL: keep it out of caches and out of Referer headers.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" });

const GONE = `This link has expired, was replaced by a newer one, or was already used. Links work once, for ${LINK_HOURS} hours. Ask for a new one from the sign-in page ("Forgot your password?"), or ask HR to send you a new invitation.`;

export async function loader({ params, context }: LoaderFunctionArgs) {
  const link = await findAccountLink(context.db, String(params.token), context.clock);
  if (!link) throw notFound(GONE);
  return { name: link.name, email: link.email, purpose: link.purpose, hint: passwordHint(passwordPolicyFor({ hasSecondFactor: false })) };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const result = await setPasswordWithLink(context.db, { token: String(params.token), form: Object.fromEntries(form) }, context.clock);
  if (result.ok) return redirect(`/login?email=${encodeURIComponent(result.email)}&passwordSet=1`);
  if ("gone" in result) throw notFound(GONE);
  return data({ fieldErrors: result.fieldErrors }, { status: 400 });
}

export default function SetPassword() {
  const { name, email, purpose, hint } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = result?.fieldErrors ?? {};
  return (
    <div className="panel">
      <h1>{purpose === "invitation" ? "Set your password" : "Choose a new password"}</h1>
      <p>
        Hello {name}. Choose the password you will use to sign in to Confidant as <strong>{email}</strong>. Only you will know it.
      </p>
      <Form method="post" noValidate>
        <input type="hidden" name="username" value={email} autoComplete="username" />
        <Field id="password" label="New password" hint={hint} type="password" autoComplete="new-password" error={errors.password} />
        <Field id="confirm" label="Type it again" type="password" autoComplete="new-password" error={errors.confirm} />
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Saving…" : "Set password"}
        </button>
      </Form>
    </div>
  );
}
