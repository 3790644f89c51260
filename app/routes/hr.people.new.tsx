import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { readForm, requireHr } from "~/http/guards.server";
import { setFlash } from "~/http/flash.server";
import { addPerson } from "~/roster/people-admin.server";
import { PersonFields, type PersonFieldValues } from "~/roster/person-fields";
import { invitePeople, parseInviteWhen } from "~/auth/account-links.server";
import { InviteChoice } from "~/components/InviteChoice";
import rosterStyles from "~/styles/roster.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: rosterStyles }];

export const meta: MetaFunction = () => [{ title: "Add a person · Confidant" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireHr(request, context);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireHr(request, context);
  const form = Object.fromEntries(await readForm(request));
  const when = parseInviteWhen(form.invite);
  if (!when) return data({ fieldErrors: { email: "Choose when to send the invitation, then add the person again." }, values: {} }, { status: 400 });
  const result = await addPerson(context.db, { form, actorId: viewer.id }, context.clock);
  if (!result.ok) return data({ fieldErrors: result.fieldErrors, values: result.values }, { status: 400 });
  const name = String(form.name ?? "").replace(/\s+/g, " ").trim();
  const invited = await invitePeople(context.db, { emails: [String(form.email).trim().toLowerCase()], actorId: viewer.id, when }, context.clock);
  if (invited.now > 0) context.mailQueued?.();
  const next = invited.now > 0 ? "Their invitation is on its way." : invited.scheduled > 0 ? "Their invitation will be mailed on their start date." : "They cannot sign in until they have a password. Send them an invitation from this page.";
  return redirect(`/hr/people/${result.id}/edit`, {
    headers: { "Set-Cookie": await setFlash(context.config, `Added ${name}. ${next}`) },
  });
}

const EMPTY: PersonFieldValues = { email: "", name: "", employeeId: "", department: "", title: "", managerEmail: "", startDate: "", endDate: "", type: "employee" };

export default function NewPerson() {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = result?.fieldErrors ?? {};
  const count = Object.keys(errors).length;
  return (
    <>
      <p className="eyebrow">
        <Link to="/hr/people">People</Link>
      </p>
      <h1>Add a person</h1>
      <p className="muted">
        For one new starter. To add or update many people at once, <Link to="/hr/import">import a roster</Link>. They get their
        onboarding training from their start date.
      </p>
      <Form method="post" noValidate className="panel" aria-describedby={count ? "new-errors" : undefined}>
        {count ? (
          <p id="new-errors" className="form-error" role="alert">
            {count === 1 ? "One field needs attention." : `${count} fields need attention.`} Nobody was added.
          </p>
        ) : null}
        <PersonFields values={{ ...EMPTY, ...(result?.values ?? {}) }} errors={errors} />
        <InviteChoice />
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Adding…" : "Add person"}
        </button>
        <Link to="/hr/people" className="roster-cancel">
          Cancel
        </Link>
      </Form>
    </>
  );
}
