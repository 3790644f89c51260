import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { notFound, requireHr } from "~/http/guards.server";
import { MAX_SCAN_BYTES, paperChoices, recordPaperSignature, SCAN_TOO_LARGE } from "~/attestations/paper.server";
import { readUpload } from "~/http/upload.server";
import { setFlash } from "~/http/flash.server";
import { Field } from "~/components/Field";
import hrStyles from "~/styles/hr.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: hrStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [{ title: `Record a paper signature: ${d?.person.name ?? "person"} · Confidant` }];

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const FIELDS = ["assignment", "version", "signedOn", "name", "reason"];

// HR records that a person signed on paper, with a scan of the original.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = requireHr(request, context);
  if (!params.id || !ID.test(params.id)) throw notFound("There is no such person.");
  const page = await paperChoices(context.db, { viewer, personId: params.id, catalog: context.catalog });
  if (!page) throw notFound("There is no such person.");
  return { ...page, today: context.clock().toISOString().slice(0, 10), maxMb: MAX_SCAN_BYTES / 1024 / 1024 };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = requireHr(request, context);
  if (!params.id || !ID.test(params.id)) throw notFound("There is no such person.");
  const upload = await readUpload(request, { fileField: "scan", fields: FIELDS, maxBytes: MAX_SCAN_BYTES, tooLarge: SCAN_TOO_LARGE });
  if (!upload.ok) return data({ fieldErrors: { scan: upload.message } as Record<string, string>, formError: "Nothing was recorded. Please correct the fields below." }, { status: upload.status });
  const result = await recordPaperSignature(
    context.db,
    { viewer, personId: params.id, fields: upload.fields, scan: upload.file, catalog: context.catalog, ip: context.ip, userAgent: context.userAgent },
    context.clock,
  );
  if (!result.ok) {
    if (result.status === 404) throw notFound(result.formError);
    return data({ fieldErrors: result.fieldErrors, formError: result.formError }, { status: result.status });
  }
  const msg = `Paper signature recorded (receipt ${result.code}).`;
  return redirect(`/hr/people/${params.id}`, { headers: { "Set-Cookie": await setFlash(context.config, msg) } });
}

export default function PaperSignaturePage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors: Record<string, string> = result?.fieldErrors ?? {};
  const versions = [...new Set(d.choices.flatMap((c) => c.versions))].sort((a, b) => b - a);
  return (
    <>
      <p className="eyebrow">
        <Link to={`/hr/people/${d.person.id}`}>{d.person.name}</Link>
      </p>
      <h1>Record a paper signature</h1>
      <p>
        For when {d.person.name} signed an agreement on paper. Attach a scan of the signed original (PDF, PNG or JPEG, up to {d.maxMb} MB). The record says it was
        recorded by HR from a paper original, by you, and why; only HR can open the scan.
      </p>
      {d.choices.length === 0 ? (
        <p className="notice">{d.person.name} has no assignment with an agreement to sign.</p>
      ) : (
        <Form method="post" encType="multipart/form-data" className="panel" noValidate>
          {result?.formError ? (
            <p className="form-error" role="alert">
              {result.formError}
            </p>
          ) : null}
          <div className="field">
            <label htmlFor="assignment">Assignment</label>
            <select id="assignment" name="assignment" aria-invalid={errors.assignment ? true : undefined}>
              {d.choices.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.label}: {c.policyTitle}
                  {c.completed ? " (completed)" : ""}
                </option>
              ))}
            </select>
            {errors.assignment ? <p className="field-error">{errors.assignment}</p> : null}
          </div>
          <div className="field">
            <label htmlFor="version">Policy version on the paper</label>
            <select id="version" name="version" aria-invalid={errors.version ? true : undefined}>
              {versions.map((v) => (
                <option key={v} value={v}>
                  Version {v}
                </option>
              ))}
            </select>
            {errors.version ? <p className="field-error">{errors.version}</p> : null}
          </div>
          <Field id="signedOn" label="Date on the paper" type="date" max={d.today} error={errors.signedOn} />
          <Field id="name" label="Name as signed (optional)" hint={`Leave empty for ${d.person.name}`} type="text" error={errors.name} />
          <Field id="reason" label="Why it is recorded from paper" hint="Required, e.g. “Asked for paper under the consent's right to paper.”" type="text" error={errors.reason} />
          <Field id="scan" label="Scan of the signed original" hint={`PDF, PNG or JPEG, up to ${d.maxMb} MB`} type="file" accept="application/pdf,image/png,image/jpeg" error={errors.scan} />
          <button type="submit" className="button" disabled={busy}>
            {busy ? "Recording…" : "Record the paper signature"}
          </button>
        </Form>
      )}
    </>
  );
}
