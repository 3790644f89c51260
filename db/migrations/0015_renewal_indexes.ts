// The indexes of assignments, reviewed against the queries that use them (decision 022):
// renewals read a partial index of only the completed cycles not yet renewed, instead of an index
// of every assignment; two indexes that other indexes already serve are dropped.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // The renewal step's scan: one course's completed, unrenewed, not cancelled cycles in expiry
  // order. Marking a cycle renewed takes it out of this index, so it stays one row per person and
  // course however many years of history the table holds.
  await db.schema
    .createIndex("assignments_renewal_due")
    .on("assignments")
    .columns(["course_id", "expires_at"])
    .where(sql.ref("renewal_issued_at"), "is", null)
    .where(sql.ref("completed_at"), "is not", null)
    .where(sql.ref("cancelled_at"), "is", null)
    .execute();
  await db.schema.dropIndex("assignments_renewals").execute();
  // (user_id, family): every lookup by person is served by the unique (user_id, course_id, cycle)
  // key, whose first column is the person; a person has tens of rows, not thousands.
  await db.schema.dropIndex("assignments_user_family").execute();
  // (completed_at, due_at): the open-assignment queries (reminders, the digest, the overdue list)
  // use the partial assignments_open_by_due, which holds only open rows.
  await db.schema.dropIndex("assignments_open_due").execute();
}

export async function down(): Promise<void> {
  throw new Error("Confidant migrations only run forward.");
}
