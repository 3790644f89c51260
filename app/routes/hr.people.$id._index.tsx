import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { notFound, readForm, requireHr } from "~/http/guards.server";
import { getPersonRecord } from "~/reports/person-record.server";
import { exemptAssignment, exemptionFormSchema, extensionFormSchema, grantExtension, parseForm } from "~/hr/actions.server";
import { courseTitle } from "~/courses/titles.server";
import { NOTIFICATION_KIND_LABEL, NOTIFICATION_STATUS_LABEL, REASON_LABEL, STATUS_LABEL } from "~/labels";
import { readFlash, setFlash } from "~/http/flash.server";
import { AuditTable } from "~/components/AuditTable";
import { formatDate, formatDateTime } from "~/components/format";
import hrStyles from "~/styles/hr.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: hrStyles }];

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [{ title: `${d?.person.name ?? "Person"} · Confidant` }];

const ID = /^[A-Za-z0-9_-]{1,64}$/;

// One person's whole record for HR: assignments, attempts, signatures, messages, changes.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = requireHr(request, context);
  if (!params.id || !ID.test(params.id)) throw notFound("There is no such person.");
  const now = context.clock();
  const [record, flash] = await Promise.all([getPersonRecord(context.db, { id: params.id, viewer, now }), readFlash(request, context.config)]);
  if (!record) throw notFound("There is no such person.");
  const title = (id: string, recorded?: string | null) => courseTitle(context.catalog, id, recorded);
  return data(
    {
      now: now.toISOString(),
      flash: flash.message,
      ...record,
      assignments: record.assignments.map((a) => ({ ...a, courseTitle: title(a.courseId, a.recordedTitle) })),
      attempts: record.attempts.map((q) => ({ ...q, courseTitle: title(q.courseId) })),
    },
    { headers: flash.headers },
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = requireHr(request, context);
  if (!params.id || !ID.test(params.id)) throw notFound("There is no such person.");
  const form = await readForm(request);
  const intent = form.get("intent");
  const assignment = String(form.get("assignment") ?? "");
  const values = { due: String(form.get("due") ?? "").slice(0, 20), reason: String(form.get("reason") ?? "").slice(0, 600) };
  if (intent === "extend") {
    const parsed = parseForm(extensionFormSchema, form);
    if (!parsed.ok) return data({ intent, assignment, fieldErrors: parsed.fieldErrors, formError: null, values }, { status: 400 });
    const result = await grantExtension(context.db, { viewer, personId: params.id, form: parsed.data }, context.clock);
    if (!result) throw notFound("There is no such assignment.");
    if (!result.ok) return data({ intent, assignment, fieldErrors: result.fieldErrors, formError: result.formError ?? null, values }, { status: result.status });
    const msg = `Extended: now due ${formatDate(result.to)} (was ${formatDate(result.from)}).`;
    return redirect(`/hr/people/${params.id}`, { headers: { "Set-Cookie": await setFlash(context.config, msg) } });
  }
  if (intent === "exempt") {
    const parsed = parseForm(exemptionFormSchema, form);
    if (!parsed.ok) return data({ intent, assignment, fieldErrors: parsed.fieldErrors, formError: null, values }, { status: 400 });
    const result = await exemptAssignment(context.db, { viewer, personId: params.id, form: parsed.data }, context.clock);
    if (!result) throw notFound("There is no such assignment.");
    if (!result.ok) return data({ intent, assignment, fieldErrors: result.fieldErrors, formError: result.formError ?? null, values }, { status: result.status });
    const msg = `Exempted from ${courseTitle(context.catalog, result.courseId)} (${result.cycle}).`;
    return redirect(`/hr/people/${params.id}`, { headers: { "Set-Cookie": await setFlash(context.config, msg) } });
  }
  return data({ intent: null, assignment, fieldErrors: {}, formError: "Choose what to do: extend or exempt.", values }, { status: 400 });
}

type ActionData = { intent: string | null; assignment: string; fieldErrors: Partial<Record<string, string>>; formError: string | null; values: { due: string; reason: string } };

