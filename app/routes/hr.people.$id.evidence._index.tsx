import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { notFound, readForm, requireHr } from "~/http/guards.server";
import { evidenceSubject } from "~/evidence/evidence.server";
import { producePackFor } from "~/evidence/produced.server";
import { listEvidencePacks } from "~/evidence/stored-packs.server";
import { formatDate, formatDateTime } from "~/components/format";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Evidence pack: ${data?.name ?? ""} · Confidant` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  requireHr(request, context);
  const person = await evidenceSubject(context.db, params.id);
  if (!person) throw notFound("There is no such person.");
  return { ...person, packs: await listEvidencePacks(context.db, { personId: person.id }) };
}

// Produces the PDF and the JSON from one snapshot, stores them by id and shows that pack.
export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = requireHr(request, context);
  await readForm(request);
  const produced = await producePackFor(context.db, context.config, { viewer, personId: params.id ?? "", now: context.clock() });
  if (!produced) throw notFound("There is no such person.");
  return redirect(`/hr/people/${encodeURIComponent(produced.pack.person.id)}/evidence/${produced.id}`);
}

const PERSON_STATUS: Record<string, string> = { active: "Active", leave: "On leave", inactive: "Inactive (has left)" };

export default function EvidencePage() {
  const p = useLoaderData<typeof loader>();
  const busy = useNavigation().state === "submitting";
  const base = `/hr/people/${encodeURIComponent(p.id)}/evidence`;
  return (
    <>
      <p className="eyebrow">Evidence pack</p>
      <h1>{p.name}</h1>
      <p className="muted">
        Proof that this person was trained and signed the confidentiality agreement, ready for counsel: who they are, every
        training cycle with its quiz attempts, and each signed agreement with its signature details and the full text they
        signed. Producing a pack is recorded in the audit log.
      </p>
      <dl className="facts">
        <dt>Email</dt>
        <dd>{p.email}</dd>
        <dt>Status</dt>
        <dd>{PERSON_STATUS[p.status] ?? p.status}</dd>
        {p.department ? (
          <>
            <dt>Department</dt>
            <dd>{p.department}</dd>
          </>
        ) : null}
        <dt>Start date</dt>
        <dd>{formatDate(p.start_date)}</dd>
        {p.end_date ? (
          <>
            <dt>End date</dt>
            <dd>{formatDate(p.end_date)}</dd>
          </>
        ) : null}
        <dt>Records</dt>
        <dd>
          {p.cycles} training cycle{p.cycles === 1 ? "" : "s"}, {p.attestations} signed agreement{p.attestations === 1 ? "" : "s"}
        </dd>
      </dl>
      <div className="panel">
        <h2>Produce a pack</h2>
        <Form method="post">
          <button type="submit" className="button" disabled={busy}>
            {busy ? "Producing…" : "Produce evidence pack"}
          </button>
        </Form>
        <p className="muted">
          One production gives a PDF for counsel (cover page, a table of training cycles and each signature receipt with the
          text signed) and a JSON file with the same records and the audit-log entries that cover them, both from the same
          snapshot: the PDF states the JSON file&apos;s SHA-256. The JSON is signed with this instance&apos;s key and the PDF is
          digitally signed; anyone can check the JSON offline with{" "}
          <code>npm run evidence:verify -- &lt;file&gt;.json --public-key &lt;key&gt;</code>, using the key published at{" "}
          <a href="/.well-known/confidant-signing-key">/.well-known/confidant-signing-key</a>.
        </p>
      </div>
      {p.packs.length > 0 ? (
        <div className="panel">
          <h2>Produced packs</h2>
          <ul>
            {p.packs.map((k) => (
              <li key={k.id}>
                <Link to={`${base}/${k.id}`}>{formatDateTime(k.produced_at)}</Link>
                {k.produced_by_name ? ` by ${k.produced_by_name}` : k.via === "command line" ? " from the command line" : ""}{" "}
                <span className="muted">
                  · pack SHA-256 <code>{k.pack_sha256.slice(0, 16)}…</code>
                  {k.pdf_sha256 ? "" : " · JSON only"}
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}
