import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { notFound, readForm, requireViewer } from "~/http/guards.server";
import { personIdParam } from "~/http/manager.server";
import { parseKudosForm, sendKudos } from "~/recognition/kudos.server";
import { kudosPage, kudosSender } from "~/recognition/kudos-page.server";
import { KUDOS_BADGES, KUDOS_MESSAGE_MAX } from "~/recognition/badges";
import { KudosList } from "~/recognition/KudosList";
import { Awards } from "~/recognition/Board";
import teamStyles from "~/styles/team.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: teamStyles }];

export const meta: MetaFunction = () => [{ title: "Send kudos · Confidant" }];

/** Managers thank people in their team; HR may thank anyone. Everyone else: no such page. */
async function requireSender(request: Request, context: Parameters<typeof requireViewer>[1]) {
  const viewer = requireViewer(request, context);
  const sender = await kudosSender(context.db, viewer);
  if (!sender) throw notFound();
  return { viewer, isManager: sender.isManager };
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer, isManager } = await requireSender(request, context);
  const to = new URL(request.url).searchParams.get("to");
  const page = await kudosPage(context.db, { sender: viewer, isManager, personId: to ? personIdParam(to) : null, catalog: context.catalog }, context.clock());
  if (!page) throw notFound("There is no such person in your team.");
  return page;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = await requireSender(request, context);
  const form = await readForm(request);
  const parsed = parseKudosForm(form);
  if (!parsed.ok) {
    return data(
      {
        fieldErrors: parsed.fieldErrors,
        sent: null,
        values: {
          to: String(form.get("to") ?? "").slice(0, 80),
          message: String(form.get("message") ?? "").slice(0, 2000),
          badge: String(form.get("badge") ?? "").slice(0, 80),
        },
      },
      { status: 400 },
    );
  }
  const sent = await sendKudos(context.db, { sender: viewer, form: parsed.data, origin: context.config.origin }, context.clock);
  if (!sent) throw notFound("There is no such person in your team.");
  return {
    fieldErrors: null,
    sent: { id: sent.id, toName: sent.toName, toId: sent.toId },
    values: null,
  };
}

export default function SendKudos() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors: Record<string, string> = result?.fieldErrors ?? {};
  const values = result?.values;
  const [length, setLength] = useState(values?.message.length ?? 0);
  const heading = d.recipient ? `Send kudos to ${d.recipient.name}` : "Send kudos";
  return (
    <>
      <p className="eyebrow">
        {d.isManager ? (
          <>
            <Link to="/team">My team</Link> ·{" "}
          </>
        ) : null}
        <Link to={d.board}>Top compliers</Link> · Kudos
      </p>
      <h1>{heading}</h1>
      {result?.sent ? (
        <div className="notice" role="status">
          <p>
            <strong>{`Kudos sent to ${result.sent.toName}.`}</strong> They will see it on their home page and get it by email.
          </p>
          <p>
            <Link to={d.board}>Back to the board</Link>
            {d.isManager ? (
              <>
                {" "}
                · <Link to="/team">Back to my team</Link>
              </>
            ) : null}
          </p>
        </div>
      ) : (
        <p className="lead">
          A short, specific thank-you: what did they do that protected the company's confidential information? They see it on their home page, with
          your name, and get it by email.
        </p>
      )}
      {result?.sent ? null : (
        <Form method="post" className="panel" noValidate aria-describedby={result?.fieldErrors ? "kudos-error" : undefined}>
          {result?.fieldErrors ? (
            <p id="kudos-error" className="form-error" role="alert">
              Please check the form: {Object.values(errors).join(" ")}
            </p>
          ) : null}
          {d.recipient ? (
            <>
              <input type="hidden" name="to" value={d.recipient.id} />
              {d.earned.length > 0 ? (
                <div className="field">
                  <p className="hint">Badges {d.recipient.name.split(" ")[0]} has earned from their records:</p>
                  <Awards badges={d.earned} label={`Badges of ${d.recipient.name}`} />
                </div>
              ) : null}
            </>
          ) : (
            <div className="field">
              {d.people.length === 0 ? (
                <p className="hint">
                  Nobody reports to you, so there is no list here: choose <Link to={d.board}>Send kudos</Link> next to a person on the board.
                </p>
              ) : null}
              <label htmlFor="to">Who</label>
              <select
                id="to"
                name="to"
                defaultValue={values?.to ?? ""}
                aria-invalid={errors.to ? true : undefined}
                aria-describedby={errors.to ? "to-error" : undefined}
              >
                <option value="">Choose a person</option>
                {d.people.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
              {errors.to ? (
                <p id="to-error" className="field-error">
                  {errors.to}
                </p>
              ) : null}
            </div>
          )}
          <div className="field">
            <label htmlFor="message">Message</label>
            <p className="hint" id="message-hint">
              For example: “Thank you for spotting the shared link to the pricing sheet and reporting it straight away.”
            </p>
            <textarea
              id="message"
              name="message"
              rows={4}
              maxLength={KUDOS_MESSAGE_MAX}
              required
              defaultValue={values?.message ?? ""}
              onChange={(e) => setLength(e.currentTarget.value.length)}
              aria-invalid={errors.message ? true : undefined}
              aria-describedby={`message-hint message-count${errors.message ? " message-error" : ""}`}
            />
            <p id="message-count" className="counter">
              {length} of {KUDOS_MESSAGE_MAX} characters
            </p>
            {errors.message ? (
              <p id="message-error" className="field-error">
                {errors.message}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="badge">Badge (optional)</label>
            <select id="badge" name="badge" defaultValue={values?.badge ?? ""} aria-invalid={errors.badge ? true : undefined}>
              <option value="">No badge</option>
              {Object.entries(KUDOS_BADGES).map(([key, label]) => (
                <option key={key} value={key}>
                  {label}
                </option>
              ))}
            </select>
            {errors.badge ? <p className="field-error">{errors.badge}</p> : null}
          </div>
          <button type="submit" className="button" disabled={busy}>
            {busy ? "Sending…" : "Send kudos"}
          </button>
        </Form>
      )}
      {d.sent.length > 0 ? (
        <>
          <h2 id="sent-h">Kudos you sent recently</h2>
          <KudosList items={d.sent} labelledBy="sent-h" show="to" />
        </>
      ) : null}
    </>
  );
}
