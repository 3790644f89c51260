import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { notFound, requireHr } from "~/http/guards.server";
import { anchoringStatus } from "~/audit/status.server";
import { formatDateTime } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Audit log · Confidant" }];

// Whether the audit log is anchored outside the database: the newest signed checkpoint and
// whether the Time-Stamp Authority has answered for it. HR only.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireHr(request, context);
  const status = await anchoringStatus(context.db, { viewer, tsaUrl: context.config.audit.tsaUrl, origin: context.config.audit.origin });
  if (!status) throw notFound();
  return status;
}

export default function AuditLogPage() {
  const s = useLoaderData<typeof loader>();
  return (
    <main className="hr">
      <h1>Audit log</h1>
      <p>
        Log <code>{s.origin}</code>: {s.entries} entries.{" "}
        {s.latest
          ? `Last signed checkpoint: ${s.latest.treeSize} entries, taken ${formatDateTime(s.latest.createdAt)}.`
          : "No checkpoint has been taken yet: nothing anchors the log outside the database."}
      </p>
      <h2>Trusted timestamps</h2>
      {!s.tsaConfigured && <p>No Time-Stamp Authority is configured (TSA_URL): checkpoints are signed by this instance but not timestamped by a third party.</p>}
      {s.latest?.timestamp === "stamped" && s.latest.genTime && <p>The last checkpoint was timestamped at {formatDateTime(s.latest.genTime)}.</p>}
      {s.pending.count > 0 ? (
        <p role="status" className="form-error">
          {s.pending.count} {s.pending.count === 1 ? "checkpoint is" : "checkpoints are"} waiting for a timestamp since {formatDateTime(s.pending.oldestSince!)} ({s.pending.attempts}{" "}
          {s.pending.attempts === 1 ? "attempt" : "attempts"} so far; last error: {s.pending.lastError ?? "not tried yet"}). Signing goes on meanwhile; the scheduler retries.
        </p>
      ) : (
        s.tsaConfigured && <p>No checkpoint is waiting for a timestamp.</p>
      )}
    </main>
  );
}