function ManageAssignment({ a, result, busy }: { a: { id: string; courseTitle: string; cycle: string; dueAt: string }; result: ActionData | undefined; busy: boolean }) {
  const mine = result && result.assignment === a.id ? result : undefined;
  const err = (intent: string, field: string) => (mine && mine.intent === intent ? mine.fieldErrors[field] : undefined);
  const formError = (intent: string) => (mine && mine.intent === intent ? mine.formError : null);
  const field = (intent: string, name: string) => `${intent}-${name}-${a.id}`;
  // Both forms end in the same required reason, kept in the audit log.
  const reasonField = (intent: "extend" | "exempt") => (
    <div className="field">
      <label htmlFor={field(intent, "reason")}>Reason (kept in the audit log)</label>
      <textarea
        id={field(intent, "reason")}
        name="reason"
        required
        minLength={5}
        maxLength={500}
        defaultValue={mine?.intent === intent ? mine.values.reason : ""}
        aria-invalid={err(intent, "reason") ? true : undefined}
        aria-describedby={err(intent, "reason") ? `${field(intent, "reason")}-error` : undefined}
      />
      {err(intent, "reason") ? (
        <p id={`${field(intent, "reason")}-error`} className="field-error">
          {err(intent, "reason")}
        </p>
      ) : null}
    </div>
  );
  const formErrorOf = (intent: "extend" | "exempt") =>
    formError(intent) ? (
      <p className="form-error" role="alert">
        {formError(intent)}
      </p>
    ) : null;
  return (
    <details className="hr-manage" open={Boolean(mine)}>
      <summary>
        Extend or exempt<span className="visually-hidden">: {a.courseTitle}, {a.cycle}</span>
      </summary>
      <Form method="post" noValidate>
        <h3>Grant an extension</h3>
        <input type="hidden" name="intent" value="extend" />
        <input type="hidden" name="assignment" value={a.id} />
        {formErrorOf("extend")}
        <div className="field">
          <label htmlFor={field("extend", "due")}>New due date (later than {formatDate(a.dueAt)})</label>
          <input
            id={field("extend", "due")}
            name="due"
            type="date"
            required
            defaultValue={mine?.intent === "extend" ? mine.values.due : ""}
            aria-invalid={err("extend", "due") ? true : undefined}
            aria-describedby={err("extend", "due") ? `${field("extend", "due")}-error` : undefined}
          />
          {err("extend", "due") ? (
            <p id={`${field("extend", "due")}-error`} className="field-error">
              {err("extend", "due")}
            </p>
          ) : null}
        </div>
        {reasonField("extend")}
        <button type="submit" className="button secondary" disabled={busy}>
          Extend
        </button>
      </Form>
      <Form method="post" noValidate>
        <h3>Exempt from this assignment</h3>
        <input type="hidden" name="intent" value="exempt" />
        <input type="hidden" name="assignment" value={a.id} />
        {formErrorOf("exempt")}
        {reasonField("exempt")}
        <button type="submit" className="button secondary" disabled={busy}>
          Exempt
        </button>
      </Form>
    </details>
  );
}

