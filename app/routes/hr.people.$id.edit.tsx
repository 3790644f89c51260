import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { notFound, readForm, requireHr } from "~/http/guards.server";
import { formatDateTime } from "~/components/format";
import { readFlash, setFlash } from "~/http/flash.server";
import { latestAccountLink, sendAccountLinkByHr, type AccountLinkStatus } from "~/auth/account-links.server";
import { changeStatus, editPerson, getPersonForEdit } from "~/roster/people-admin.server";
import { PersonFields, type PersonFieldValues } from "~/roster/person-fields";
import rosterStyles from "~/styles/roster.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: rosterStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? `Edit ${data.person.name}` : "Edit a person"} · Confidant` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = requireHr(request, context);
  const person = await getPersonForEdit(context.db, params.id ?? "");
  if (!person) throw notFound();
  const flash = await readFlash(request, context.config);
  const link = await latestAccountLink(context.db, person.id);
  return data({ person, link, isSelf: person.id === viewer.id, flash: flash.message }, { headers: flash.headers });
}

const INTENTS = ["details", "leave", "return", "deactivate", "reactivate", "send_invitation", "send_reset"] as const;
type Intent = (typeof INTENTS)[number];

export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = requireHr(request, context);
  const form = await readForm(request);
  const intent = form.get("intent") as Intent;
  const id = params.id ?? "";
  const here = `/hr/people/${id}/edit`;
  if (!INTENTS.includes(intent)) return data({ intent: null, message: "That button is not recognised. Reload the page and try again.", field: null }, { status: 400 });
  if (intent === "send_invitation" || intent === "send_reset") {
    // Mailed to the person; HR never sees the link.
    const purpose = intent === "send_invitation" ? "invitation" : "reset";
    const result = await sendAccountLinkByHr(context.db, { userId: id, actorId: viewer.id, purpose }, context.clock);
    if (!result.ok) return data({ intent, message: result.message, field: null }, { status: result.status });
    context.mailQueued?.();
    const message = purpose === "invitation" ? "Invitation queued: it is mailed to them with a link to set their password." : "Reset link queued: it is mailed to them.";
    return redirect(here, { headers: { "Set-Cookie": await setFlash(context.config, message) } });
  }
  if (intent === "details") {
    const result = await editPerson(context.db, { id, form: Object.fromEntries(form), actorId: viewer.id }, context.clock);
    if (!result) throw notFound();
    if (!result.ok) return data({ intent, fieldErrors: result.fieldErrors, values: result.values }, { status: 400 });
    const message = result.changed === 0 ? "Nothing changed." : `Saved ${result.changed} change${result.changed === 1 ? "" : "s"}.`;
    return redirect(here, { headers: { "Set-Cookie": await setFlash(context.config, message) } });
  }
  const result = await changeStatus(context.db, { id, intent, reason: form.get("reason") ?? undefined, actorId: viewer.id }, context.clock);
  if (!result) throw notFound();
  if (!result.ok) return data({ intent, message: result.message, field: result.field ?? null }, { status: result.status });
  return redirect(here, { headers: { "Set-Cookie": await setFlash(context.config, result.message) } });
}

const STATUS = {
  active: { label: "Active", className: "status-completed" },
  leave: { label: "On leave", className: "status-in_progress" },
  inactive: { label: "Deactivated", className: "status-cancelled" },
} as const;

const LINK_WORD = { invitation: "Invitation", reset: "Reset link" } as const;

function linkState(link: AccountLinkStatus): string {
  if (link.usedAt) return `used on ${formatDateTime(link.usedAt)}`;
  if (link.sentAt) return `mailed on ${formatDateTime(link.sentAt)}, valid until ${formatDateTime(link.expiresAt ?? link.sentAt)}`;
  if (link.sendOn) return `to be mailed on their start date, ${link.sendOn}`;
  return link.mailStatus === "failed" ? "could not be mailed: see the outbox" : "waiting in the outbox";
}

/** HR starts an invitation or a reset; the person gets the link by email. HR sees when, never the link. */
function PasswordPanel({ name, canSignIn, link, busy }: { name: string; canSignIn: boolean; link: AccountLinkStatus | null; busy: boolean }) {
  return (
    <section className="panel" aria-labelledby="pwlink-h">
      <h2 id="pwlink-h" className="panel-title">
        Password
      </h2>
      <p>
        {canSignIn
          ? `${name} has a password. If they have lost it, send them a reset link: it is mailed to them, works once, for 72 hours, and ends their other sessions.`
          : `${name} has no password yet. Send them an invitation: it is mailed to them with a link to choose one, which works once, for 72 hours.`}{" "}
        Nobody but {name} sees the link or the password.
      </p>
      {link ? (
        <p className="muted" role="status">
          {LINK_WORD[link.purpose]} started {formatDateTime(link.startedAt)}
          {link.startedByName ? ` by ${link.startedByName}` : " by them, from the sign-in page"}: {linkState(link)}.
        </p>
      ) : null}
      <Form method="post">
        <input type="hidden" name="intent" value={canSignIn ? "send_reset" : "send_invitation"} />
        <button type="submit" className="button secondary" disabled={busy}>
          {canSignIn ? "Send a reset link" : "Send an invitation"}
        </button>
      </Form>
    </section>
  );
}

