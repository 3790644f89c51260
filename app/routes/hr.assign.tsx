import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { notFound, readForm, requireHr } from "~/http/guards.server";
import { assignFormSchema, parseForm } from "~/hr/actions.server";
import { assignCourse, planAssignment, type AssignPlan } from "~/hr/assign.server";
import { ASSIGN_GROUPS } from "~/hr/assign-form";
import { ASSIGN_FIELDS, assignFormStart, type AssignValues } from "~/hr/assign-form";
import { getOverviewOptions, requestRollupRefresh } from "~/reports/overview.server";
import { readFlash, setFlash } from "~/http/flash.server";
import { formatDate } from "~/components/format";
import { useEffect, useRef } from "react";
import hrStyles from "~/styles/hr.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: hrStyles }];

export const meta: MetaFunction = () => [{ title: "Assign a course · Confidant" }];


// Assign a course to one person or a group, with a reason; each person gets it once per cycle.
export async function loader({ request, context }: LoaderFunctionArgs) {
  requireHr(request, context);
  const url = new URL(request.url);
  const now = context.clock();
  await requestRollupRefresh(context.db, now);
  const [options, flash] = await Promise.all([getOverviewOptions(context.db), readFlash(request, context.config)]);
  const { courses, values } = assignFormStart(context.catalog, url.searchParams, now);
  return data(
    {
      flash: flash.message,
      today: now.toISOString().slice(0, 10),
      courses,
      departments: options.departments,
      managers: options.managers,
      managersTruncated: options.managersTruncated,
      values,
    },
    { headers: flash.headers },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireHr(request, context);
  const form = await readForm(request);
  const values = Object.fromEntries(ASSIGN_FIELDS.map((k) => [k, String(form.get(k) ?? "").slice(0, 600)])) as AssignValues;
  const parsed = parseForm(assignFormSchema, form);
  if (!parsed.ok) return data({ fieldErrors: parsed.fieldErrors, formError: null, values, plan: null, changed: false }, { status: 400 });
  const args = { viewer, catalog: context.catalog, origin: context.config.origin, form: parsed.data };
  // A group is previewed, and assigned only when HR confirms the numbers it was shown.
  if (parsed.data.group !== "person") {
    const planned = await planAssignment(context.db, args, context.clock);
    if (!planned) throw notFound();
    if (!planned.ok) return data({ fieldErrors: planned.fieldErrors, formError: planned.formError ?? null, values, plan: null, changed: false }, { status: planned.status });
    const confirmed = form.get("intent") === "confirm";
    const expected = String(form.get("expect") ?? "");
    if (!confirmed || expected !== String(planned.plan.newlyAssigned)) {
      return { fieldErrors: null, formError: null, values, plan: planned.plan, changed: confirmed };
    }
  }
  const result = await assignCourse(context.db, args, context.clock);
  if (!result) throw notFound();
  if (!result.ok) return data({ fieldErrors: result.fieldErrors, formError: result.formError ?? null, values, plan: null, changed: false }, { status: result.status });
  const o = result.outcome;
  const msg =
    `${o.courseTitle} (${o.cycle}, due ${formatDate(o.dueAt)}) for ${o.group}: ` +
    `assigned to ${o.assigned} ${o.assigned === 1 ? "person" : "people"}` +
    (o.alreadyHad ? `; ${o.alreadyHad} already had it for this cycle and ${o.alreadyHad === 1 ? "was" : "were"} left as they were` : "") +
    (o.refused ? `; ${o.refused} ${o.refused === 1 ? "was" : "were"} left out (see the reasons in the preview)` : "") +
    ".";
  // The form opens again on the same course, cycle, due date and group.
  const again = new URLSearchParams(Object.entries(values).filter(([k, v]) => v && k !== "reason"));
  return redirect(`/hr/assign?${again}`, { headers: { "Set-Cookie": await setFlash(context.config, msg) } });
}

const people = (n: number) => `${n.toLocaleString("en-GB")} ${n === 1 ? "person" : "people"}`;

/** The preview of a group assignment: who it reaches, what it sends, who is left out and why. */
function PlanPanel({ plan, values, changed, busy }: { plan: AssignPlan; values: AssignValues; changed: boolean; busy: boolean }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [plan]);
  const more = plan.newlyAssigned - plan.firstNames.length;
  return (
    <section className="panel confirm" aria-labelledby="plan-h">
      <h2 id="plan-h" ref={heading} tabIndex={-1}>
        Check before assigning
      </h2>
      {changed ? (
        <p className="form-error" role="alert">
          The numbers changed since the preview (someone joined, left or was assigned meanwhile). Nothing was assigned: check them again.
        </p>
      ) : null}
      <p>
        <strong>{plan.courseTitle}</strong> ({plan.cycle}, due {formatDate(plan.dueAt)}) for {plan.group}: {people(plan.people)}.
      </p>
      <ul>
        <li>
          <strong>
            Issues {plan.newlyAssigned.toLocaleString("en-GB")} assignment{plan.newlyAssigned === 1 ? "" : "s"} and sends {plan.newlyAssigned.toLocaleString("en-GB")} email
            {plan.newlyAssigned === 1 ? "" : "s"}
          </strong>
          {plan.firstNames.length ? `: ${plan.firstNames.join(", ")}${more > 0 ? ` and ${people(more)} more` : ""}.` : "."}
        </li>
        {plan.alreadyHad ? <li>{people(plan.alreadyHad)} already have it for this cycle and are left as they are.</li> : null}
        {plan.refusals.map((r) => (
          <li key={r.reason}>
            {people(r.count)} left out: they {r.reason} ({r.firstNames.join(", ")}
            {r.count > r.firstNames.length ? ", …" : ""}).
          </li>
        ))}
      </ul>
      {plan.newlyAssigned > 0 ? (
        <Form method="post">
          {Object.entries(values).map(([k, v]) => (
            <input key={k} type="hidden" name={k} value={v} />
          ))}
          <input type="hidden" name="intent" value="confirm" />
          <input type="hidden" name="expect" value={plan.newlyAssigned} />
          <button type="submit" className="button" disabled={busy}>
            {busy ? "Assigning…" : `Assign to ${people(plan.newlyAssigned)}`}
          </button>{" "}
          <a href="#course">Change something</a>
        </Form>
      ) : (
        <p className="notice">Nobody new would get it, so there is nothing to confirm.</p>
      )}
    </section>
  );
}