export default function PersonRecordPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const busy = useNavigation().state === "submitting";
  const p = d.person;
  const none = <span className="muted">Not recorded</span>;
  return (
    <div className="hr-page">
      <p className="eyebrow">
        <Link to="/hr/people">People</Link> · Record
      </p>
      <div className="hr-record-head">
        <h1>{p.name}</h1>
        <div className="hr-record-actions">
          <Link className="button" to={`/hr/people/${p.id}/evidence`}>
            Evidence pack
          </Link>
          <Link className="button secondary" to={`/hr/assign?group=person&person=${encodeURIComponent(p.email)}`}>
            Assign a course
          </Link>
          <Link to={`/hr/people/${p.id}/edit`}>Edit profile</Link>
        </div>
      </div>
      {d.flash ? (
        <p className="notice" role="status">
          {d.flash}
        </p>
      ) : null}
      {result?.formError && !result.assignment ? (
        <p className="form-error" role="alert">
          {result.formError}
        </p>
      ) : null}

      <section className="panel" aria-labelledby="who-h">
        <h2 id="who-h" className="visually-hidden">
          Who they are
        </h2>
        <dl className="facts">
          <dt>Email</dt>
          <dd>{p.email}</dd>
          <dt>Status</dt>
          <dd>{p.status === "active" ? "Active" : p.status === "leave" ? "On leave" : "No longer here"}</dd>
          <dt>Type</dt>
          <dd>{p.type === "contractor" ? "Contractor" : "Employee"}</dd>
          <dt>Employee ID</dt>
          <dd>{p.employeeId ?? none}</dd>
          <dt>Department</dt>
          <dd>{p.department ?? none}</dd>
          <dt>Job title</dt>
          <dd>{p.title ?? none}</dd>
          <dt>Manager</dt>
          <dd>{p.manager ? <Link to={`/hr/people/${p.manager.id}`}>{p.manager.name}</Link> : <span className="muted">None</span>}</dd>
          <dt>Reports</dt>
          <dd>
            {p.directReports > 0 ? (
              <>
                {p.directReports} direct · <Link to={`/hr?manager=${p.id}`}>their team's compliance</Link>
              </>
            ) : (
              <span className="muted">None</span>
            )}
          </dd>
          <dt>Start date</dt>
          <dd>{formatDate(p.startDate)}</dd>
          {p.endDate ? (
            <>
              <dt>End date</dt>
              <dd>{formatDate(p.endDate)}</dd>
            </>
          ) : null}
          {p.isHr ? (
            <>
              <dt>Role</dt>
              <dd>HR administrator</dd>
            </>
          ) : null}
        </dl>
      </section>

      <section aria-labelledby="assignments-h" className="hr-section">
        <h2 id="assignments-h">Assignments ({d.assignments.length})</h2>
        {d.assignments.length === 0 ? (
          <p className="muted">Nothing has been assigned yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="hr-table" aria-labelledby="assignments-h">
              <thead>
                <tr>
                  <th scope="col">Course and cycle</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Assigned</th>
                  <th scope="col">Due</th>
                  <th scope="col">Completed</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.assignments.map((a) => (
                  <tr key={a.id}>
                    <th scope="row">
                      {a.courseTitle}
                      <span className="hr-person-email">{a.cycle}</span>
                      {a.contentHash ? <span className="hr-person-email" data-content-version>{`version ${a.contentHash}`}</span> : null}
                      {a.modules.length ? <span className="hr-person-email" data-modules>{`Finished: ${a.modules.map((m) => `${m.module} (version ${m.contentHash})`).join(", ")}`}</span> : null}
                    </th>
                    <td>
                      {REASON_LABEL[a.reason] ?? a.reason}
                      {a.note ? <span className="hr-person-email">{a.note}</span> : null}
                    </td>
                    <td>{formatDate(a.assignedAt)}</td>
                    <td>{formatDate(a.dueAt)}</td>
                    <td>{a.completedAt ? formatDate(a.completedAt) : <span className="muted">—</span>}</td>
                    <td>
                      <span className={`badge status-${a.status}`}>{STATUS_LABEL[a.status] ?? a.status}</span>
                      {a.status === "completed" ? <span className="hr-person-email">{a.onTime ? "on time" : "late"}</span> : null}
                      {a.exemptedAt ? <span className="hr-person-email">since {formatDate(a.exemptedAt)}</span> : null}
                      {a.cancelledAt ? <span className="hr-person-email">on {formatDate(a.cancelledAt)}</span> : null}
                    </td>
                    <td>{a.open ? <ManageAssignment key={`${a.id}-${a.dueAt}-${d.flash ?? ""}`} a={a} result={result} busy={busy} /> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="attempts-h" className="hr-section">
        <h2 id="attempts-h">Quiz attempts ({d.attempts.length})</h2>
        <p className="muted">Scores and results only; the answers a person gave are not shown.</p>
        {d.attempts.length === 0 ? (
          <p className="muted">No attempts.</p>
        ) : (
          <div className="table-wrap">
            <table className="hr-table" aria-labelledby="attempts-h">
              <thead>
                <tr>
                  <th scope="col">Course and cycle</th>
                  <th scope="col">Submitted</th>
                  <th scope="col" className="num">
                    Score
                  </th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {d.attempts.map((q) => (
                  <tr key={q.id}>
                    <th scope="row">
                      {q.courseTitle}
                      {q.cycle ? <span className="hr-person-email">{q.cycle}</span> : null}
                    </th>
                    <td>
                      {formatDateTime(q.submittedAt)}
                      <span className="hr-person-email">{`version ${q.contentHash}`}</span>
                    </td>
                    <td className="num">
                      {q.score}% <span className="muted">({q.correct} of {q.questions})</span>
                    </td>
                    <td>
                      <span className={`badge ${q.passed ? "status-completed" : "status-overdue"}`}>{q.passed ? "Passed" : "Not passed"}</span>
                      <span className="hr-person-email">pass mark {q.passingScore}%</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="attestations-h" className="hr-section">
        <h2 id="attestations-h">
          Signed agreements ({d.attestations.filter((t) => t.outcome === "signed").length})
          {d.attestations.some((t) => t.outcome === "declined") ? ` · declined ${d.attestations.filter((t) => t.outcome === "declined").length}` : ""}
        </h2>
        <p>
          <Link to={`/hr/people/${d.person.id}/paper`}>Record a paper signature</Link>
        </p>
        {d.attestations.length === 0 ? (
          <p className="muted">Nothing signed yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="hr-table" aria-labelledby="attestations-h">
              <thead>
                <tr>
                  <th scope="col">Agreement</th>
                  <th scope="col">Signed</th>
                  <th scope="col">Valid until</th>
                  <th scope="col">Receipt</th>
                </tr>
              </thead>
              <tbody>
                {d.attestations.map((t) => (
                  <tr key={t.id}>
                    <th scope="row">
                      {t.policyTitle} <span className="muted">v{t.policyVersion}</span>
                      {t.outcome === "declined" ? (
                        <span className="hr-person-email">
                          <span className="status status-overdue">Declined</span> “I do not agree”{t.declineReason ? `: ${t.declineReason}` : " (no reason given)"}
                        </span>
                      ) : (
                        <span className="hr-person-email">signed as “{t.printedName}”</span>
                      )}
                      {t.recordedByName ? (
                        <span className="hr-person-email">
                          recorded by HR from a paper original{t.paperSignedOn ? ` dated ${t.paperSignedOn}` : ""}, by {t.recordedByName}
                          {t.onBehalfReason ? `: ${t.onBehalfReason}` : ""}
                          {t.hasScan ? (
                            <>
                              {" · "}
                              <a href={`/hr/scans/${t.code}`}>scan</a>
                            </>
                          ) : null}
                        </span>
                      ) : null}
                    </th>
                    <td>{formatDateTime(t.signedAt)}</td>
                    <td>{t.expiresAt ? formatDate(t.expiresAt) : <span className="muted">No expiry</span>}</td>
                    <td>
                      <Link to={`/receipts/${t.code}`}>
                        <code>{t.code}</code>
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="notifications-h" className="hr-section">
        <h2 id="notifications-h">Messages sent ({d.notificationCount})</h2>
        {d.notificationCount > d.notifications.length ? <p className="muted">The {d.notifications.length} most recent are shown.</p> : null}
        {d.notifications.length === 0 ? (
          <p className="muted">No messages.</p>
        ) : (
          <div className="table-wrap">
            <table className="hr-table" aria-labelledby="notifications-h">
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Why</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {d.notifications.map((n) => (
                  <tr key={n.id}>
                    <td>{formatDateTime(n.createdAt)}</td>
                    <td>{NOTIFICATION_KIND_LABEL[n.kind] ?? n.kind}</td>
                    <td>{n.why}</td>
                    <td>{n.subject}</td>
                    <td>
                      {NOTIFICATION_STATUS_LABEL[n.status] ?? n.status}
                      {n.sentAt ? <span className="hr-person-email">{formatDateTime(n.sentAt)}</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="changes-h" className="hr-section">
        <h2 id="changes-h">Changes to their profile ({d.profileChanges.length})</h2>
        <AuditTable id="changes-h" lines={d.profileChanges} />
      </section>

      <section aria-labelledby="events-h" className="hr-section">
        <h2 id="events-h">Actions on their assignments ({d.assignmentEvents.length})</h2>
        <AuditTable id="events-h" lines={d.assignmentEvents} />
      </section>
    </div>
  );
}
