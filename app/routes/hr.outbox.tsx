import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { badRequest, requireHr } from "~/http/guards.server";
import { formatDateTime } from "~/components/format";
import { RETRY_DELAYS_MINUTES } from "~/notifications/delivery.server";
import { listOutbox, NOTIFICATION_KINDS, NOTIFICATION_STATUSES, outboxBacklog, outboxCounts } from "~/notifications/outbox.server";
import { Pager } from "~/components/Pager";
import { NOTIFICATION_KIND_LABEL, NOTIFICATION_STATUS_LABEL } from "~/labels";

export const meta: MetaFunction = () => [{ title: "Outbox · Confidant" }];

const PAGE_SIZE = 50;

const FIELD_LABEL: Record<string, string> = { status: "status", kind: "kind", q: "recipient search", page: "page number" };

// Built on demand rather than at module level, so the browser build (which drops the loader)
// keeps no reference to the server-only lists.
function parseFilter(params: URLSearchParams) {
  // An empty select or text box means "any"; the form always sends every field.
  const blankIsAbsent = (v: unknown) => (v === "" ? undefined : v);
  const schema = z.object({
    status: z.preprocess(blankIsAbsent, z.enum(NOTIFICATION_STATUSES).optional()),
    kind: z.preprocess(blankIsAbsent, z.enum(NOTIFICATION_KINDS).optional()),
    q: z.preprocess(blankIsAbsent, z.string().trim().max(200).optional()),
    page: z.preprocess(blankIsAbsent, z.coerce.number().int().min(1).max(1_000_000).default(1)),
  });
  const parsed = schema.safeParse({
    status: params.get("status") ?? undefined,
    kind: params.get("kind") ?? undefined,
    q: params.get("q") ?? undefined,
    page: params.get("page") ?? undefined,
  });
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((i) => FIELD_LABEL[String(i.path[0])] ?? String(i.path[0])))];
  throw badRequest(`That filter is not valid (check the ${fields.join(" and ")}). Clear the filters and try again.`);
}

// Every mail Confidant sent or means to send, and why: HR's answer to "did they get told?".
export async function loader({ request, context }: LoaderFunctionArgs) {
  requireHr(request, context);
  const filter = parseFilter(new URL(request.url).searchParams);
  const [counts, backlog, list] = await Promise.all([
    outboxCounts(context.db),
    outboxBacklog(context.db, context.clock()),
    listOutbox(context.db, { ...filter, pageSize: PAGE_SIZE }),
  ]);
  return {
    filter: { status: filter.status ?? "", kind: filter.kind ?? "", q: filter.q ?? "" },
    counts,
    backlog,
    kinds: NOTIFICATION_KINDS,
    statuses: NOTIFICATION_STATUSES,
    pageSize: PAGE_SIZE,
    retryHours: Math.round(RETRY_DELAYS_MINUTES.reduce((a, b) => a + b, 0) / 60),
    ...list,
  };
}

// Reuses the assignment badge colours; the word carries the meaning, colour only supports it.
const STATUS_CLASS: Record<string, string> = {
  pending: "status-not_started",
  sending: "status-in_progress",
  sent: "status-completed",
  failed: "status-overdue",
};

function pageHref(filter: { status: string; kind: string; q: string }, page: number) {
  const sp = new URLSearchParams();
  if (filter.status) sp.set("status", filter.status);
  if (filter.kind) sp.set("kind", filter.kind);
  if (filter.q) sp.set("q", filter.q);
  if (page > 1) sp.set("page", String(page));
  const qs = sp.toString();
  return qs ? `/hr/outbox?${qs}` : "/hr/outbox";
}

function Paragraphs({ text }: { text: string }) {
  // Mail bodies are plain text; blank lines separate paragraphs, single newlines are line breaks.
  return (
    <>
      {text.split(/\n{2,}/).map((para, i) => (
        <p key={i}>
          {para.split("\n").map((line, j) => (
            <span key={j}>
              {j > 0 ? <br /> : null}
              {line}
            </span>
          ))}
        </p>
      ))}
    </>
  );
}

