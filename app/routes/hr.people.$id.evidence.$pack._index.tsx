import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { notFound, requireHr } from "~/http/guards.server";
import { producedPack } from "~/evidence/produced.server";
import { formatDateTime } from "~/components/format";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Evidence pack ${data?.email ?? ""} · Confidant` }];

// One produced pack: both files of the same snapshot, with the hashes that tie them together.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  requireHr(request, context);
  const pack = await producedPack(context.db, { personId: params.id ?? "", packId: params.pack ?? "" });
  if (!pack) throw notFound("There is no such evidence pack.");
  return pack;
}

export default function ProducedPackPage() {
  const k = useLoaderData<typeof loader>();
  const here = `/hr/people/${encodeURIComponent(k.personId)}/evidence/${k.id}`;
  return (
    <>
      <p className="eyebrow">Evidence pack</p>
      <h1>{k.email}</h1>
      <p className="muted">
        Produced {formatDateTime(k.produced_at)}
        {k.produced_by_name ? ` by ${k.produced_by_name}` : ""}. Both files come from the same snapshot of the records.
      </p>
      <div className="panel">
        <h2>Download</h2>
        <p>
          {k.files.pdf ? (
            <>
              <a className="button" href={`${here}/${k.files.pdf}`} download>
                PDF for counsel
              </a>{" "}
            </>
          ) : null}
          <a className="button secondary" href={`${here}/${k.files.json}`} download>
            JSON with audit trail
          </a>
        </p>
        <dl className="facts">
          <dt>Pack SHA-256</dt>
          <dd>
            <code>{k.pack_sha256}</code>
          </dd>
          <dt>JSON file SHA-256</dt>
          <dd>
            <code>{k.json_sha256}</code> (printed in the PDF)
          </dd>
          {k.pdf_sha256 ? (
            <>
              <dt>PDF file SHA-256</dt>
              <dd>
                <code>{k.pdf_sha256}</code>
              </dd>
            </>
          ) : null}
        </dl>
        <p className="muted">
          Check the JSON offline with <code>npm run evidence:verify -- {k.files.json} --public-key key.pem</code>, where{" "}
          <code>key.pem</code> is saved from <a href="/.well-known/confidant-signing-key.pem">/.well-known/confidant-signing-key.pem</a>.
          Check the PDF&apos;s digital signature in any PDF reader, or with <code>pdfsig</code>.
        </p>
      </div>
      <p>
        <Link to={`/hr/people/${encodeURIComponent(k.personId)}/evidence`}>All packs for this person</Link>
      </p>
    </>
  );
}
