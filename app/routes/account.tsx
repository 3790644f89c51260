import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { notFound, readForm, requireViewer } from "~/http/guards.server";
import { getOwnProfile } from "~/people/profile.server";
import { boardVisibilitySchema, isShownOnBoards, setShownOnBoards } from "~/recognition/opt-out.server";
import { secondFactorsOf } from "~/auth/second-factor.server";
import { formatDate } from "~/components/format";
import { PERSON_TYPE_LABEL } from "~/labels";
import { Field } from "~/components/Field";
import { changeOwnPassword } from "~/auth/passwords.server";
import { passwordHint, passwordPolicyFor } from "~/auth/password-policy.server";
import { sessionCookie } from "~/auth/session.server";

export const meta: MetaFunction = () => [{ title: "Your details · Confidant" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireViewer(request, context);
  const profile = await getOwnProfile(context.db, viewer.id);
  const secondFactors = await secondFactorsOf(context.db, viewer.id);
  if (!profile) throw notFound();
  return {
    ...profile,
    shownOnBoards: await isShownOnBoards(context.db, viewer.id),
    secondFactors,
    passwordHint: passwordHint(passwordPolicyFor({ hasSecondFactor: secondFactors.any })),
    passwordChanged: new URL(request.url).searchParams.get("passwordChanged") === "1",
  };
}

// What a person changes here themselves: their password, and whether they appear on
// compliance boards.
export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireViewer(request, context);
  const form = Object.fromEntries(await readForm(request));
  if (form.intent === "password") {
    const result = await changeOwnPassword(context.db, { userId: viewer.id, form, ip: context.ip, userAgent: context.userAgent, hasSecondFactor: viewer.has_second_factor }, context.clock);
    if (!result.ok) return data({ saved: false as const, error: null, passwordErrors: result.fieldErrors }, { status: 400 });
    return redirect("/account?passwordChanged=1", { headers: { "Set-Cookie": sessionCookie(result.token, context.config.secureCookies) } });
  }
  const parsed = boardVisibilitySchema.safeParse(form);
  if (!parsed.success)
    return data(
      {
        saved: false as const,
        error: "That choice could not be read. Reload the page and try again.",
      },
      { status: 400 },
    );
  const shown = parsed.data.show === "on";
  await setShownOnBoards(context.db, { userId: viewer.id, show: shown }, context.clock);
  return { saved: true as const, shown, error: null };
}

function ChangePassword({ hint, changed }: { hint: string; changed: boolean }) {
  const result = useActionData<typeof action>();
  const errors = result && "passwordErrors" in result ? result.passwordErrors : {};
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <h2 id="password-h">Password</h2>
      <Form method="post" noValidate className="panel" aria-labelledby="password-h">
        {changed ? (
          <p className="notice" role="status">
            Your password is changed. You are signed out everywhere else.
          </p>
        ) : null}
        <p className="muted">Changing your password signs you out of every other browser and device.</p>
        <input type="hidden" name="intent" value="password" />
        <Field id="current" label="Current password" type="password" autoComplete="current-password" error={errors.current} />
        <Field id="password" label="New password" hint={hint} type="password" autoComplete="new-password" error={errors.password} />
        <Field id="confirm" label="Type the new password again" type="password" autoComplete="new-password" error={errors.confirm} />
        <button type="submit" className="button secondary" disabled={busy}>
          Change password
        </button>
      </Form>
    </>
  );
}


function BoardVisibility({ shown }: { shown: boolean }) {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <h2 id="boards-h">Compliance boards</h2>
      <Form method="post" className="panel" aria-labelledby="boards-h">
        <p className="muted">
          Managers see a board of their team's top compliers, and HR one for the whole company. You always see your own score and badges on your home
          page; nobody else's. If you would rather not be listed, untick the box: you will still count in HR's overall figures.
        </p>
        {result?.error ? (
          <p className="form-error" role="alert">
            {result.error}
          </p>
        ) : null}
        {result?.saved ? (
          <p className="notice" role="status">
            Saved. {result.shown ? "You are shown on compliance boards." : "You are no longer shown on compliance boards."}
          </p>
        ) : null}
        <input type="hidden" name="intent" value="board-visibility" />
        <div className="field check">
          <input id="show-on-boards" name="show" type="checkbox" defaultChecked={shown} key={String(shown)} />
          <label htmlFor="show-on-boards">Show me on compliance boards</label>
        </div>
        <button type="submit" className="button secondary" disabled={busy}>
          {busy ? "Saving…" : "Save"}
        </button>
      </Form>
    </>
  );
}

export default function AccountPage() {
  const p = useLoaderData<typeof loader>();
  const notRecorded = <span className="muted">Not recorded</span>;
  return (
    <>
      <h1 id="details">Your details</h1>
      <p className="muted">
        This is how you appear on your training records and on the agreements you sign. If something is wrong, ask HR
        to correct it before you sign.
      </p>
      <div className="panel">
        <dl className="facts" aria-labelledby="details">
          <dt>Name</dt>
          <dd>{p.name}</dd>
          <dt>Work email</dt>
          <dd>{p.email}</dd>
          <dt>Department</dt>
          <dd>{p.department ?? notRecorded}</dd>
          <dt>Job title</dt>
          <dd>{p.title ?? notRecorded}</dd>
          <dt>Employee ID</dt>
          <dd>{p.employeeId ?? notRecorded}</dd>
          <dt>Type</dt>
          <dd>{PERSON_TYPE_LABEL[p.type]}</dd>
          <dt>Start date</dt>
          <dd>{formatDate(p.startDate)}</dd>
          <dt>Manager</dt>
          <dd>{p.managerName ?? <span className="muted">None</span>}</dd>
        </dl>
      </div>
      <h2 id="security-h">Sign-in security</h2>
      <div className="panel" aria-labelledby="security-h">
        <p>
          {p.secondFactors.any
            ? `Second factor: ${[p.secondFactors.passkeys ? `${p.secondFactors.passkeys} passkey(s)` : null, p.secondFactors.totp ? "authenticator app" : null].filter(Boolean).join(" and ")}.`
            : "You have no second factor yet."}{" "}
          <Link to="/account/security">Passkeys and authenticator app</Link>
        </p>
      </div>
      <ChangePassword hint={p.passwordHint} changed={p.passwordChanged} />
      <BoardVisibility shown={p.shownOnBoards} />
      <p>
        <Link to="/">Back to my training</Link>
      </p>
    </>
  );
}
