// HR's recognition report reads each manager's team size from the stored scores (as of their
// refresh) instead of walking the whole reporting tree at every view: the number of active people
// below them, up to a manager who has left (app/recognition/team-counts.ts). `team_size` beside it
// is a different count (everyone below, for the boards' tree ranges).
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("person_scores").addColumn("active_team_size", "integer").execute();
}

export async function down(): Promise<void> {
  throw new Error("Confidant migrations only run forward.");
}
