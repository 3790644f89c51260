// Indexes the HR pages need at 100,000 people (measured with `npm run bench -- pages`):
// a person's record lists their quiz attempts (a full scan of millions of attempts without an
// index on the person), the people list is sorted by name, and the department filter offers
// the distinct departments.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("quiz_attempts_user").on("quiz_attempts").columns(["user_id", "submitted_at"]).execute();
  await db.schema.createIndex("users_by_name").on("users").expression(sql`lower(name), id`).execute();
  await db.schema.createIndex("users_department").on("users").column("department").execute();
}

export async function down(): Promise<void> {
  throw new Error("Confidant migrations only run forward.");
}
