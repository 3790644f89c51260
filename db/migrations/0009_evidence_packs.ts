// Evidence packs as produced: the exact JSON file and (when asked for) the signed PDF made from
// the same snapshot, kept by id so that both can be downloaded from one production and matched
// by counsel. Append-only, like every evidence table.
import type { Kysely } from "kysely";
import { forbidChanges } from "./0001_init";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("evidence_packs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("produced_at", "text", (c) => c.notNull())
    .addColumn("produced_by", "text", (c) => c.references("users.id"))
    .addColumn("via", "text", (c) => c.notNull())
    .addColumn("pack_sha256", "text", (c) => c.notNull())
    .addColumn("json_sha256", "text", (c) => c.notNull())
    .addColumn("pdf_sha256", "text")
    .addColumn("json", "text", (c) => c.notNull())
    // The PDF's bytes, base64: one text representation on SQLite and PostgreSQL.
    .addColumn("pdf_base64", "text")
    .execute();
  await db.schema.createIndex("evidence_packs_user").on("evidence_packs").columns(["user_id", "produced_at"]).execute();
  await forbidChanges(db, "evidence_packs");
}

export async function down(): Promise<void> {
  throw new Error("Confidant migrations only run forward.");
}