export default function Outbox() {
  const { filter, counts, backlog, kinds, statuses, rows, total, page, pageCount, pageSize, retryHours } = useLoaderData<typeof loader>();
  const filtered = Boolean(filter.status || filter.kind || filter.q);
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <>
      <h1>Outbox</h1>
      <p className="muted">
        Every message Confidant has sent or is about to send, newest first, with the rule that caused it. A message that cannot be
        delivered is retried for about {retryHours} hours before it is marked failed. Times are in UTC.
      </p>

      <h2 id="backlog-h">Backlog</h2>
      <dl aria-labelledby="backlog-h" className="backlog">
        <dt>Waiting to be sent</dt>
        <dd>{backlog.pending}</dd>
        <dt>Due now</dt>
        <dd>{backlog.dueNow}</dd>
        <dt>Failed</dt>
        <dd>{backlog.failed}</dd>
        <dt>Sent in the last hour</dt>
        <dd>{backlog.sentLastHour}</dd>
      </dl>

      <h2 id="counts-h">By status</h2>
      <ul aria-labelledby="counts-h">
        {statuses.map((s) => (
          <li key={s}>
            <Link to={pageHref({ status: s, kind: "", q: "" }, 1)}>
              {NOTIFICATION_STATUS_LABEL[s]}: {counts[s]}
            </Link>
          </li>
        ))}
      </ul>

      <Form method="get" action="/hr/outbox" role="search" aria-labelledby="filter-h" className="panel">
        <h2 id="filter-h">Filter</h2>
        <div className="field">
          <label htmlFor="f-status">Status</label>
          <select id="f-status" name="status" defaultValue={filter.status}>
            <option value="">Any status</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {NOTIFICATION_STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-kind">Kind</label>
          <select id="f-kind" name="kind" defaultValue={filter.kind}>
            <option value="">Any kind</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {NOTIFICATION_KIND_LABEL[k] ?? k}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-q">Recipient email contains</label>
          <input id="f-q" name="q" type="text" defaultValue={filter.q} maxLength={200} autoComplete="off" spellCheck={false} />
        </div>
        <button type="submit" className="button">
          Show messages
        </button>{" "}
        {filtered ? <Link to="/hr/outbox">Clear filters</Link> : null}
      </Form>

      <h2 id="list-h">Messages</h2>
      <p id="list-summary" className="muted" aria-live="polite">
        {total === 0
          ? filtered
            ? "No messages match these filters."
            : "No messages yet."
          : `Showing ${first}–${last} of ${total} message${total === 1 ? "" : "s"}${filtered ? " matching these filters" : ""}.`}
      </p>
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table aria-labelledby="list-h" aria-describedby="list-summary">
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Recipient</th>
                <th scope="col">Kind</th>
                <th scope="col">Why</th>
                <th scope="col">Subject and message</th>
                <th scope="col">Status</th>
                <th scope="col">Sent</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>{formatDateTime(r.createdAt)}</td>
                  <td>
                    {r.recipientName ? (
                      <>
                        {r.recipientName}
                        <br />
                      </>
                    ) : null}
                    <span className="muted">{r.toEmail}</span>
                  </td>
                  <td>{NOTIFICATION_KIND_LABEL[r.kind] ?? r.kind}</td>
                  <td>{r.why}</td>
                  <td>
                    {r.subject}
                    <details>
                      <summary>
                        Message text<span className="visually-hidden"> of “{r.subject}” to {r.recipientName ?? r.toEmail}</span>
                      </summary>
                      <Paragraphs text={r.body} />
                    </details>
                  </td>
                  <td>
                    <span className={`badge ${STATUS_CLASS[r.status] ?? ""}`}>{NOTIFICATION_STATUS_LABEL[r.status] ?? r.status}</span>
                    {r.attempts > 0 ? (
                      <p className="muted">
                        {r.attempts} failed attempt{r.attempts === 1 ? "" : "s"}
                        {r.status === "pending" ? `; next try ${formatDateTime(r.nextAttemptAt)}` : ""}
                      </p>
                    ) : null}
                    {r.lastError ? (
                      <p className="muted">
                        Last error: <code>{r.lastError}</code>
                      </p>
                    ) : null}
                  </td>
                  <td>{r.sentAt ? formatDateTime(r.sentAt) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager page={page} pageCount={pageCount} pageSize={pageSize} total={total} param="page" label="Pages of messages" />
    </>
  );
}
