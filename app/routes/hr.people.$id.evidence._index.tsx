import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { notFound, requireHr } from "~/http/guards.server";
import { DownloadButton } from "~/components/DownloadButton";
import { evidenceSubject } from "~/evidence/evidence.server";
import { formatDate } from "~/components/format";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Evidence pack: ${data?.name ?? ""} · Confidant` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  requireHr(request, context);
  const person = await evidenceSubject(context.db, params.id);
  if (!person) throw notFound("There is no such person.");
  return person;
}

const PERSON_STATUS: Record<string, string> = { active: "Active", leave: "On leave", inactive: "Inactive (has left)" };

export default function EvidencePage() {
  const p = useLoaderData<typeof loader>();
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
        <h2>Download</h2>
        <div>
          <DownloadButton action={`${base}.pdf`}>PDF for counsel</DownloadButton>{" "}
          <DownloadButton action={`${base}.json`} className="button secondary">
            JSON with audit trail
          </DownloadButton>
        </div>
        <p className="muted">
          The PDF has a cover page, a table of training cycles and each signature receipt with the text signed. The JSON holds
          the same records with the audit-log entries that cover them; anyone can check it offline with{" "}
          <code>npm run evidence:verify -- &lt;file&gt;.json</code>. Each download is a fresh snapshot.
        </p>
      </div>
    </>
  );
}