const GROUP_LABEL: Record<(typeof ASSIGN_GROUPS)[number], string> = {
  person: "One person",
  department: "Everyone active in a department",
  team: "A manager's whole team (everyone below them)",
  type: "All active employees, or all active contractors",
  everyone: "Everyone active",
};

export default function AssignPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const v = result?.values ?? d.values;
  const errors: Partial<Record<string, string>> = result?.fieldErrors ?? {};
  const described = (name: string) => (errors[name] ? `${name}-error` : undefined);
  const FieldError = ({ name }: { name: string }) =>
    errors[name] ? (
      <p id={`${name}-error`} className="field-error">
        {errors[name]}
      </p>
    ) : null;
  return (
    <div className="hr-page">
      <p className="eyebrow">
        <Link to="/hr">Compliance overview</Link>
      </p>
      <h1>Assign a course</h1>
      <p className="muted">
        Each person gets the course once per cycle: anyone who already has it for the cycle you name is left as they are. Newly assigned people are emailed
        with a link to the course. The reason is kept in the audit log.
      </p>
      {d.flash ? (
        <p className="notice" role="status">
          {d.flash}
        </p>
      ) : null}
      {result?.plan ? <PlanPanel plan={result.plan} values={result.values} changed={result.changed} busy={busy} /> : null}
      <Form method="post" className="panel" noValidate key={d.flash ?? "assign"} aria-describedby={result?.formError ? "assign-error" : undefined}>
        {result?.formError ? (
          <p id="assign-error" className="form-error" role="alert">
            {result.formError}
          </p>
        ) : null}
        {Object.keys(errors).length > 0 ? (
          <p className="form-error" role="alert">
            Nothing was assigned: please correct the fields marked below.
          </p>
        ) : null}
        <div className="field">
          <label htmlFor="course">Course</label>
          <select id="course" name="course" defaultValue={v.course} aria-invalid={errors.course ? true : undefined} aria-describedby={described("course")}>
            {d.courses.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
          </select>
          <FieldError name="course" />
        </div>
        <div className="field">
          <label htmlFor="cycle">Cycle</label>
          <p className="hint" id="cycle-hint">
            A name for this round, e.g. <code>manual-2027-03</code> or <code>incident-review</code>. Assigning the same course and cycle again reaches only
            people who do not have it yet.
          </p>
          <input
            id="cycle"
            name="cycle"
            type="text"
            defaultValue={v.cycle}
            maxLength={64}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={errors.cycle ? true : undefined}
            aria-describedby={["cycle-hint", described("cycle")].filter(Boolean).join(" ")}
          />
          <FieldError name="cycle" />
        </div>
        <div className="field">
          <label htmlFor="due">Due date</label>
          <input id="due" name="due" type="date" min={d.today} defaultValue={v.due} aria-invalid={errors.due ? true : undefined} aria-describedby={described("due")} />
          <FieldError name="due" />
        </div>

        <fieldset className="hr-group" aria-describedby={described("group")}>
          <legend>Who should get it</legend>
          <FieldError name="group" />
          {ASSIGN_GROUPS.map((g) => (
            <div key={g}>
              <div className="check">
                <input type="radio" id={`group-${g}`} name="group" value={g} defaultChecked={v.group === g} />
                <label htmlFor={`group-${g}`}>{GROUP_LABEL[g]}</label>
              </div>
              {g === "person" ? (
                <div className="field">
                  <label htmlFor="person">Their work email</label>
                  <input
                    id="person"
                    name="person"
                    type="email"
                    defaultValue={v.person}
                    autoComplete="off"
                    aria-invalid={errors.person ? true : undefined}
                    aria-describedby={described("person")}
                  />
                  <FieldError name="person" />
                </div>
              ) : null}
              {g === "department" ? (
                <div className="field">
                  <label htmlFor="department">Department</label>
                  <select id="department" name="department" defaultValue={v.department} aria-invalid={errors.department ? true : undefined} aria-describedby={described("department")}>
                    <option value="">Choose a department</option>
                    {d.departments.map((dep) => (
                      <option key={dep} value={dep}>
                        {dep}
                      </option>
                    ))}
                  </select>
                  <FieldError name="department" />
                </div>
              ) : null}
              {g === "team" ? (
                <div className="field">
                  <label htmlFor="manager">Manager</label>
                  <select id="manager" name="manager" defaultValue={v.manager} aria-invalid={errors.manager ? true : undefined} aria-describedby={described("manager")}>
                    <option value="">Choose a manager</option>
                    {d.managers.map((m) => (
                      <option key={m.id} value={m.id}>
                        {m.name}
                        {m.teamSize ? ` (${m.teamSize} people)` : ""}
                      </option>
                    ))}
                  </select>
                  {d.managersTruncated ? <p className="hint">The largest teams are listed; open a manager's record to assign to a smaller team.</p> : null}
                  <FieldError name="manager" />
                </div>
              ) : null}
              {g === "type" ? (
                <div className="field">
                  <label htmlFor="type">Employees or contractors</label>
                  <select id="type" name="type" defaultValue={v.type} aria-invalid={errors.type ? true : undefined} aria-describedby={described("type")}>
                    <option value="">Choose</option>
                    <option value="employee">Employees</option>
                    <option value="contractor">Contractors</option>
                  </select>
                  <FieldError name="type" />
                </div>
              ) : null}
            </div>
          ))}
        </fieldset>

        <div className="field">
          <label htmlFor="reason">Reason</label>
          <p className="hint" id="reason-hint">
            Why this is being assigned (5 to 500 characters), e.g. “Access to the Atlas source code granted after the March review”.
          </p>
          <textarea
            id="reason"
            name="reason"
            defaultValue={v.reason}
            maxLength={500}
            rows={3}
            aria-invalid={errors.reason ? true : undefined}
            aria-describedby={["reason-hint", described("reason")].filter(Boolean).join(" ")}
          />
          <FieldError name="reason" />
        </div>
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Working…" : "Assign (a group is previewed first)"}
        </button>
      </Form>
    </div>
  );
}
