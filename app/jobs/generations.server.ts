// Tables rebuilt as a whole in the background (the reporting rollup, the stored scores) are kept
// by generation: each refresh writes a new generation and switches to it when complete, so
// readers never see a half-built table and a refresh that dies leaves the previous one in place.
// A run table (`report_runs`, `score_runs`) records each refresh; the newest one "done" is the
// generation in use. The module that owns the tables says which ones; this one only moves rows.
import { sql, type Kysely } from "kysely";
import { dialectOf } from "../../db/connection";
import type { DB } from "../../db/schema";
import { pause } from "./pacing";

/** The tables that record refreshes, one row per generation. */
export type RunsTable = "report_runs" | "score_runs";

/** Tables rebuilt as a whole under a generation number, switched to when complete. */
export type GenerationTable = "report_rollup" | "report_months" | "report_cycles" | "report_managers" | "person_scores";

/** A refresh is asked for when the generation in use is older than this. */
export const STALE_AFTER_MINUTES = 10;
const WRITE_BATCH = 400;

export interface GenerationRun {
  generation: number;
  asOf: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** People counted or scored by that refresh. */
  people: number;
}

/** The newest finished generation recorded in `runs`, or null when there is none yet. */
export async function currentGeneration(db: Kysely<DB>, runs: RunsTable): Promise<GenerationRun | null> {
  const row = await db
    .selectFrom(runs)
    .select(["generation", "as_of", "finished_at", "duration_ms", "people"])
    .where("status", "=", "done")
    .orderBy("generation", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return {
    generation: Number(row.generation),
    asOf: row.as_of,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    people: Number(row.people ?? 0),
  };
}

export function isStale(run: Pick<GenerationRun, "asOf">, now: Date): boolean {
  return Math.abs(now.getTime() - Date.parse(run.asOf)) > STALE_AFTER_MINUTES * 60_000;
}

/** A refresh of tables kept by generation: the next generation number, recorded in `runs` as
 * running; `work` builds it (timing its phases with `took`, which gives the milliseconds since it
 * was last called) and records it as done. A failure is recorded with its message, then thrown. */
export async function refreshGeneration<R>(
  db: Kysely<DB>,
  runs: RunsTable,
  asOf: string,
  work: (generation: number, took: () => number) => Promise<R>,
): Promise<R> {
  const last = await db.selectFrom(runs).select((eb) => eb.fn.max("generation").as("g")).executeTakeFirst();
  const generation = Number(last?.g ?? 0) + 1;
  await db
    .insertInto(runs)
    .values({ generation, as_of: asOf, started_at: new Date().toISOString(), status: "running" })
    .execute();
  let lap = performance.now();
  const took = () => {
    const t = performance.now();
    const ms = Math.round(t - lap);
    lap = t;
    return ms;
  };
  try {
    const result = await work(generation, took);
    // A short history of runs stays (how long refreshes take, failures).
    await db.deleteFrom(runs).where("generation", "<", generation - 50).execute();
    return result;
  } catch (e) {
    await db
      .updateTable(runs)
      .set({ status: "failed", finished_at: new Date().toISOString(), error: (e instanceof Error ? e.message : String(e)).slice(0, 1000) })
      .where("generation", "=", generation)
      .execute()
      .catch(() => undefined);
    throw e;
  }
}

/** Removes every other generation, a few thousand rows per statement on SQLite so that pages
 * keep being served meanwhile. */
export async function dropOtherGenerations(db: Kysely<DB>, tables: readonly GenerationTable[], keep: number) {
  const sqlite = dialectOf(db) === "sqlite";
  for (const table of tables) {
    if (!sqlite) {
      await db.deleteFrom(table).where("generation", "<>", keep).execute();
      continue;
    }
    for (;;) {
      const res = await sql`delete from ${sql.table(table)} where rowid in (select rowid from ${sql.table(table)} where generation <> ${keep} limit 5000)`.execute(db);
      await pause();
      if (Number(res.numAffectedRows ?? 0) < 5000) break;
    }
  }
}

/** Inserts rows a few hundred per statement, a few statements per transaction, pausing between
 * transactions. */
export async function writeBatches<T>(db: Kysely<DB>, table: GenerationTable, items: T[], toRow: (t: T) => Record<string, unknown>) {
  const perTransaction = WRITE_BATCH * 5;
  for (let i = 0; i < items.length; i += perTransaction) {
    await db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(items.length, i + perTransaction); j += WRITE_BATCH) {
        const rows = items.slice(j, Math.min(j + WRITE_BATCH, i + perTransaction)).map(toRow);
        await trx.insertInto(table).values(rows as never).execute();
      }
    });
    await pause();
  }
}
