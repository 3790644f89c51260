import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { readForm, requireHr } from "~/http/guards.server";
import { readFlash, setFlash } from "~/http/flash.server";
import { Field } from "~/components/Field";
import { formatDateTime } from "~/components/format";
import { createScimToken, listScimTokens, revokeScimToken } from "~/roster/scim-tokens.server";

export const meta: MetaFunction = () => [{ title: "Provisioning (SCIM) · Confidant" }];

// HR's SCIM tokens: create one for an identity provider (shown once), see when each was last
// used, revoke one. HR only.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireHr(request, context);
  const flash = await readFlash(request, context.config);
  const tokens = await listScimTokens(context.db, { viewer });
  return data({ tokens, flash: flash.message, endpoint: `${context.config.origin}/scim/v2` }, { headers: flash.headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireHr(request, context);
  const form = await readForm(request);
  if (form.get("intent") === "revoke") {
    const revoked = await revokeScimToken(context.db, { id: String(form.get("token") ?? ""), actorId: viewer.id }, context.clock);
    if (!revoked) return data({ error: "That token does not exist or was revoked already.", created: null }, { status: 404 });
    return redirect("/hr/scim", { headers: { "Set-Cookie": await setFlash(context.config, "The token is revoked: requests that carry it are refused from now on.") } });
  }
  const created = await createScimToken(context.db, { name: form.get("name"), actorId: viewer.id }, context.clock);
  if (!created.ok) return data({ error: created.message, created: null }, { status: 400 });
  return data({ error: null, created: { name: created.name, token: created.token } });
}

export default function ScimTokensPage() {
  const { tokens, flash, endpoint } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <main className="hr">
      <h1>Provisioning (SCIM)</h1>
      {flash ? <p role="status">{flash}</p> : null}
      <p>
        Your identity provider keeps the people list in step over SCIM 2.0 at <code>{endpoint}</code>, with a bearer token made here.
      </p>
      {result?.created ? (
        <section aria-labelledby="new-token" className="callout">
          <h2 id="new-token">Token for {result.created.name}</h2>
          <p role="status">Copy it now into your identity provider: it is shown this once and cannot be shown again.</p>
          <p>
            <code data-testid="new-token">{result.created.token}</code>
          </p>
        </section>
      ) : null}
      <Form method="post">
        <Field id="name" label="Name of the system that will use the token" hint="For example: Okta, or Microsoft Entra ID" required maxLength={100} error={result?.error ?? undefined} />
        <button type="submit" name="intent" value="create">
          Create a token
        </button>
      </Form>
      <h2>Tokens</h2>
      {tokens.length === 0 ? (
        <p>No token yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>
                  {formatDateTime(t.createdAt)} by {t.createdBy}
                </td>
                <td>{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : "never"}</td>
                <td>
                  {t.revokedAt ? (
                    `revoked ${formatDateTime(t.revokedAt)}`
                  ) : (
                    <Form method="post">
                      <input type="hidden" name="token" value={t.id} />
                      <button type="submit" name="intent" value="revoke" aria-label={`Revoke the token for ${t.name}`}>
                        Revoke
                      </button>
                    </Form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
