// Enterprise identity: the bearer tokens an identity provider uses for SCIM provisioning (only
// their SHA-256 is kept; the token is shown once, when HR creates it); OpenID Connect requests
// waiting for the provider's answer (state, nonce, PKCE verifier; used once); and, on a session
// made by single sign-on, the provider, the subject and whether the provider reported a second
// factor.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("scim_tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("token_sha256", "text", (c) => c.notNull().unique())
    .addColumn("created_by", "text", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_used_at", "text")
    .addColumn("revoked_at", "text")
    .addColumn("revoked_by", "text", (c) => c.references("users.id"))
    .execute();
  await db.schema
    .createTable("oidc_requests")
    // SHA-256 of the `state` sent to the provider.
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("nonce", "text", (c) => c.notNull())
    .addColumn("code_verifier", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.references("users.id"))
    .addColumn("redirect_to", "text", (c) => c.notNull())
    // For signing: the signing form (intent, typed name, when the text was shown) to finish with.
    .addColumn("form_json", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.alterTable("sessions").addColumn("sso_issuer", "text").execute();
  await db.schema.alterTable("sessions").addColumn("sso_subject", "text").execute();
  await db.schema.alterTable("sessions").addColumn("sso_mfa", "integer", (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sessions").dropColumn("sso_mfa").execute();
  await db.schema.alterTable("sessions").dropColumn("sso_subject").execute();
  await db.schema.alterTable("sessions").dropColumn("sso_issuer").execute();
  await db.schema.dropTable("oidc_requests").execute();
  await db.schema.dropTable("scim_tokens").execute();
}
