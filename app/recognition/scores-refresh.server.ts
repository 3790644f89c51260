// The stored scores behind large boards (migration 0006): everyone's score, rebuilt in the
// background after each scheduler run, like the reporting rollup (app/reports/rollup.server.ts), and
// kept by generation in the same way (app/jobs/generations.server.ts).
//
// How (measured at 100,000 people and 3.6 M assignments, scripts/bench/boards.ts):
// - People are read in id order and scored a couple of hundred at a time, with the same query and
//   the same pure rules as a live board (records.server.ts), their assignments found through the
//   index on user_id, pausing between chunks so that requests keep being served. Memory stays
//   flat: one chunk's assignments at a time, then one small record per person.
// - The board's order (score, then name, as rankByScore sorts) is computed once for everyone and
//   stored as `sort_position`; a team's board is the same order restricted to the team, so a page
//   of any board is a walk of an index, and a rank is a count of the people above.
// - The reporting tree is numbered in pre-order (`tree_position`), so everyone below a manager is
//   one range (`team_size` long), and "who is in this large team" needs no recursive query.
// - Each manager's active team, as HR's recognition report counts it, is stored too
//   (`active_team_size`), so that report need not walk the tree at every view.
// - Each refresh writes a new generation and switches to it when complete: readers never see a
//   half-built table, and a refresh that dies leaves the previous one in place. The previous
//   generation is removed by the next refresh, so that a page that began reading it just before a
//   switch can finish.
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import type { Catalog } from "../courses/catalog.server";
import { currentGeneration, dropOtherGenerations, isStale, refreshGeneration, writeBatches, type GenerationRun } from "../jobs/generations.server";
import { startUnderLease, underLease, type Skipped } from "../jobs/lease.server";
import { pause } from "../jobs/pacing";
import { buildTree, loadPeople } from "../people/tree.server";
import { scoredPeople, tenths, type ScoredPerson } from "./records.server";
import { autoBadges, rankByScore } from "./score";
import { teamSizes } from "./team-counts";

const LEASE = "person-scores";
/** People scored per query: about 7,000 assignments at 12 courses × 3 years, under 100 ms of
 * work between two pauses. */
const SCORE_CHUNK = 200;

/** The scores in use; `people` is how many (not departed) were scored. */
export type ScoreRun = GenerationRun;

/** The newest finished refresh, or null when there is none yet. */
export function currentScoreRun(db: Kysely<DB>): Promise<ScoreRun | null> {
  return currentGeneration(db, "score_runs");
}

/** Everyone below `managerId` in the stored scores: tree positions (after, upTo], `size` people
 * (departed ones included); null when the scores cannot give their team as a range (a manager
 * new since the refresh or departed, a loop of reporting lines, a tree deeper than teamIds()). */
export async function storedTeamRange(db: Kysely<DB>, run: ScoreRun, managerId: string): Promise<{ after: number; upTo: number; size: number } | null> {
  const m = await db
    .selectFrom("person_scores")
    .select(["tree_position", "team_size"])
    .where("generation", "=", run.generation)
    .where("user_id", "=", managerId)
    .executeTakeFirst();
  if (!m || m.tree_position === null || m.team_size === null) return null;
  const after = Number(m.tree_position);
  const size = Number(m.team_size);
  return { after, upTo: after + size, size };
}

export type ScoresRefreshResult =
  | { skipped: false; generation: number; asOf: string; people: number; ranked: number; durationMs: number; phases: Record<"people" | "score" | "order" | "write" | "switch", number> }
  | Skipped;

/** Rescores everyone as of `now`. One refresh at a time, in this process and across instances (a
 * lease row); a call while one runs returns `{ skipped: true }`. */
export function refreshScores(db: Kysely<DB>, { catalog, now }: { catalog: Catalog; now: Date }): Promise<ScoresRefreshResult> {
  return underLease(db, LEASE, () => rebuild(db, catalog, now));
}

/** Starts a refresh without waiting for it. A failure is recorded in score_runs and otherwise
 * ignored: the previous scores stay in use. */
export function refreshScoresInBackground(db: Kysely<DB>, { catalog, now }: { catalog: Catalog; now: Date }): void {
  startUnderLease(db, LEASE, () => rebuild(db, catalog, now));
}

/** The scores to read for a board of this organisation, or null when there are none and the
 * organisation is small enough to score live (under `liveBelow` people). The first scores of a
 * large organisation are built inline; scores older than STALE_AFTER_MINUTES are refreshed in the
 * background. */
