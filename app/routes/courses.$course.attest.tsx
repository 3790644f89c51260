import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, type ClientLoaderFunctionArgs } from "@remix-run/react";
import { notFound, readForm } from "~/http/guards.server";
import { asResponse, courseAccess, policiesFor, requireAssignment } from "~/http/course-access.server";
import { attestationUnlocked, getCourseState } from "~/learning/progress.server";
import { declineAttestation, signAttestation } from "~/attestations/attestations.server";
import { giveConsent } from "~/attestations/consent.server";
import { oidcStateCookie, startOidc } from "~/auth/oidc.server";
import { signingPage } from "~/attestations/signing-page.server";
import { MdxContent } from "~/components/MdxContent";
import { withMdxLoaded } from "~/components/mdx-registry";
import { Callout } from "~/components/Callout";
import { Field } from "~/components/Field";
import { passOnHeaders } from "~/http/headers";
import type { AppContext } from "~/http/context";
import { secondFactorsOf } from "~/auth/second-factor.server";
import { PasskeyButton } from "~/components/PasskeyButton";

export const headers = passOnHeaders;

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Sign: ${data?.policy.title ?? "agreement"} · Confidant` }];

/** A person signed in through the company's provider signs with a fresh sign-in there. */
const signsWithProvider = (context: AppContext, viewer: { sso_issuer?: string | null }) => Boolean(viewer.sso_issuer && context.config.oidc);

/** Off to the provider for a fresh authentication (prompt=login, max_age=0), keeping the form. */
async function startFreshSignIn(context: AppContext, input: { viewer: { id: string; email: string }; courseId: string; form: Record<string, FormDataEntryValue> }) {
  const text = (k: string) => String(input.form[k] ?? "").slice(0, 200);
  const started = await startOidc(
    context.db,
    {
      oidc: context.config.oidc!,
      callbackUrl: `${context.config.origin}/auth/oidc/callback`,
      purpose: "sign",
      redirectTo: `/courses/${input.courseId}/attest`,
      userId: input.viewer.id,
      loginHint: input.viewer.email,
      form: { intent: text("intent"), name: text("name"), presented: text("presented") },
    },
    context.clock,
  );
  if (!started.ok) return data({ fieldErrors: {} as Record<string, string>, formError: started.message, name: text("name") }, { status: started.status });
  return redirect(started.url, { headers: { "Set-Cookie": oidcStateCookie(started.state, context.config.secureCookies) } });
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { viewer, course, assignment, preview } = await courseAccess(request, context, params.course);
  const { policy, consentPolicy } = policiesFor(context, course);
  if (assignment) {
    const state = await getCourseState(context.db, assignment, course);
    if (state.attestationCode) throw redirect(`/receipts/${state.attestationCode}`);
    if (!attestationUnlocked(course, state)) throw redirect(`/courses/${course.id}`);
  }
  const page = await signingPage(context.db, { viewer, assignment, policy, consentPolicy, secret: context.config.secret }, context.clock());
  // A person with a second factor re-authenticates with it rather than the password.
  const secondFactors = assignment ? await secondFactorsOf(context.db, viewer.id) : { totp: false, passkeys: 0, any: false };
  return { course: { id: course.id, title: course.meta.title }, preview, ...page, secondFactors, sso: signsWithProvider(context, viewer) };
}

export const clientLoader = ({ serverLoader }: ClientLoaderFunctionArgs) => withMdxLoaded(serverLoader);

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { viewer, course, assignment } = await requireAssignment(request, context, params.course);
  const { policy, consentPolicy } = policiesFor(context, course);
  const form = Object.fromEntries(await readForm(request));
  const common = { viewer, ip: context.ip, userAgent: context.userAgent, sessionId: context.sessionId, secret: context.config.secret, form };
  try {
    if (form._action === "consent" && consentPolicy) {
      const given = await giveConsent(context.db, { ...common, policy: consentPolicy }, context.clock);
      if (!given.ok) return data({ fieldErrors: given.fieldErrors, formError: given.formError, name: String(form.name ?? "").slice(0, 200) }, { status: given.status });
      return redirect(`/courses/${course.id}/attest`);
    }
    if (form._action !== "decline" && signsWithProvider(context, viewer)) return await startFreshSignIn(context, { viewer, courseId: course.id, form });
    const input = { ...common, assignment, course, policy, consentPolicy };
    const result =
      form._action === "decline"
        ? await declineAttestation(context.db, { ...input, origin: context.config.origin }, context.clock)
        : await signAttestation(context.db, { ...input, origin: context.config.origin }, context.clock);
    if (!result.ok) {
      const headers = result.retryAfter ? { "Retry-After": String(result.retryAfter) } : undefined;
      return data({ fieldErrors: result.fieldErrors, formError: result.formError ?? null, name: String(form.name ?? "").slice(0, 200) }, { status: result.status, headers });
    }
    return redirect(`/receipts/${result.code}`);
  } catch (e) {
    asResponse(e);
  }
}

type PageData = ReturnType<typeof useLoaderData<typeof loader>>;
type Errors = Record<string, string>;

/** Ticked box and the error under it. */
function IntentBox({ name, label, error }: { name: string; label: string; error?: string }) {
  return (
    <>
      <div className="field check">
        <input id={name} name={name} type="checkbox" aria-invalid={error ? true : undefined} aria-describedby={error ? `${name}-error` : undefined} />
        <label htmlFor={name}>{label}</label>
      </div>
      {error ? (
        <p id={`${name}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </>
  );
}

