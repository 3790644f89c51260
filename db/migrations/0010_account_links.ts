// Invitations and password resets sent by email, and the sign-in throttle redesigned
// (decision 010). HR-made set-password links are gone: their unused tokens had been shown to HR,
// so none of them stays usable.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("account_links")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    // invitation | reset
    .addColumn("purpose", "text", (c) => c.notNull())
    // Who started it: HR for an invitation or an HR-sent reset; null when the person asked
    // from the sign-in page.
    .addColumn("started_by", "text", (c) => c.references("users.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    // An invitation for a start date still ahead: the scheduler queues it on that date.
    .addColumn("send_on", "text")
    .addColumn("queued_at", "text")
    // The token exists only in the mail: it is made when the mail is sent, and only its
    // SHA-256 is kept.
    .addColumn("token_sha256", "text", (c) => c.unique())
    .addColumn("sent_at", "text")
    .addColumn("expires_at", "text")
    .addColumn("used_at", "text")
    .addColumn("cancelled_at", "text")
    .execute();
  await db.schema.createIndex("account_links_user").on("account_links").columns(["user_id", "created_at"]).execute();
  await db.schema.createIndex("account_links_send_on").on("account_links").columns(["send_on", "queued_at"]).execute();
  await db.schema.dropTable("password_links").execute();

  // Counters, not blocks: each row counts failed attempts for one key in a fixed window.
  await db.schema.dropTable("auth_throttle").execute();
  await db.schema
    .createTable("auth_throttle")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("window_started_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error("Confidant migrations only run forward.");
}
