// What each quiz attempt showed: the questions drawn from the pools and the order of their
// options (presented_json), and the modules its feedback named for revisiting (revisit_json).
// Both are null on attempts made before this migration; the audit row hash leaves a column
// added later out while it is null, so those rows keep the hash their audit entry recorded.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("quiz_attempts").addColumn("presented_json", "text").execute();
  await db.schema.alterTable("quiz_attempts").addColumn("revisit_json", "text").execute();
}

export async function down(): Promise<void> {
  throw new Error("Confidant migrations only run forward.");
}