export default function EditPerson() {
  const { person: p, link, isSelf, flash } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const detailErrors = result && "fieldErrors" in result ? result.fieldErrors : {};
  const detailCount = Object.keys(detailErrors).length;
  const statusError = result && "message" in result ? result : null;
  const values: PersonFieldValues =
    result && "values" in result
      ? { email: "", name: "", employeeId: "", department: "", title: "", managerEmail: "", startDate: "", endDate: "", type: "employee", ...result.values }
      : {
          email: p.email,
          name: p.name,
          employeeId: p.employeeId ?? "",
          department: p.department ?? "",
          title: p.title ?? "",
          managerEmail: p.managerEmail ?? "",
          startDate: p.startDate,
          endDate: p.endDate ?? "",
          type: p.type,
        };
  const status = STATUS[p.status];
  return (
    <>
      <p className="eyebrow">
        <Link to="/hr/people">People</Link>
      </p>
      <h1>Edit {p.name}</h1>
      {flash ? (
        <p className="notice" role="status">
          {flash}
        </p>
      ) : null}
      {statusError && statusError.intent === null ? (
        <p className="form-error" role="alert">
          {statusError.message}
        </p>
      ) : null}
      <dl className="facts roster-facts">
        <dt>Status</dt>
        <dd>
          <span className={`badge ${status.className}`}>{status.label}</span>
          {p.status === "leave" && p.leaveStartedAt ? <span className="muted"> since {formatDateTime(p.leaveStartedAt)}</span> : null}
        </dd>
        <dt>Signing in</dt>
        <dd>{p.canSignIn ? "Has a password" : "Cannot sign in yet: no password has been set"}</dd>
        {p.isHr ? (
          <>
            <dt>Role</dt>
            <dd>HR administrator</dd>
          </>
        ) : null}
        <dt>Record</dt>
        <dd>
          <Link to={`/hr/people/${p.id}`}>Training record of {p.name}</Link>
        </dd>
      </dl>

      <Form method="post" noValidate className="panel" aria-labelledby="details-h" aria-describedby={detailCount ? "details-errors" : undefined}>
        <h2 id="details-h" className="panel-title">
          Details
        </h2>
        {detailCount ? (
          <p id="details-errors" className="form-error" role="alert">
            {detailCount === 1 ? "One field needs attention." : `${detailCount} fields need attention.`} Nothing was saved.
          </p>
        ) : null}
        <input type="hidden" name="intent" value="details" />
        <PersonFields values={values} errors={detailErrors} />
        <button type="submit" className="button" disabled={busy}>
          Save details
        </button>
      </Form>

      {p.status !== "inactive" ? (
        <section className="panel" aria-labelledby="leave-h">
          <h2 id="leave-h" className="panel-title">
            Leave
          </h2>
          {statusError && (statusError.intent === "leave" || statusError.intent === "return") ? (
            <p className="form-error" role="alert">
              {statusError.message}
            </p>
          ) : null}
          {p.status === "active" ? (
            <>
              <p>While on leave nothing new is assigned or sent to them. When they return, their open due dates move on by the days away.</p>
              <Form method="post">
                <input type="hidden" name="intent" value="leave" />
                <button type="submit" className="button secondary" disabled={busy}>
                  Put on leave
                </button>
              </Form>
            </>
          ) : (
            <>
              <p>Their open assignments&rsquo; due dates move on by the days they were away.</p>
              <Form method="post">
                <input type="hidden" name="intent" value="return" />
                <button type="submit" className="button secondary" disabled={busy}>
                  Return from leave
                </button>
              </Form>
            </>
          )}
        </section>
      ) : null}

      {p.status !== "inactive" ? <PasswordPanel name={p.name} canSignIn={p.canSignIn} link={link} busy={busy} /> : null}

      {p.status !== "inactive" ? (
        <Form method="post" noValidate className="panel roster-danger" aria-labelledby="deact-h">
          <h2 id="deact-h" className="panel-title">
            Deactivate
          </h2>
          <p>
            Deactivating signs {p.name} out everywhere and stops them signing in. Their training records, signatures and history are
            all kept.
          </p>
          {statusError && statusError.intent === "deactivate" && statusError.field !== "reason" ? (
            <p className="form-error" role="alert">
              {statusError.message}
            </p>
          ) : null}
          {isSelf ? (
            <p className="muted">You cannot deactivate yourself.</p>
          ) : p.reports > 0 ? (
            <p>
              {p.name} manages {p.reports} {p.reports === 1 ? "person" : "people"}. Give {p.reports === 1 ? "them" : "each of them"} another
              manager before deactivating {p.name}.
            </p>
          ) : (
            <>
              <input type="hidden" name="intent" value="deactivate" />
              <div className="field">
                <label htmlFor="reason">Reason (required)</label>
                <p id="reason-hint" className="hint">
                  Recorded in the audit log, e.g. &ldquo;Left the company; last day 31 May&rdquo;.
                </p>
                <textarea
                  id="reason"
                  name="reason"
                  rows={2}
                  maxLength={500}
                  required
                  aria-invalid={statusError?.field === "reason" ? true : undefined}
                  aria-describedby={statusError?.field === "reason" ? "reason-hint reason-error" : "reason-hint"}
                />
                {statusError?.field === "reason" ? (
                  <p id="reason-error" className="field-error">
                    {statusError.message}
                  </p>
                ) : null}
              </div>
              <button type="submit" className="button danger" disabled={busy}>
                Deactivate {p.name}
              </button>
            </>
          )}
        </Form>
      ) : (
        <section className="panel" aria-labelledby="react-h">
          <h2 id="react-h" className="panel-title">
            Reactivate
          </h2>
          {statusError && statusError.intent === "reactivate" ? (
            <p className="form-error" role="alert">
              {statusError.message}
            </p>
          ) : null}
          <p>{p.name} is deactivated. Reactivating lets them sign in again with their password and brings them back into training.</p>
          <Form method="post">
            <input type="hidden" name="intent" value="reactivate" />
            <button type="submit" className="button secondary" disabled={busy}>
              Reactivate {p.name}
            </button>
          </Form>
        </section>
      )}
    </>
  );
}
