// Cycles, renewals, leave, the notification outbox and the scheduler's lease.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // The course family a cycle belongs to (the onboarding course and its refreshers share one),
  // the expiry this cycle renews, and when its own renewal was issued.
  await db.schema.alterTable("assignments").addColumn("family", "text").execute();
  await db.schema.alterTable("assignments").addColumn("previous_expires_at", "text").execute();
  await db.schema.alterTable("assignments").addColumn("renewal_issued_at", "text").execute();
  await sql`update assignments set family = course_id where family is null`.execute(db);
  await db.schema.createIndex("assignments_user_family").on("assignments").columns(["user_id", "family"]).execute();
  await db.schema
    .createIndex("assignments_renewals")
    .on("assignments")
    .columns(["course_id", "renewal_issued_at", "expires_at"])
    .execute();
  await db.schema.createIndex("assignments_open_due").on("assignments").columns(["completed_at", "due_at"]).execute();

  // When the current leave began; clocks are paused while it lasts.
  await db.schema.alterTable("users").addColumn("leave_started_at", "text").execute();

  await db.schema
    .createTable("notifications")
    .addColumn("id", "text", (c) => c.primaryKey())
    // One notification per event, ever: the scheduler may run twice, or be killed and rerun.
    .addColumn("event_key", "text", (c) => c.notNull().unique())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.references("users.id"))
    .addColumn("to_email", "text", (c) => c.notNull())
    .addColumn("assignment_id", "text", (c) => c.references("assignments.id"))
    .addColumn("why", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("pending"))
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "text", (c) => c.notNull())
    .addColumn("claimed_until", "text")
    .addColumn("last_error", "text")
    .addColumn("sent_at", "text")
    .execute();
  await db.schema.createIndex("notifications_due").on("notifications").columns(["status", "next_attempt_at"]).execute();
  await db.schema.createIndex("notifications_user").on("notifications").columns(["user_id", "created_at"]).execute();
  await db.schema.createIndex("notifications_assignment").on("notifications").column("assignment_id").execute();

  await db.schema
    .createTable("scheduler_lease")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("holder", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error("Confidant migrations only run forward.");
}
