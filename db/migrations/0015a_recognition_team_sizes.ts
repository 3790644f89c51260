// HR's recognition report reads each manager's team size from the stored scores (as of their
// refresh) instead of walking the whole reporting tree at every view: the number of active people
// below them, up to a manager who has left (app/recognition/team-counts.ts). `team_size` beside it
// is a different count (everyone below, for the boards' tree ranges).
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("person_scores").addColumn("active_team_size", "integer").execute();
  // The managers of one generation, and only them: the report reads this index, not the 100,000
  // wide rows of everyone's scores.
  await db.schema
    .createIndex("person_scores_managers")
    .on("person_scores")
    .columns(["generation", "user_id", "active_team_size"])
    .where(sql.ref("active_team_size"), ">", 0)
    .execute();
}

export async function down(): Promise<void> {
  throw new Error("Confidant migrations only run forward.");
}
