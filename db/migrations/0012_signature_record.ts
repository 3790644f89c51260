// The complete signature record: consent to electronic records, declining, paper originals, and
// the context of each signature (locale, signing-page template, session, authentication strength,
// time on the text). Attestations stay append-only; a person may now have a declined record and a
// later signed one for the same assignment and version, so "one per assignment and version"
// becomes "one *signed* per assignment and version".
import { sql, type Kysely } from "kysely";

function isPostgres(db: Kysely<any>) {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

async function forbidChanges(db: Kysely<any>, table: string) {
  if (isPostgres(db)) {
    await sql.raw(`create trigger ${table}_immutable before update or delete on ${table} for each row execute function confidant_immutable()`).execute(db);
    return;
  }
  for (const op of ["update", "delete"]) {
    await sql.raw(`create trigger ${table}_no_${op} before ${op} on ${table} begin select raise(abort, '${table} rows are immutable'); end`).execute(db);
  }
}

/**
 * SQLite cannot drop a table constraint, so the table is rebuilt from its own stored definition
 * (whatever columns earlier migrations gave it) minus the constraint, with its rows, indexes and
 * triggers. The triggers are dropped with the old table, so no row is ever updated or deleted.
 */
async function dropSignedOnceConstraintSqlite(db: Kysely<any>) {
  const table = await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = 'attestations'`.execute(db);
  const create = table.rows[0].sql;
  const without = create.replace(/,\s*constraint "attestations_once" unique \([^)]*\)/i, "");
  if (without === create) throw new Error("attestations_once constraint not found in the attestations table definition");
  const extras = await sql<{ sql: string }>`select sql from sqlite_master where tbl_name = 'attestations' and type in ('index', 'trigger') and sql is not null`.execute(db);
  await sql.raw(without.replace(/^create table "attestations"/i, 'create table "attestations_rebuilt"')).execute(db);
  await sql`insert into attestations_rebuilt select * from attestations`.execute(db);
  await sql`drop table attestations`.execute(db);
  await sql`alter table attestations_rebuilt rename to attestations`.execute(db);
  for (const e of extras.rows) await sql.raw(e.sql).execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);

  await db.schema
    .createTable("electronic_consents")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("policy_id", "text", (c) => c.notNull())
    .addColumn("policy_version", "integer", (c) => c.notNull())
    .addColumn("text_sha256", "text", (c) => c.notNull())
    .addColumn("statement", "text", (c) => c.notNull())
    .addColumn("intent_label", "text", (c) => c.notNull())
    .addColumn("printed_name", "text", (c) => c.notNull())
    .addColumn("profile_name", "text", (c) => c.notNull())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("presented_at", "text", (c) => c.notNull())
    .addColumn("consented_at", "text", (c) => c.notNull())
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .addColumn("session_sha256", "text")
    .addColumn("locale", "text", (c) => c.notNull())
    .addColumn("template_version", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("electronic_consents_user").on("electronic_consents").columns(["user_id", "policy_version"]).execute();
  await forbidChanges(db, "electronic_consents");

  await db.schema
    .createTable("paper_scans")
    .addColumn("sha256", "text", (c) => c.primaryKey())
    .addColumn("media_type", "text", (c) => c.notNull())
    .addColumn("byte_size", "integer", (c) => c.notNull())
    .addColumn("content", pg ? "bytea" : "blob", (c) => c.notNull())
    .addColumn("uploaded_by", "text", (c) => c.notNull().references("users.id"))
    .addColumn("uploaded_at", "text", (c) => c.notNull())
    .execute();
  await forbidChanges(db, "paper_scans");

  const columns: Array<[string, string]> = [
    ["decline_reason", "text"],
    ["consent_id", "text"],
    ["locale", "text"],
    ["template_version", "text"],
    ["session_sha256", "text"],
    ["auth_strength", "text"],
    ["seconds_on_text", "integer"],
    ["paper_signed_on", "text"],
    ["scan_sha256", "text"],
  ];
  await db.schema.alterTable("attestations").addColumn("outcome", "text", (c) => c.notNull().defaultTo("signed")).execute();
  for (const [name, type] of columns) {
    await db.schema.alterTable("attestations").addColumn(name, type as "text").execute();
  }
  if (pg) await sql`alter table attestations drop constraint attestations_once`.execute(db);
  else await dropSignedOnceConstraintSqlite(db);
  await sql`create unique index attestations_signed_once on attestations (assignment_id, policy_id, policy_version) where outcome = 'signed'`.execute(db);
  await sql`create index attestations_declined on attestations (signed_at) where outcome = 'declined'`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error("Confidant migrations only run forward.");
}
