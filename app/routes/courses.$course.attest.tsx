import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, type ClientLoaderFunctionArgs } from "@remix-run/react";
import { notFound, readForm } from "~/http/guards.server";
import { compileMdx } from "~/courses/mdx.server";
import { policyStatement } from "~/courses/catalog.server";
import { asResponse, courseAccess, requireAssignment } from "~/http/course-access.server";
import { attestationUnlocked, getCourseState } from "~/learning/progress.server";
import { INTENT_LABEL, presentedToken, signAttestation } from "~/attestations/attestations.server";
import { MdxContent } from "~/components/MdxContent";
import { withMdxLoaded } from "~/components/mdx-registry";
import { Callout } from "~/components/Callout";
import { Field } from "~/components/Field";
import { passOnHeaders } from "~/http/headers";
import { secondFactorsOf } from "~/auth/second-factor.server";
import { PasskeyButton } from "~/components/PasskeyButton";

export const headers = passOnHeaders;

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Sign: ${data?.policy.title ?? "agreement"} · Confidant` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { viewer, course, assignment, preview } = await courseAccess(request, context, params.course);
  const policy = course.meta.policy ? context.catalog.policies.get(course.meta.policy) : undefined;
  if (!policy) throw notFound("This course has no agreement to sign.");
  if (assignment) {
    const state = await getCourseState(context.db, assignment, course);
    if (state.attestationCode) throw redirect(`/receipts/${state.attestationCode}`);
    if (!attestationUnlocked(course, state)) throw redirect(`/courses/${course.id}`);
  }
  const version = policy.current;
  const { hash } = await compileMdx(version.body);
  return {
    course: { id: course.id, title: course.meta.title },
    preview,
    profileName: viewer.name,
    policy: { id: policy.id, title: policy.title, version: version.version, sha256: version.sha256, published: version.published },
    statement: policyStatement(policy, version.version),
    intentLabel: INTENT_LABEL,
    mdxHash: hash,
    // A person with a second factor re-authenticates with it rather than the password.
    secondFactors: assignment ? await secondFactorsOf(context.db, viewer.id) : { totp: false, passkeys: 0, any: false },
    presented: assignment
      ? presentedToken(context.config.secret, { assignmentId: assignment.id, policyId: policy.id, version: version.version, at: context.clock().toISOString() })
      : "",
  };
}

export const clientLoader = ({ serverLoader }: ClientLoaderFunctionArgs) => withMdxLoaded(serverLoader);

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { viewer, course, assignment } = await requireAssignment(request, context, params.course);
  const policy = course.meta.policy ? context.catalog.policies.get(course.meta.policy) : undefined;
  if (!policy) throw notFound("This course has no agreement to sign.");
  const form = await readForm(request);
  try {
    const result = await signAttestation(
      context.db,
      {
        viewer,
        assignment,
        course,
        policy,
        form: Object.fromEntries(form),
        ip: context.ip,
        userAgent: context.userAgent,
        secret: context.config.secret,
        origin: context.config.origin,
      },
      context.clock,
    );
    if (!result.ok) {
      const headers = result.retryAfter ? { "Retry-After": String(result.retryAfter) } : undefined;
      return data({ fieldErrors: result.fieldErrors, formError: result.formError ?? null, name: String(form.get("name") ?? "").slice(0, 200) }, { status: result.status, headers });
    }
    return redirect(`/receipts/${result.code}`);
  } catch (e) {
    asResponse(e);
  }
}

/** Re-authentication with the person's second factor: their passkey, or a code from their
 * authenticator app; the password stays available behind a disclosure. */
function SecondFactorSigning({ totp, passkeys, errors, busy }: { totp: boolean; passkeys: boolean; errors: Record<string, string>; busy: boolean }) {
  return (
    <>
      <p>We ask you to confirm it is you who signs.</p>
      {errors.passkey ? (
        <p className="field-error" role="alert">
          {errors.passkey}
        </p>
      ) : null}
      {passkeys ? <PasskeyButton purpose="signing" label="Sign the agreement with my passkey" /> : null}
      {totp ? (
        <>
          <Field id="totp" label="Code from your authenticator app" inputMode="numeric" autoComplete="one-time-code" maxLength={9} error={errors.totp} />
          <button type="submit" className="button" disabled={busy}>
            {busy ? "Signing…" : "Sign the agreement with this code"}
          </button>
        </>
      ) : null}
      <details open={Boolean(errors.password)}>
        <summary>Use your password instead</summary>
        <Field id="password" label="Your password" type="password" autoComplete="current-password" error={errors.password} />
        <button type="submit" className="button secondary" disabled={busy}>
          Sign the agreement with my password
        </button>
      </details>
    </>
  );
}

export default function AttestPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = result?.fieldErrors ?? {};
  return (
    <>
      <p className="eyebrow">
        <Link to={`/courses/${d.course.id}`}>{d.course.title}</Link> · Agreement
      </p>
      <h1>{d.policy.title}</h1>
      <p className="muted">
        Version {d.policy.version}, published {d.policy.published}. Read it in full before you sign.
      </p>
      <section className="prose policy-text" aria-label={`${d.policy.title}, full text`} tabIndex={0}>
        <MdxContent hash={d.mdxHash} components={{ Callout }} />
      </section>
      <p className="muted">
        Fingerprint of this text (SHA-256): <code>{d.policy.sha256}</code>
      </p>
      {d.preview ? (
        <p className="notice">Preview: this agreement is not assigned to you, so it cannot be signed here.</p>
      ) : (
        <Form method="post" className="panel" noValidate aria-describedby={result?.formError ? "attest-error" : undefined}>
          <h2>Sign</h2>
          {result?.formError ? (
            <p id="attest-error" className="form-error" role="alert">
              {result.formError}
            </p>
          ) : null}
          <p>
            <strong>By signing you state:</strong> {d.statement}
          </p>
          <input type="hidden" name="presented" value={d.presented} />
          <div className="field check">
            <input id="intent" name="intent" type="checkbox" aria-invalid={errors.intent ? true : undefined} aria-describedby={errors.intent ? "intent-error" : undefined} />
            <label htmlFor="intent">{d.intentLabel}</label>
          </div>
          {errors.intent ? (
            <p id="intent-error" className="field-error">
              {errors.intent}
            </p>
          ) : null}
          <Field
            id="name"
            label="Your full name"
            hint={`Type it as it appears on your profile: ${d.profileName}`}
            type="text"
            autoComplete="name"
            defaultValue={result?.name}
            error={errors.name}
          />
          {d.secondFactors.any ? (
            <SecondFactorSigning totp={d.secondFactors.totp} passkeys={d.secondFactors.passkeys > 0} errors={errors} busy={busy} />
          ) : (
            <>
              <Field id="password" label="Your password" hint="We ask again to be sure it is you who signs." type="password" autoComplete="current-password" error={errors.password} />
              <button type="submit" className="button" disabled={busy}>
                {busy ? "Signing…" : "Sign the agreement"}
              </button>
            </>
          )}
        </Form>
      )}
    </>
  );
}
