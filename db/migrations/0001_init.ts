// Initial schema. Times are ISO-8601 UTC text everywhere (one representation, sortable,
// identical on SQLite and PostgreSQL); booleans are integers 0/1.
import { sql, type Kysely } from "kysely";

function isPostgres(db: Kysely<any>) {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

/** Evidence tables are append-only: the database itself refuses UPDATE and DELETE. */
export async function forbidChanges(db: Kysely<any>, table: string) {
  if (isPostgres(db)) {
    await sql
      .raw(
        `create or replace function confidant_immutable() returns trigger as $$
         begin raise exception '% rows are immutable', tg_table_name; end; $$ language plpgsql`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${table}_immutable before update or delete on ${table}
         for each row execute function confidant_immutable()`,
      )
      .execute(db);
    return;
  }
  for (const op of ["update", "delete"]) {
    await sql
      .raw(
        `create trigger ${table}_no_${op} before ${op} on ${table}
         begin select raise(abort, '${table} rows are immutable'); end`,
      )
      .execute(db);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);

  await db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("employee_id", "text")
    .addColumn("department", "text")
    .addColumn("title", "text")
    .addColumn("manager_id", "text", (c) => c.references("users.id"))
    .addColumn("type", "text", (c) => c.notNull().defaultTo("employee"))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("active"))
    .addColumn("is_hr", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("start_date", "text", (c) => c.notNull())
    .addColumn("end_date", "text")
    .addColumn("password_hash", "text")
    .addColumn("password_changed_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("users_manager").on("users").column("manager_id").execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("secret_hash", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_verified_at", "text", (c) => c.notNull())
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .execute();
  await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();

  await db.schema
    .createTable("auth_throttle")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("window_started_at", "text", (c) => c.notNull())
    .addColumn("blocked_until", "text")
    .execute();

  // What a course looked like when someone was assigned or completed it, so history stays
  // readable after the folder changes or disappears.
  await db.schema
    .createTable("course_versions")
    .addColumn("course_id", "text", (c) => c.notNull())
    .addColumn("content_hash", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("metadata_json", "text", (c) => c.notNull())
    .addColumn("recorded_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("course_versions_pk", ["course_id", "content_hash"])
    .execute();

  // The exact text of every policy version anyone could sign.
  await db.schema
    .createTable("policy_versions")
    .addColumn("policy_id", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("statement", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("text_sha256", "text", (c) => c.notNull())
    .addColumn("material", "integer", (c) => c.notNull())
    .addColumn("changes", "text", (c) => c.notNull())
    .addColumn("published_on", "text", (c) => c.notNull())
    .addColumn("validity_months", "integer")
    .addColumn("recorded_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("policy_versions_pk", ["policy_id", "version"])
    .execute();

  await db.schema
    .createTable("assignments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("course_id", "text", (c) => c.notNull())
    .addColumn("cycle", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("assigned_at", "text", (c) => c.notNull())
    .addColumn("due_at", "text", (c) => c.notNull())
    .addColumn("completed_at", "text")
    .addColumn("completed_content_hash", "text")
    .addColumn("expires_at", "text")
    .addColumn("exempted_at", "text")
    .addColumn("cancelled_at", "text")
    .addColumn("note", "text")
    .addUniqueConstraint("assignments_once_per_cycle", ["user_id", "course_id", "cycle"])
    .execute();
  await db.schema
    .createIndex("assignments_course_due")
    .on("assignments")
    .columns(["course_id", "due_at"])
    .execute();

  await db.schema
    .createTable("module_progress")
    .addColumn("assignment_id", "text", (c) => c.notNull().references("assignments.id"))
    .addColumn("module", "text", (c) => c.notNull())
    .addColumn("content_hash", "text", (c) => c.notNull())
    .addColumn("completed_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("module_progress_pk", ["assignment_id", "module"])
    .execute();

  await db.schema
    .createTable("scenario_choices")
    .addColumn("id", pg ? "bigserial" : "integer", (c) =>
      pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("assignment_id", "text", (c) => c.notNull().references("assignments.id"))
    .addColumn("module", "text", (c) => c.notNull())
    .addColumn("scenario_id", "text", (c) => c.notNull())
    .addColumn("from_step", "text", (c) => c.notNull())
    .addColumn("to_step", "text", (c) => c.notNull())
    .addColumn("ending", "text")
    .addColumn("chosen_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("scenario_choices_assignment")
    .on("scenario_choices")
    .columns(["assignment_id", "scenario_id"])
    .execute();

  await db.schema
    .createTable("quiz_attempts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("assignment_id", "text", (c) => c.notNull().references("assignments.id"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("course_id", "text", (c) => c.notNull())
    .addColumn("content_hash", "text", (c) => c.notNull())
    .addColumn("answers_json", "text", (c) => c.notNull())
    .addColumn("correct_count", "integer", (c) => c.notNull())
    .addColumn("question_count", "integer", (c) => c.notNull())
    .addColumn("score", "integer", (c) => c.notNull())
    .addColumn("passing_score", "integer", (c) => c.notNull())
    .addColumn("passed", "integer", (c) => c.notNull())
    .addColumn("submitted_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("quiz_attempts_assignment")
    .on("quiz_attempts")
    .column("assignment_id")
    .execute();
  await forbidChanges(db, "quiz_attempts");

  await db.schema
    .createTable("attestations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("verification_code", "text", (c) => c.notNull().unique())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("assignment_id", "text", (c) => c.notNull().references("assignments.id"))
    .addColumn("policy_id", "text", (c) => c.notNull())
    .addColumn("policy_version", "integer", (c) => c.notNull())
    .addColumn("policy_title", "text", (c) => c.notNull())
    .addColumn("text_sha256", "text", (c) => c.notNull())
    .addColumn("statement", "text", (c) => c.notNull())
    .addColumn("intent_label", "text", (c) => c.notNull())
    .addColumn("printed_name", "text", (c) => c.notNull())
    .addColumn("profile_name", "text", (c) => c.notNull())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("auth_method", "text", (c) => c.notNull())
    .addColumn("presented_at", "text", (c) => c.notNull())
    .addColumn("signed_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text")
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .addColumn("quiz_attempt_id", "text", (c) => c.references("quiz_attempts.id"))
    .addColumn("recorded_by", "text", (c) => c.references("users.id"))
    .addColumn("on_behalf_reason", "text")
    .addUniqueConstraint("attestations_once", ["assignment_id", "policy_id", "policy_version"])
    .execute();
  await db.schema
    .createIndex("attestations_user")
    .on("attestations")
    .columns(["user_id", "policy_id"])
    .execute();
  await forbidChanges(db, "attestations");
  await forbidChanges(db, "policy_versions");

  await db.schema
    .createTable("audit_log")
    .addColumn("seq", "integer", (c) => c.primaryKey())
    .addColumn("at", "text", (c) => c.notNull())
    .addColumn("actor_id", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("subject_type", "text")
    .addColumn("subject_id", "text")
    .addColumn("data_json", "text", (c) => c.notNull())
    .addColumn("prev_hash", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("audit_log_subject")
    .on("audit_log")
    .columns(["subject_type", "subject_id"])
    .execute();
  await forbidChanges(db, "audit_log");
}

export async function down(): Promise<void> {
  throw new Error("Confidant migrations only run forward: evidence tables are never dropped.");
}
