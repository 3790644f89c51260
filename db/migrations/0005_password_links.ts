// Single-use links that let a person set their password (imported people have none).
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("password_links")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    // Only a hash of the token is stored, like session secrets.
    .addColumn("token_sha256", "text", (c) => c.notNull().unique())
    .addColumn("created_by", "text", (c) => c.references("users.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .execute();
  await db.schema.createIndex("password_links_user").on("password_links").column("user_id").execute();
}

export async function down(): Promise<void> {
  throw new Error("Confidant migrations only run forward.");
}
