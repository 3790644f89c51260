// What an insider with a copy of the database and the public hash rules can do: drop the
// immutability triggers, then delete, edit or append and recompute hashes.
import { spawn, spawnSync } from "node:child_process";
import { sql } from "kysely";
import type { Db } from "../../db/connection";
import { entryHash } from "../../app/audit/audit.server";
import { onPostgres } from "./db";

export async function dropGuards(db: Db) {
  for (const t of ["audit_log_no_update", "audit_log_no_delete", "attestations_no_update", "attestations_no_delete", "quiz_attempts_no_update", "quiz_attempts_no_delete", "audit_checkpoints_no_update", "audit_checkpoints_no_delete", "audit_checkpoints_token_once"]) {
    await sql.raw(`drop trigger if exists ${t}`).execute(db);
  }
}

/** Lets a checkpoint's timestamp token be changed once it is set: SQLite's token trigger, or
 * PostgreSQL's one guard trigger on audit_checkpoints. */
export async function dropTokenGuard(db: Db) {
  if (onPostgres()) await sql`drop trigger audit_checkpoints_guard on audit_checkpoints`.execute(db);
  else await sql`drop trigger audit_checkpoints_token_once`.execute(db);
}

/** Rewrites entries from `fromSeq` on so that the chain verifies again. */
export async function rechain(db: Db, fromSeq: number) {
  const rows = await db.selectFrom("audit_log").selectAll().where("seq", ">=", fromSeq).orderBy("seq").execute();
  let prev = (await db.selectFrom("audit_log").select("hash").where("seq", "=", fromSeq - 1).executeTakeFirst())?.hash ?? "0".repeat(64);
  for (const r of rows) {
    const fields = { ...r, prev_hash: prev };
    const hash = entryHash(fields);
    await db.updateTable("audit_log").set({ prev_hash: prev, hash }).where("seq", "=", r.seq).execute();
    prev = hash;
  }
}

/** Appends an entry with a correctly computed hash, directly in the table. */
export async function forgeAppend(db: Db, entry: { at: string; action: string; subject_type: string; subject_id: string; data: Record<string, unknown>; actor_id: string }) {
  const last = await db.selectFrom("audit_log").select(["seq", "hash"]).orderBy("seq", "desc").limit(1).executeTakeFirstOrThrow();
  const fields = { seq: last.seq + 1, at: entry.at, actor_id: entry.actor_id, action: entry.action, subject_type: entry.subject_type, subject_id: entry.subject_id, data_json: JSON.stringify(entry.data), prev_hash: last.hash };
  await db.insertInto("audit_log").values({ ...fields, hash: entryHash(fields) }).execute();
  return fields.seq;
}

export function runScript(script: string, env: Record<string, string>, args: string[] = []) {
  const r = spawnSync("node_modules/.bin/tsx", [script, ...args], { env: { ...process.env, LOG_LEVEL: "silent", ...env }, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like runScript, without blocking this process (when the test serves something the script calls, e.g. a TSA). */
export function runScriptAsync(script: string, env: Record<string, string>, args: string[] = []): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("node_modules/.bin/tsx", [script, ...args], { env: { ...process.env, LOG_LEVEL: "silent", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
