import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { notFound, readForm } from "~/http/guards.server";
import { findPasswordLink, usePasswordLink, LINK_HOURS } from "~/auth/password-links.server";
import { Field } from "~/components/Field";

export const meta: MetaFunction = () => [{ title: "Set your password · Confidant" }];

// The token is in the URL: keep it out of caches and out of Referer headers.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" });

const GONE = `This link has expired or was already used. Links work once, for ${LINK_HOURS} hours; ask HR for a new one.`;

export async function loader({ params, context }: LoaderFunctionArgs) {
  const link = await findPasswordLink(context.db, String(params.token), context.clock);
  if (!link) throw notFound(GONE);
  return { name: link.name, email: link.email };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const result = await usePasswordLink(context.db, { token: String(params.token), form: Object.fromEntries(form) }, context.clock);
  if (result.ok) return redirect(`/login?email=${encodeURIComponent(result.email)}&passwordSet=1`);
  if ("gone" in result) throw notFound(GONE);
  return data({ fieldErrors: result.fieldErrors }, { status: 400 });
}

export default function SetPassword() {
  const { name, email } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = result?.fieldErrors ?? {};
  return (
    <div className="panel">
      <h1>Set your password</h1>
      <p>
        Hello {name}. Choose the password you will use to sign in to Confidant as <strong>{email}</strong>.
      </p>
      <Form method="post" noValidate>
        <input type="hidden" name="username" value={email} autoComplete="username" />
        <Field id="password" label="New password" hint="At least 8 characters. A short sentence is easy to remember and hard to guess." type="password" autoComplete="new-password" error={errors.password} />
        <Field id="confirm" label="Type it again" type="password" autoComplete="new-password" error={errors.confirm} />
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Saving…" : "Set password"}
        </button>
      </Form>
    </div>
  );
}
