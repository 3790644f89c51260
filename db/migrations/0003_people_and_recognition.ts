// Roster imports kept for review and audit, recognition between people, and the choice to stay
// off the compliance boards.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("users").addColumn("board_opt_out", "integer", (c) => c.notNull().defaultTo(0)).execute();

  // An uploaded roster: previewed, then applied (or abandoned). The file itself is kept, so what
  // was imported can always be shown.
  await db.schema
    .createTable("roster_imports")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("uploaded_by", "text", (c) => c.references("users.id"))
    .addColumn("file_name", "text", (c) => c.notNull())
    .addColumn("csv_text", "text", (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("applied_at", "text")
    .addColumn("summary_json", "text")
    .execute();

  await db.schema
    .createTable("kudos")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("from_user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("to_user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("badge", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("kudos_to").on("kudos").columns(["to_user_id", "created_at"]).execute();
  await db.schema.createIndex("kudos_from").on("kudos").columns(["from_user_id", "created_at"]).execute();
}

export async function down(): Promise<void> {
  throw new Error("Confidant migrations only run forward.");
}
