import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { readForm } from "~/http/guards.server";
import { requestPasswordReset } from "~/auth/account-links.server";
import { answerAfter } from "~/http/timing.server";
import { Field } from "~/components/Field";

export const meta: MetaFunction = () => [{ title: "Forgot your password? · Confidant" }];

export async function loader(_: LoaderFunctionArgs) {
  return null;
}

const ADDRESS = /^[^\s@]{1,64}@[^\s@]{1,190}$/;

// The answer is the same, and comes after the same time, whether or not the address has an
// account: the page must not tell a stranger who works here.
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const email = String(form.get("email") ?? "").trim().toLowerCase();
  if (!ADDRESS.test(email)) return data({ sent: false as const, error: "Enter your work email address." }, { status: 400 });
  await answerAfter(SAME_TIME_MS, async () => {
    await requestPasswordReset(context.db, { email }, context.clock);
    context.mailQueued?.();
  });
  return { sent: true as const, error: null };
}

/** Every answer waits this long: longer than the slowest path (a lookup and two inserts). */
const SAME_TIME_MS = 400;

export default function ForgotPassword() {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <div className="panel">
      <h1>Forgot your password?</h1>
      {result?.sent ? (
        <p className="notice" role="status">
          If that address has a Confidant account, we have sent it a link to choose a new password. It works once, for 72 hours. Check your
          inbox (and your spam folder).
        </p>
      ) : (
        <>
          <p className="muted">Enter your work email address. We will send you a link to choose a new password.</p>
          <Form method="post" noValidate>
            <Field id="email" label="Work email" type="email" autoComplete="username" required error={result?.error ?? undefined} />
            <button type="submit" className="button" disabled={busy}>
              {busy ? "Sending…" : "Send me a link"}
            </button>
          </Form>
        </>
      )}
      <p>
        <Link to="/login">Back to sign in</Link>
      </p>
    </div>
  );
}
