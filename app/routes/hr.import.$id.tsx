import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { notFound, readForm, requireHr } from "~/http/guards.server";
import { formatDateTime } from "~/components/format";
import { readFlash, setFlash } from "~/http/flash.server";
import { FIELD_LABEL, plural } from "~/roster/format";
import { confirmImport, getImport, planFromText, type ImportSummary } from "~/roster/import.server";
import { planCounts, planIsEmpty } from "~/roster/plan.server";
import rosterStyles from "~/styles/roster.css";
import { invitePeople, parseInviteWhen } from "~/auth/account-links.server";
import { InviteChoice } from "~/components/InviteChoice";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: rosterStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data && "fileName" in data ? `Roster ${data.fileName}` : "Roster import"} · Confidant` },
];

/** Each list on the page shows at most this many people; the counts are always complete. */
const SHOW = 500;

const isOn = (v: string | null) => v === "on" || v === "1" || v === "true";

// The preview of a stored import against the database as it is now (or, once applied, what it did).
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = requireHr(request, context);
  const imp = await getImport(context.db, params.id ?? "");
  if (!imp) throw notFound();
  const flash = await readFlash(request, context.config);
  const head = {
    id: imp.id,
    fileName: imp.fileName,
    sha256: imp.sha256,
    createdAt: imp.createdAt,
    uploaderName: imp.uploaderName,
    flash: flash.message,
  };
  if (imp.appliedAt) {
    return data({ ...head, applied: true as const, appliedAt: imp.appliedAt, summary: imp.summary }, { headers: flash.headers });
  }
  const deactivateMissing = isOn(new URL(request.url).searchParams.get("deactivateMissing"));
  const { plan } = await planFromText(context.db, imp.text, { deactivateMissing, actorId: viewer.id }, context.clock);
  const cap = <T,>(list: T[]) => list.slice(0, SHOW);
  return data(
    {
      ...head,
      applied: false as const,
      plan: {
        rows: plan.rows,
        columns: plan.columns,
        ignoredColumns: plan.ignoredColumns,
        problems: plan.problems,
        warnings: plan.warnings,
        counts: planCounts(plan),
        empty: planIsEmpty(plan),
        add: cap(plan.add),
        change: cap(plan.change),
        leave: cap(plan.leave),
        returnFromLeave: cap(plan.returnFromLeave),
        reactivate: cap(plan.reactivate),
        deactivate: cap(plan.deactivate),
        missing: cap(plan.missing),
        deactivateMissing: plan.deactivateMissing,
        digest: plan.digest,
      },
    },
    { headers: flash.headers },
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = requireHr(request, context);
  const form = await readForm(request);
  const when = parseInviteWhen(form.get("invite") ?? undefined);
  if (form.get("intent") !== "confirm" || !when) return data({ formError: "That button is not recognised. Reload the page and try again." }, { status: 400 });
  const digest = form.get("digest");
  const result = await confirmImport(
    context.db,
    {
      importId: params.id ?? "",
      actorId: viewer.id,
      deactivateMissing: isOn(form.get("deactivateMissing")),
      expectedDigest: typeof digest === "string" ? digest : "",
    },
    context.clock,
  );
  const here = `/hr/import/${params.id}`;
  switch (result.status) {
    case "not_found":
      throw notFound();
    case "applied": {
      const c = result.summary.counts;
      const invited = await invitePeople(context.db, { emails: result.summary.added.map((p) => p.email), actorId: viewer.id, when }, context.clock);
      if (invited.now > 0) context.mailQueued?.();
      const message = `Import applied: ${c.added} added, ${c.changed} changed, ${c.leave} put on leave, ${c.returned} returned from leave, ${c.reactivated} reactivated, ${c.deactivated} deactivated. Invitations: ${invited.now} sent, ${invited.scheduled} for their start date.`;
      return redirect(here, { headers: { "Set-Cookie": await setFlash(context.config, message) } });
    }
    case "already_applied":
      return redirect(here, { headers: { "Set-Cookie": await setFlash(context.config, "This import was already applied; nothing was changed again.") } });
    case "invalid":
      return data(
        { formError: "Nothing was applied: checked against the people as they are now, the file has the problems listed below." },
        { status: 409 },
      );
    case "stale":
      return data(
        { formError: "Nothing was applied: people changed since you opened this preview. Review the updated preview below and confirm again." },
        { status: 409 },
      );
  }
}

const STATUS_WORD: Record<string, string> = { active: "active", leave: "on leave", inactive: "deactivated" };

function Section({ id, title, count, shown, children }: { id: string; title: string; count: number; shown: number; children: ReactNode }) {
  if (count === 0) return null;
  return (
    <section aria-labelledby={id} className="roster-section">
      <h3 id={id}>
        {title} <span className="roster-count">({count})</span>
      </h3>
      {children}
      {count > shown ? (
        <p className="muted">
          …and {count - shown} more. <code>npm run roster:import -- file.csv --dry-run</code> lists everyone.
        </p>
      ) : null}
    </section>
  );
}

function PersonLine({ name, email, line, note, showWhere = true }: { name: string; email: string; line: number | null; note?: string; showWhere?: boolean }) {
  const where = [showWhere ? (line === null ? "not in the file" : `line ${line}`) : null, note].filter(Boolean).join(" · ");
  return (
    <li>
      <span className="roster-name">{name}</span> <span className="roster-email">{email}</span>
      {where ? <span className="muted roster-where"> · {where}</span> : null}
    </li>
  );
}

function Summary({ summary }: { summary: ImportSummary }) {
  const c = summary.counts;
  const list = (items: Array<{ email: string; name: string }>) => (
    <ul className="roster-people">
      {items.slice(0, SHOW).map((p) => (
        <li key={p.email}>
          <span className="roster-name">{p.name}</span> <span className="roster-email">{p.email}</span>
        </li>
      ))}
    </ul>
  );
  return (
    <>
      <Counts
        items={[
          ["Added", c.added],
          ["Changed", c.changed],
          ["Put on leave", c.leave],
          ["Returned", c.returned],
          ["Reactivated", c.reactivated],
          ["Deactivated", c.deactivated],
          ["Unchanged", c.unchanged],
        ]}
      />
      <Section id="s-add" title="Added" count={summary.added.length} shown={Math.min(SHOW, summary.added.length)}>
        {list(summary.added)}
      </Section>
      <Section id="s-change" title="Changed" count={summary.changed.length} shown={Math.min(SHOW, summary.changed.length)}>
        <ul className="roster-people">
          {summary.changed.slice(0, SHOW).map((p) => (
            <li key={p.email}>
              <span className="roster-name">{p.name}</span> <span className="roster-email">{p.email}</span>
              <Changes changes={p.changes} />
            </li>
          ))}
        </ul>
      </Section>
      <Section id="s-leave" title="Put on leave" count={summary.leave.length} shown={Math.min(SHOW, summary.leave.length)}>
        {list(summary.leave)}
      </Section>
      <Section id="s-return" title="Returned from leave" count={summary.returned.length} shown={Math.min(SHOW, summary.returned.length)}>
        {list(summary.returned)}
      </Section>
      <Section id="s-react" title="Reactivated" count={summary.reactivated.length} shown={Math.min(SHOW, summary.reactivated.length)}>
        {list(summary.reactivated)}
      </Section>
      <Section id="s-deact" title="Deactivated" count={summary.deactivated.length} shown={Math.min(SHOW, summary.deactivated.length)}>
        {list(summary.deactivated)}
      </Section>
      {summary.keptMissing > 0 ? (
        <p className="muted">
          {plural(summary.keptMissing, "person", "people")} not in the file {summary.keptMissing === 1 ? "was" : "were"} left unchanged.
        </p>
      ) : null}
    </>
  );
}

function Counts({ items }: { items: Array<[string, number]> }) {
  return (
    <ul className="roster-counts" aria-label="Counts">
      {items.map(([label, n]) => (
        <li key={label} className={n === 0 ? "is-zero" : undefined}>
          <span className="roster-counts-n">{n}</span> <span className="roster-counts-label">{label}</span>
        </li>
      ))}
    </ul>
  );
}

function Changes({ changes }: { changes: Array<{ field: string; from: string | null; to: string | null }> }) {
  return (
    <ul className="roster-changes">
      {changes.map((ch) => (
        <li key={ch.field}>
          <span className="roster-field">{FIELD_LABEL[ch.field] ?? ch.field}</span>{" "}
          <del>{ch.from ?? <span className="roster-none">none</span>}</del> <span aria-hidden="true">→</span>
          <span className="visually-hidden"> becomes </span> <ins>{ch.to ?? <span className="roster-none">none</span>}</ins>
        </li>
      ))}
    </ul>
  );
}

export default function ImportPreview() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <>
      <p className="eyebrow">
        <Link to="/hr/import">Roster imports</Link>
      </p>
      <h1>
        Roster <span className="roster-file">{d.fileName}</span>
      </h1>
      {d.flash ? (
        <p className="notice" role="status">
          {d.flash}
        </p>
      ) : null}
      {result?.formError ? (
        <p className="form-error" role="alert">
          {result.formError}
        </p>
      ) : null}
      <dl className="facts roster-facts">
        <dt>Uploaded</dt>
        <dd>
          {formatDateTime(d.createdAt)}
          {d.uploaderName ? ` by ${d.uploaderName}` : " from the command line"}
        </dd>
        <dt>SHA-256</dt>
        <dd>
          <code>{d.sha256}</code>
        </dd>
        {d.applied ? (
          <>
            <dt>Applied</dt>
            <dd>{formatDateTime(d.appliedAt)}</dd>
          </>
        ) : null}
      </dl>

      {d.applied ? (
        <>
          <h2>What the import did</h2>
          {d.summary ? <Summary summary={d.summary} /> : <p className="muted">No summary was recorded.</p>}
          <p>
            <Link to="/hr/people">See everyone</Link> · <Link to="/hr/import">Import another file</Link>
          </p>
        </>
      ) : d.plan.problems.length > 0 ? (
        <section className="form-error roster-problems" aria-labelledby="problems-h">
          <h2 id="problems-h">
            {plural(d.plan.problems.length, "problem")} in this file: nothing can be applied
          </h2>
          <p>Fix these in the spreadsheet, save it as CSV and upload it again. Line 1 is the line with the column names.</p>
          <ul className="roster-problem-list">
            {d.plan.problems.map((p, i) => (
              <li key={i}>
                <code>
                  {d.fileName}:{p.line}
                </code>{" "}
                {p.message}
              </li>
            ))}
          </ul>
          <p>
            <Link to="/hr/import">Upload a corrected file</Link>
          </p>
        </section>
      ) : (
        <Preview plan={d.plan} busy={busy} />
      )}
    </>
  );
}

type PlanView = Exclude<ReturnType<typeof useLoaderData<typeof loader>>, { applied: true }>["plan"];

function Preview({ plan, busy }: { plan: PlanView; busy: boolean }) {
  const c = plan.counts;
  return (
    <>
      <h2 id="preview-h">What this import would do</h2>
      <p>
        The file lists {plural(plan.rows, "person", "people")}. Compared with the people in Confidant now, confirming would:
      </p>
      <Counts
        items={[
          ["Add", c.added],
          ["Change", c.changed],
          ["Put on leave", c.leave],
          ["Return from leave", c.returned],
          ["Reactivate", c.reactivated],
          ["Deactivate", c.deactivated],
          ["Unchanged", c.unchanged],
        ]}
      />
      {plan.ignoredColumns.length > 0 ? (
        <p className="muted">
          Columns not used (ignored): {plan.ignoredColumns.join(", ")}.
        </p>
      ) : null}
      {plan.warnings.length > 0 ? (
        <section aria-labelledby="warn-h" className="roster-warnings">
          <h3 id="warn-h">Worth checking</h3>
          <ul>
            {plan.warnings.map((w, i) => (
              <li key={i}>
                Line {w.line}: {w.message}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <Section id="add-h" title="Add" count={c.added} shown={plan.add.length}>
        <div className="table-wrap">
          <table aria-labelledby="add-h" className="roster-table roster-stack">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Line</th>
                <th scope="col">Department and title</th>
                <th scope="col">Manager</th>
                <th scope="col">Type</th>
                <th scope="col">Dates</th>
              </tr>
            </thead>
            <tbody>
              {plan.add.map((a) => (
                <tr key={a.email}>
                  <td className="roster-stack-main">
                    <span className="roster-name">{a.name}</span>
                    <br />
                    <span className="roster-email">{a.email}</span>
                    {a.status !== "active" ? <span className="badge status-in_progress roster-badge">{STATUS_WORD[a.status]}</span> : null}
                  </td>
                  <td data-label="Line">{a.line}</td>
                  <td data-label="Department">{[a.department, a.title].filter(Boolean).join(" · ") || <span className="muted">—</span>}</td>
                  <td data-label="Manager" className="roster-email-cell">
                    {a.managerEmail ?? <span className="muted">none</span>}
                  </td>
                  <td data-label="Type">{a.type}</td>
                  <td data-label="Dates">
                    <span className="nowrap">{a.startDate}</span>
                    {a.endDate ? (
                      <>
                        {" "}
                        <span className="nowrap">to {a.endDate}</span>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>

      <Section id="change-h" title="Change" count={c.changed} shown={plan.change.length}>
        <ul className="roster-people">
          {plan.change.map((p) => (
            <li key={p.email}>
              <span className="roster-name">{p.name}</span> <span className="roster-email">{p.email}</span>
              <span className="muted roster-where"> · line {p.line}</span>
              <Changes changes={p.changes} />
            </li>
          ))}
        </ul>
      </Section>

      <Section id="leave-h" title="Put on leave" count={c.leave} shown={plan.leave.length}>
        <ul className="roster-people">
          {plan.leave.map((p) => (
            <PersonLine key={p.email} {...p} />
          ))}
        </ul>
      </Section>
      <Section id="return-h" title="Return from leave" count={c.returned} shown={plan.returnFromLeave.length}>
        <p className="hint">Their open assignments&rsquo; due dates move on by the days they were away.</p>
        <ul className="roster-people">
          {plan.returnFromLeave.map((p) => (
            <PersonLine key={p.email} {...p} />
          ))}
        </ul>
      </Section>
      <Section id="react-h" title="Reactivate" count={c.reactivated} shown={plan.reactivate.length}>
        <ul className="roster-people">
          {plan.reactivate.map((p) => (
            <PersonLine key={p.email} {...p} note={p.to === "leave" ? "on leave" : undefined} />
          ))}
        </ul>
      </Section>
      <Section id="deact-h" title="Deactivate" count={c.deactivated} shown={plan.deactivate.length}>
        <p className="hint">They are signed out everywhere and cannot sign in; every record of theirs is kept.</p>
        <ul className="roster-people">
          {plan.deactivate.map((p) => (
            <PersonLine key={p.email} {...p} note={p.missing ? undefined : "status inactive"} />
          ))}
        </ul>
      </Section>

      {c.missing > 0 ? (
        <section aria-labelledby="missing-h" className="roster-section roster-missing">
          <h3 id="missing-h">
            In Confidant but not in this file <span className="roster-count">({c.missing})</span>
          </h3>
          <p>
            {plan.deactivateMissing
              ? "These people will be deactivated (listed under Deactivate above)."
              : "These people will be left unchanged. If they have left, you can deactivate them with this import."}
          </p>
          {!plan.deactivateMissing ? (
            <ul className="roster-people">
              {plan.missing.map((p) => (
                <PersonLine key={p.email} {...p} showWhere={false} />
              ))}
            </ul>
          ) : null}
          {c.missing > plan.missing.length && !plan.deactivateMissing ? <p className="muted">…and {c.missing - plan.missing.length} more.</p> : null}
          <Form method="get" className="roster-option">
            <div className="check">
              <input id="deactivateMissing" name="deactivateMissing" type="checkbox" value="on" defaultChecked={plan.deactivateMissing} />
              <label htmlFor="deactivateMissing">
                Deactivate the {plural(c.missing, "person", "people")} not in this file
              </label>
            </div>
            <button type="submit" className="button secondary">
              Update the preview
            </button>
          </Form>
        </section>
      ) : null}

      <Form method="post" className="panel roster-confirm" aria-labelledby="confirm-h">
        <h2 id="confirm-h" className="panel-title">
          Confirm
        </h2>
        <p>
          {plan.empty
            ? "Everyone in the file already matches Confidant. Confirming records the import and changes nobody."
            : "Confirming applies everything above in one go: either all of it happens or none of it does. Each change is recorded in the audit log."}
        </p>
        <input type="hidden" name="intent" value="confirm" />
        <input type="hidden" name="digest" value={plan.digest} />
        {plan.deactivateMissing ? <input type="hidden" name="deactivateMissing" value="on" /> : null}
        {plan.counts.added > 0 ? <InviteChoice count={plan.counts.added} /> : null}
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Applying…" : plan.empty ? "Record this import" : "Apply this import"}
        </button>{" "}
        <Link to="/hr/import">Cancel</Link>
      </Form>
    </>
  );
}
