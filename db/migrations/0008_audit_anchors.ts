// The audit log's Merkle tree and its signed checkpoints. audit_tree_nodes holds the hash of every
// perfect subtree (2^level leaves from leaf index·2^level): what proofs are made of, without reading
// the leaves. audit_checkpoints keeps each signed checkpoint (append-only, like the log) and the
// state of its RFC 3161 timestamp, which is filled in once when the TSA answers.
import { sql, type Kysely } from "kysely";

function isPostgres(db: Kysely<any>) {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable("audit_tree_nodes")
    .addColumn("level", "integer", (c) => c.notNull())
    .addColumn("idx", pg ? "bigint" : "integer", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("audit_tree_nodes_pk", ["level", "idx"])
    .execute();

  await db.schema
    .createTable("audit_checkpoints")
    .addColumn("tree_size", pg ? "bigint" : "integer", (c) => c.primaryKey())
    .addColumn("root_hash", "text", (c) => c.notNull())
    .addColumn("note", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    // none: no TSA configured · pending: to be (re)tried · stamped: token below
    .addColumn("tsa_status", "text", (c) => c.notNull())
    .addColumn("tsa_token", "text")
    .addColumn("tsa_gen_time", "text")
    .addColumn("tsa_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("tsa_last_error", "text")
    .addColumn("tsa_next_attempt_at", "text")
    .execute();
  await db.schema.createIndex("audit_checkpoints_pending").on("audit_checkpoints").columns(["tsa_status", "tsa_next_attempt_at"]).execute();

  // A checkpoint's text never changes and is never deleted; its token is set at most once.
  if (pg) {
    await sql
      .raw(
        `create or replace function confidant_checkpoint_guard() returns trigger as $$
         begin
           if tg_op = 'DELETE' then raise exception 'audit_checkpoints rows are immutable'; end if;
           if new.tree_size <> old.tree_size or new.root_hash <> old.root_hash or new.note <> old.note or new.created_at <> old.created_at
              or (old.tsa_token is not null and new.tsa_token is distinct from old.tsa_token) then
             raise exception 'audit_checkpoints rows are immutable';
           end if;
           return new;
         end; $$ language plpgsql`,
      )
      .execute(db);
    await sql.raw(`create trigger audit_checkpoints_guard before update or delete on audit_checkpoints for each row execute function confidant_checkpoint_guard()`).execute(db);
  } else {
    await sql.raw(`create trigger audit_checkpoints_no_delete before delete on audit_checkpoints begin select raise(abort, 'audit_checkpoints rows are immutable'); end`).execute(db);
    await sql
      .raw(
        `create trigger audit_checkpoints_no_update before update of tree_size, root_hash, note, created_at on audit_checkpoints
         begin select raise(abort, 'audit_checkpoints rows are immutable'); end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger audit_checkpoints_token_once before update of tsa_token on audit_checkpoints
         when old.tsa_token is not null and (new.tsa_token is null or new.tsa_token <> old.tsa_token)
         begin select raise(abort, 'a checkpoint''s timestamp token is set once'); end`,
      )
      .execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error("Confidant migrations only run forward.");
}
