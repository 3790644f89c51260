import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { notFound, requireViewer } from "~/http/guards.server";
import { receiptFor } from "~/attestations/receipts.server";
import { formatDateTime } from "~/components/format";
import { credentialChangeSentence } from "~/audit/credential-change";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Receipt ${data?.verificationCode ?? ""} · Confidant` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = requireViewer(request, context);
  const r = await receiptFor(context.db, { viewer, code: params.code, catalog: context.catalog, origin: context.config.origin });
  if (!r) throw notFound("There is no such receipt.");
  const { attestation: _a, ...view } = r;
  return view;
}

export default function ReceiptPage() {
  const r = useLoaderData<typeof loader>();
  return (
    <>
      <p className="eyebrow">Attestation receipt</p>
      <h1>{r.policyTitle}</h1>
      <section className="manifestation" aria-labelledby="sig-h">
        <h2 id="sig-h" className="visually-hidden">
          Signature
        </h2>
        <p className="muted">
          {r.outcome === "declined" ? "Declined (“I do not agree”) by" : r.paper ? "Signed on paper; recorded by HR from a paper original. Signed by" : "Signed electronically by"}
        </p>
        <p className="signature">{r.printedName}</p>
        <p>
          <strong>{formatDateTime(r.signedAt)}</strong> <span className="muted">({r.signedAt})</span>
        </p>
        <p>
          <strong>Meaning of this signature:</strong> {r.statement}
        </p>
      </section>
      <p className="no-print">
        <a className="button" href={`/receipts/${r.verificationCode}/pdf`} download={`confidant-receipt-${r.verificationCode}.pdf`}>
          Download PDF receipt
        </a>
      </p>
      <div className="panel">
        <h2>What was signed</h2>
        <dl className="facts">
          <dt>Policy</dt>
          <dd>
            {r.policyTitle} ({r.policyId}), version {r.policyVersion}
          </dd>
          <dt>Text fingerprint (SHA-256)</dt>
          <dd>
            <code>{r.textSha256}</code>
          </dd>
          {r.courseTitle ? (
            <>
              <dt>Course</dt>
              <dd>{r.courseTitle}</dd>
            </>
          ) : null}
          {r.quizScore !== null ? (
            <>
              <dt>Quiz</dt>
              <dd>Passed with {r.quizScore}%</dd>
            </>
          ) : null}
          <dt>Valid until</dt>
          <dd>{r.expiresAt ? formatDateTime(r.expiresAt) : "Does not expire"}</dd>
        </dl>
        <h2>How it was signed</h2>
        <dl className="facts">
          <dt>Name on record</dt>
          <dd>
            {r.profileName} ({r.email})
          </dd>
          <dt>Intent</dt>
          <dd>Ticked: “{r.intentLabel}”</dd>
          <dt>Authentication</dt>
          <dd>{r.authMethod}</dd>
          {r.credentialChange ? (
            <>
              <dt>Password history</dt>
              <dd className="credential-change">
                {credentialChangeSentence({ ...r.credentialChange, at: formatDateTime(r.credentialChange.at) })}
              </dd>
            </>
          ) : null}
          <dt>Text shown at</dt>
          <dd>{formatDateTime(r.presentedAt)}</dd>
          <dt>IP address</dt>
          <dd>{r.ip ?? "Not recorded"}</dd>
          <dt>Browser</dt>
          <dd>{r.userAgent ?? "Not recorded"}</dd>
          {r.outcome === "declined" ? (
            <>
              <dt>Outcome</dt>
              <dd>Declined. Reason given: {r.declineReason ?? "none"}</dd>
            </>
          ) : null}
          {r.paper ? (
            <>
              <dt>Paper original</dt>
              <dd>
                Recorded by HR from a paper original, by {r.paper.recordedBy}. Reason: {r.paper.reason}. Date on the paper: {r.paper.signedOn ?? "not given"}.
              </dd>
              <dt>Scan fingerprint (SHA-256)</dt>
              <dd>
                <code>{r.paper.scanSha256}</code>
              </dd>
            </>
          ) : null}
          {r.consent ? (
            <>
              <dt>Consent to electronic records</dt>
              <dd>
                Version {r.consent.version}, given {formatDateTime(r.consent.at)} <span className="muted">({r.consent.id})</span>
              </dd>
            </>
          ) : null}
          {r.authStrength ? (
            <>
              <dt>Authentication strength</dt>
              <dd>{r.authStrength}</dd>
            </>
          ) : null}
          {r.secondsOnText !== null ? (
            <>
              <dt>Time on the text</dt>
              <dd>{r.secondsOnText} seconds</dd>
            </>
          ) : null}
          {r.locale ? (
            <>
              <dt>Locale</dt>
              <dd>{r.locale}</dd>
            </>
          ) : null}
          {r.templateVersion ? (
            <>
              <dt>Signing page template</dt>
              <dd>
                <code>{r.templateVersion}</code>
              </dd>
            </>
          ) : null}
          {r.sessionSha256 ? (
            <>
              <dt>Session (SHA-256)</dt>
              <dd>
                <code>{r.sessionSha256}</code>
              </dd>
            </>
          ) : null}
          <dt>Verification code</dt>
          <dd>
            <code>{r.verificationCode}</code>
          </dd>
        </dl>
      </div>
      <p>
        <Link to="/">Back to my training</Link>
      </p>
    </>
  );
}
