import {
  data,
  MaxPartSizeExceededError,
  redirect,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireHr } from "~/http/guards.server";
import { formatDateTime } from "~/components/format";
import { readFlash } from "~/http/flash.server";
import { listImports, MAX_ROSTER_BYTES, readRosterBytes, storeImport } from "~/roster/import.server";
import rosterStyles from "~/styles/roster.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: rosterStyles }];

export const meta: MetaFunction = () => [{ title: "Import a roster · Confidant" }];

const TOO_LARGE = "That file is larger than 5 MB. Split it, or use the command line (npm run roster:import).";

// HR uploads a roster; it is kept and previewed before anything changes.
export async function loader({ request, context }: LoaderFunctionArgs) {
  requireHr(request, context);
  const [imports, flash] = await Promise.all([listImports(context.db, { limit: 50 }), readFlash(request, context.config)]);
  return data({ imports, flash: flash.message }, { headers: flash.headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireHr(request, context);
  if (!(request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
    return data({ error: "Choose a CSV file to upload." }, { status: 415 });
  }
  // Refuse an obviously oversized body before reading it; the upload handler enforces the limit
  // on the file itself while it streams.
  if (Number(request.headers.get("content-length") ?? "0") > MAX_ROSTER_BYTES + 64 * 1024) {
    return data({ error: TOO_LARGE }, { status: 413 });
  }
  let form: FormData;
  try {
    form = await unstable_parseMultipartFormData(
      request,
      unstable_createMemoryUploadHandler({ maxPartSize: MAX_ROSTER_BYTES, filter: ({ name }) => name === "roster" }),
    );
  } catch (e) {
    if (e instanceof MaxPartSizeExceededError) return data({ error: TOO_LARGE }, { status: 413 });
    return data({ error: "That upload could not be read. Choose the file again and upload it." }, { status: 400 });
  }
  const file = form.get("roster");
  if (!file || typeof file === "string" || (file.size === 0 && file.name === "")) {
    return data({ error: "Choose a CSV file to upload." }, { status: 400 });
  }
  const read = readRosterBytes(new Uint8Array(await file.arrayBuffer()));
  if (!read.ok) return data({ error: read.message }, { status: read.status });
  const id = await storeImport(context.db, { fileName: file.name, text: read.text, sha256: read.sha256, uploadedBy: viewer.id }, context.clock);
  return redirect(`/hr/import/${id}`);
}

export default function ImportRoster() {
  const { imports, flash } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const error = result && "error" in result ? result.error : null;
  return (
    <>
      <p className="eyebrow">
        <Link to="/hr/people">People</Link>
      </p>
      <h1>Import a roster</h1>
      {flash ? (
        <p className="notice" role="status">
          {flash}
        </p>
      ) : null}
      <p>
        Upload the organisation&rsquo;s roster as a CSV file. You will see exactly who would be added, changed, put on leave,
        returned from leave or deactivated before anything changes; nothing is applied until you confirm.
      </p>

      <Form method="post" encType="multipart/form-data" className="panel" aria-labelledby="upload-h">
        <h2 id="upload-h" className="panel-title">
          Upload a file
        </h2>
        <div className="field">
          <label htmlFor="roster">Roster file (CSV, UTF-8, at most 5 MB)</label>
          <p id="roster-hint" className="hint">
            The first line names the columns, in any order: <code>email</code>, <code>name</code> and <code>start_date</code> are
            required; <code>employee_id</code>, <code>department</code>, <code>title</code>, <code>manager_email</code>,{" "}
            <code>type</code> (employee or contractor), <code>end_date</code> and <code>status</code> (active, leave or inactive) are
            optional. Other columns are ignored. Dates as YYYY-MM-DD.
          </p>
          <input
            id="roster"
            name="roster"
            type="file"
            accept=".csv,text/csv"
            required
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "roster-hint roster-error" : "roster-hint"}
          />
          {error ? (
            <p id="roster-error" className="field-error" role="alert">
              {error}
            </p>
          ) : null}
        </div>
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Uploading…" : "Upload and preview"}
        </button>
      </Form>

      <h2 id="past-h">Past imports</h2>
      {imports.length === 0 ? (
        <p className="muted">No rosters have been imported yet.</p>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="past-h">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Uploaded</th>
                <th scope="col">By</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {imports.map((i) => (
                <tr key={i.id}>
                  <td>
                    <Link to={`/hr/import/${i.id}`}>{i.fileName}</Link>
                    <br />
                    <span className="muted roster-hash" title={`SHA-256 ${i.sha256}`}>
                      SHA-256 {i.sha256.slice(0, 12)}…
                    </span>
                  </td>
                  <td>{formatDateTime(i.createdAt)}</td>
                  <td>{i.uploaderName ?? <span className="muted">Command line</span>}</td>
                  <td>
                    {i.appliedAt ? (
                      <span className="badge status-completed">Applied {formatDateTime(i.appliedAt)}</span>
                    ) : (
                      <span className="badge status-not_started">Not applied</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