export async function ensureScores(db: Kysely<DB>, { catalog, now, liveBelow }: { catalog: Catalog; now: Date; liveBelow: number }): Promise<ScoreRun | null> {
  const run = await currentScoreRun(db);
  if (run) {
    if (run.people >= liveBelow && isStale(run, now)) refreshScoresInBackground(db, { catalog, now });
    return run;
  }
  const counted = await db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n")).where("status", "<>", "inactive").executeTakeFirst();
  if (Number(counted?.n ?? 0) < liveBelow) return null;
  await refreshScores(db, { catalog, now });
  return currentScoreRun(db);
}

async function rebuild(db: Kysely<DB>, catalog: Catalog, now: Date): Promise<ScoresRefreshResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const asOf = now.toISOString();
  return refreshGeneration(db, "score_runs", asOf, async (generation, took) => {
    // The scores in use stay until the next refresh (a page being read from them when this one
    // switches finishes reading them); older ones, and any a failed refresh left half-written, go.
    const inUse = await currentScoreRun(db);
    await dropOtherGenerations(db, ["person_scores"], inUse?.generation ?? 0);
    const members = await loadPeople(db);
    const tree = await buildTree(members);
    const activeTeams = teamSizes(members.map((m) => [m.id, m.managerId, m.status] as const));
    const people = took();

    // Score the people who have not left, a chunk of ids at a time.
    const scored: Array<{ index: number; person: ScoredPerson }> = [];
    const indexOf = new Map(members.map((m, i) => [m.id, i]));
    const current = members.filter((m) => m.status !== "inactive");
    for (let i = 0; i < current.length; i += SCORE_CHUNK) {
      const after = i === 0 ? "" : current[i - 1].id;
      const upTo = current[Math.min(i + SCORE_CHUNK, current.length) - 1].id;
      for (const person of await scoredPeople(db, { ids: { after, upTo } }, catalog, now)) scored.push({ index: indexOf.get(person.id)!, person });
      await pause();
    }
    const score = took();

    // The boards' order: everyone ranked, as rankByScore lists them.
    const order = rankByScore(scored.filter((s) => s.person.score.ranked).map((s) => ({ name: s.person.name, score: s.person.score.score, s })));
    const sortPosition = new Map(order.map(({ entry }, k) => [entry.s.person.id, k]));
    await pause();
    const ordered = took();

    await writeBatches(db, "person_scores", scored, ({ index, person: p }) => ({
      generation,
      user_id: p.id,
      score_tenths: tenths(p.score.score),
      average_tenths: tenths(p.score.average),
      ranked: p.score.ranked ? 1 : 0,
      streak: p.score.streak,
      streak_bonus: p.score.streakBonus,
      counted: p.score.counted,
      completed: p.score.completed,
      on_time: p.score.onTime,
      first_try: p.score.firstTry,
      overdue: p.score.overdue,
      badges_json: JSON.stringify(autoBadges(p.score)),
      opted_out: p.optedOut ? 1 : 0,
      sort_position: sortPosition.get(p.id) ?? null,
      tree_position: tree.position[index] >= 0 ? tree.position[index] : null,
      team_size: tree.below[index] >= 0 ? tree.below[index] : null,
      active_team_size: activeTeams.get(p.id) ?? 0,
      computed_at: asOf,
    }));
    const write = took();

    const durationMs = Math.round(performance.now() - started);
    await db.transaction().execute(async (trx) => {
      // Someone who changed their board choice while this ran: their new rows follow it (later
      // changes update every generation's rows themselves, opt-out.server.ts).
      const changed = await trx.selectFrom("users").select(["id", "board_opt_out"]).where("updated_at", ">=", startedAt).where("status", "<>", "inactive").execute();
      for (const u of changed) {
        await trx.updateTable("person_scores").set({ opted_out: Number(u.board_opt_out) }).where("generation", "=", generation).where("user_id", "=", u.id).execute();
      }
      await trx
        .updateTable("score_runs")
        .set({ status: "done", finished_at: new Date().toISOString(), duration_ms: durationMs, people: scored.length })
        .where("generation", "=", generation)
        .execute();
    });
    const phases = { people, score, order: ordered, write, switch: took() };
    return { skipped: false as const, generation, asOf, people: scored.length, ranked: order.length, durationMs, phases };
  });
}

/** A person's boards opt-out, applied to the stored scores at once rather than at their next
 * refresh. Pass the transaction that records the choice. */
export async function applyBoardOptOut(trx: Kysely<DB>, { userId, optOut }: { userId: string; optOut: boolean }) {
  await trx
    .updateTable("person_scores")
    .set({ opted_out: optOut ? 1 : 0 })
    .where("generation", "in", trx.selectFrom("score_runs").select("generation"))
    .where("user_id", "=", userId)
    .execute();
}