/** Re-authentication with the person's second factor: their passkey, or a code from their
 * authenticator app; the password stays available behind a disclosure. */
function SecondFactorSigning({ totp, passkeys, errors, busy }: { totp: boolean; passkeys: boolean; errors: Errors; busy: boolean }) {
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

/** How the signer proves it is them at the moment of signing: the password, or a second factor. */
function SignerProof({ d, errors, busy }: { d: PageData; errors: Errors; busy: boolean }) {
  if (d.sso) return <p>To be sure it is you who signs, your company&apos;s sign-in page asks for your password again, then you come back here with your receipt.</p>;
  if (d.secondFactors.any) return <SecondFactorSigning totp={d.secondFactors.totp} passkeys={d.secondFactors.passkeys > 0} errors={errors} busy={busy} />;
  return <Field id="password" label="Your password" hint="We ask again to be sure it is you who signs." type="password" autoComplete="current-password" error={errors.password} />;
}

function ConsentForm({ d, errors, name }: { d: PageData; errors: Errors; name?: string }) {
  return (
    <>
      <p>
        <strong>By agreeing you state:</strong> {d.statement}
      </p>
      <input type="hidden" name="_action" value="consent" />
      <input type="hidden" name="presented" value={d.presented} />
      <IntentBox name="consent" label={d.wording.consentIntent} error={errors.consent} />
      <Field id="name" label={d.wording.name} hint={`Type it as it appears on your profile: ${d.profileName}`} type="text" autoComplete="name" defaultValue={name} error={errors.name} />
    </>
  );
}

function SignForm({ d, errors, name, busy }: { d: PageData; errors: Errors; name?: string; busy: boolean }) {
  return (
    <>
      <p>
        <strong>{d.wording.statementLead}</strong> {d.statement}
      </p>
      <input type="hidden" name="presented" value={d.presented} />
      <IntentBox name="intent" label={d.wording.intent} error={errors.intent} />
      <Field id="name" label={d.wording.name} hint={`Type it as it appears on your profile: ${d.profileName}`} type="text" autoComplete="name" defaultValue={name} error={errors.name} />
      <SignerProof d={d} errors={errors} busy={busy} />
    </>
  );
}

function DeclineForm({ d, errors, busy }: { d: PageData; errors: Errors; busy: boolean }) {
  return (
    <section className="panel decline" aria-labelledby="decline-h">
      <Form method="post" noValidate>
        <h2 id="decline-h">Do you not agree?</h2>
        <p>You may refuse to sign. HR is told at once and will talk to you; you can still sign later.</p>
        <input type="hidden" name="_action" value="decline" />
        <input type="hidden" name="presented" value={d.presented} />
        <div className="field">
          <label htmlFor="reason">{d.wording.declineReason}</label>
          <textarea id="reason" name="reason" rows={3} maxLength={2000} aria-invalid={errors.reason ? true : undefined} />
          {errors.reason ? <p className="field-error">{errors.reason}</p> : null}
        </div>
        <button type="submit" className="button secondary" disabled={busy}>
          {d.wording.decline}
        </button>
      </Form>
    </section>
  );
}

export default function AttestPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors: Errors = result?.fieldErrors ?? {};
  const consent = d.step === "consent";
  return (
    <>
      <p className="eyebrow">
        <Link to={`/courses/${d.course.id}`}>{d.course.title}</Link> · {consent ? "Before you sign" : "Agreement"}
      </p>
      <h1>{d.policy.title}</h1>
      {consent ? (
        <p className="notice">Before your first electronic signature ({d.agreementTitle}), please read and agree to this disclosure. We ask once, and again only if it changes materially.</p>
      ) : null}
      {d.declinedAt ? <p className="notice">You answered “I do not agree” on {d.declinedAt.slice(0, 10)}. That answer is kept; you can still sign below.</p> : null}
      <p className="muted">
        Version {d.policy.version}, published {d.policy.published}. Read it in full before you {consent ? "agree" : "sign"}.
        {d.minimumReadingSeconds ? ` Please spend at least ${d.minimumReadingSeconds} seconds on it: signing earlier is refused.` : ""}
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
        <>
          <Form method="post" className="panel" noValidate aria-describedby={result?.formError ? "attest-error" : undefined}>
            <h2>{consent ? "Agree to electronic records" : "Sign"}</h2>
            {result?.formError ? (
              <p id="attest-error" className="form-error" role="alert">
                {result.formError}
              </p>
            ) : null}
            {consent ? <ConsentForm d={d} errors={errors} name={result?.name} /> : <SignForm d={d} errors={errors} name={result?.name} busy={busy} />}
            {consent || !d.secondFactors.any || d.sso ? (
              <button type="submit" className="button" disabled={busy}>
                {busy ? (consent ? "Sending…" : "Signing…") : consent ? d.wording.consentButton : d.wording.sign}
              </button>
            ) : null}
          </Form>
          {consent ? (
            <p className="muted">Prefer paper? Ask HR for a paper copy to sign; nothing else is needed from you here.</p>
          ) : (
            <DeclineForm d={d} errors={errors} busy={busy} />
          )}
        </>
      )}
    </>
  );
}
