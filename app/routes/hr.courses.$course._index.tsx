import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { notFound, readForm, requireHr } from "~/http/guards.server";
import { catalogsOf } from "~/http/catalogs.server";
import { setFlash } from "~/http/flash.server";
import { publishingPage } from "~/hr/course-pages.server";
import { planPublication, publishCourse } from "~/scheduler/publishing.server";
import { formatDateTime } from "~/components/format";
import hrStyles from "~/styles/hr.css";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Publish ${data.title} · Confidant` : "Confidant" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: hrStyles }];

const STATE_TEXT = { draft: "Draft: never published", published: "Published: the folder matches the live version", changed: "Changed since published" } as const;
const REFUSAL: Record<string, string> = {
  no_such_draft: "The courses folder no longer has this course (or it has problems); nothing was published.",
  changed_since_preview: "The course changed in the folder since you previewed it; nothing was published. Look at the new preview before you publish.",
  already_published: "This version is already published; nothing changed.",
};

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  requireHr(request, context);
  const page = await publishingPage(context.db, catalogsOf(context), String(params.course));
  if (!page) throw notFound("There is no such course.");
  return page;
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = requireHr(request, context);
  const form = await readForm(request);
  const intent = form.get("intent");
  const restart = form.get("restart") === "on";
  const opts = { catalogs: catalogsOf(context), courseId: String(params.course), restart, now: context.clock(), rules: context.config.reminders, origin: context.config.origin };
  if (intent === "plan") {
    const plan = await planPublication(context.db, opts);
    if (plan === "no_such_draft") return data({ plan: null, error: REFUSAL[plan] }, { status: 409 });
    return { plan, error: null };
  }
  if (intent === "publish") {
    const done = await publishCourse(context.db, { ...opts, contentHash: String(form.get("contentHash") ?? ""), actorId: viewer.id });
    if (typeof done === "string") return data({ plan: null, error: REFUSAL[done] }, { status: 409 });
    const p = done.plan;
    const message = `Published ${p.title}: the next scheduler run issues ${p.issues.toLocaleString("en")} assignments and ${p.emails.toLocaleString("en")} emails.`;
    throw redirect(`/hr/courses`, { headers: { "Set-Cookie": await setFlash(context.config, message) } });
  }
  return data({ plan: null, error: "Unknown action." }, { status: 400 });
}

const n = (x: number) => x.toLocaleString("en");
const counted = (x: number, what: string) => `${n(x)} ${what}${x === 1 ? "" : "s"}`;

export default function PublishCourse() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const plan = result?.plan ?? null;
  return (
    <div className="hr-page">
      <p className="eyebrow">
        <Link to="/hr/courses">Publishing courses</Link>
      </p>
      <h1>{d.title}</h1>
      <p className="muted">{d.summary}</p>
      <p className={`publish-state publish-${d.state.state}`} data-state={d.state.state}>
        {STATE_TEXT[d.state.state]}
        {d.state.publishedAt ? ` (last published ${formatDateTime(d.state.publishedAt)})` : ""}
      </p>
      <h2>Preview</h2>
      <p>Click through every branch; nothing you do in a preview is recorded.</p>
      <ol>
        {d.modules.map((m) => (
          <li key={m.slug}>
            <Link to={`/hr/courses/${d.id}/preview/${m.slug}`}>{m.title}</Link>
            {m.scenarios ? ` · ${m.scenarios} scenario${m.scenarios === 1 ? "" : "s"}` : ""}
            {d.state.state === "changed" && !m.live ? " · new in this version" : ""}
          </li>
        ))}
      </ol>
      {d.removedFromLive.length ? <p>Removed in this version: {d.removedFromLive.join(", ")}.</p> : null}
      {d.state.broken ? (
        <p className="form-error" role="alert">
          The folder&apos;s version of this course has problems (see <Link to="/hr/courses">Publishing courses</Link>); the published version stays live.
        </p>
      ) : (
        <section aria-labelledby="publish-h">
          <h2 id="publish-h">Publish</h2>
          <Form method="post">
            <input type="hidden" name="intent" value="plan" />
            <p>
              <label>
                <input type="checkbox" name="restart" defaultChecked={plan?.restart ?? false} /> Restart in-progress learners: people part-way through move to this version and start their
                unfinished modules again (finished modules stay finished)
              </label>
            </p>
            <button type="submit" className="button secondary" disabled={busy}>
              Show what publishing does
            </button>
          </Form>
          {result?.error ? (
            <p className="form-error" role="alert">
              {result.error}
            </p>
          ) : null}
          {plan ? (
            <div className="publish-plan" role="status" aria-labelledby="plan-h">
              <h3 id="plan-h">
                {`Publishing issues ${counted(plan.issues, "assignment")}, ${counted(plan.emails, "email")}`}
              </h3>
              <ul>
                {Object.entries(plan.byReason).map(([reason, count]) => (
                  <li key={reason}>
                    {n(count)} {reason.replace("_", " ")}
                  </li>
                ))}
                <li>{n(plan.notStarted)} open assignments not yet started move to this version</li>
                <li>
                  {n(plan.inProgress)} people part-way through {plan.restart ? "move to this version and start their unfinished modules again" : "stay on the version they are on"}
                </li>
              </ul>
              {plan.people.length ? (
                <>
                  <p>It reaches{plan.issues > plan.people.length ? ` (the first ${plan.people.length} of ${n(plan.issues)})` : ""}:</p>
                  <ul className="plan-people">
                    {plan.people.map((p) => (
                      <li key={p.email}>{`${p.name} <${p.email}>`}</li>
                    ))}
                  </ul>
                </>
              ) : null}
              <Form method="post">
                <input type="hidden" name="intent" value="publish" />
                <input type="hidden" name="contentHash" value={plan.contentHash} />
                {plan.restart ? <input type="hidden" name="restart" value="on" /> : null}
                <button type="submit" className="button" disabled={busy}>
                  {`Publish: issue ${counted(plan.issues, "assignment")}, ${counted(plan.emails, "email")}`}
                </button>
              </Form>
            </div>
          ) : null}
        </section>
      )}
      <h2>Publications</h2>
      {d.history.length === 0 ? (
        <p>Never published.</p>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Version</th>
              <th scope="col">How</th>
              <th scope="col">Issued</th>
            </tr>
          </thead>
          <tbody>
            {d.history.map((h) => (
              <tr key={`${h.published_at}-${h.content_hash}`}>
                <td>{formatDateTime(h.published_at)}</td>
                <td>{h.actor_name ?? (h.mode === "baseline" ? "Live at upgrade" : "Command line")}</td>
                <td>
                  <code>{h.content_hash}</code>
                </td>
                <td>{h.mode === "restart" ? `Restarted ${h.restarted} in-progress learners` : h.mode === "baseline" ? "Recorded at upgrade" : "Published"}</td>
                <td>
                  {n(h.assignments)} assignments, {n(h.emails)} emails
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
