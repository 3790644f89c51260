// The top-compliers boards at 100,000 people: every person's score, computed in the background
// after each scheduler run, so that a large board reads one page of precomputed rows instead of
// scoring everyone's whole history on each view.
//
// Like the reporting rollup (0004), the table is rebuilt as a whole by refreshScores
// (app/recognition/scores-refresh.server.ts) under a new generation number; pages read the newest
// finished generation, so a refresh in progress (or one that died) is never half-visible. Nothing
// here is evidence: these tables can be emptied at any time and rebuilt from the assignments.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // Each refresh: when it scored ("as of"), how long it took, and whether it finished.
  await db.schema
    .createTable("score_runs")
    .addColumn("generation", "integer", (c) => c.primaryKey())
    .addColumn("as_of", "text", (c) => c.notNull())
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("finished_at", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("duration_ms", "integer")
    .addColumn("people", "integer")
    .addColumn("error", "text")
    .execute();

  // One row per person who has not left, with what the boards show of their score. Scores are in
  // tenths (the score has one decimal), so equal scores compare equal in SQL.
  await db.schema
    .createTable("person_scores")
    .addColumn("generation", "integer", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("score_tenths", "integer", (c) => c.notNull())
    .addColumn("average_tenths", "integer", (c) => c.notNull())
    .addColumn("ranked", "integer", (c) => c.notNull())
    .addColumn("streak", "integer", (c) => c.notNull())
    .addColumn("streak_bonus", "integer", (c) => c.notNull())
    .addColumn("counted", "integer", (c) => c.notNull())
    .addColumn("completed", "integer", (c) => c.notNull())
    .addColumn("on_time", "integer", (c) => c.notNull())
    .addColumn("first_try", "integer", (c) => c.notNull())
    .addColumn("overdue", "integer", (c) => c.notNull())
    // The badges the record earns, as shown on a board (key, label, reason).
    .addColumn("badges_json", "text", (c) => c.notNull())
    // Kept up to date by the person's own choice between refreshes (opt-out.server.ts).
    .addColumn("opted_out", "integer", (c) => c.notNull())
    // The board's order (score, then name) among everyone ranked; null when not ranked.
    .addColumn("sort_position", "integer")
    // Place in a pre-order walk of the reporting tree: everyone below a manager is
    // (tree_position, tree_position + team_size]. Null for people in a loop of reporting lines.
    .addColumn("tree_position", "integer")
    // Everyone below this person, at any depth; null when their team cannot be read as a range
    // (a loop, or a tree deeper than teamIds() walks).
    .addColumn("team_size", "integer")
    .addColumn("computed_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("person_scores_pk", ["generation", "user_id"])
    .execute();
  // A board's page in order, and how many rank above a score (the organisation, or a team most of
  // the organisation is in): one walk of this index, never a sort nor a look-up of the rows.
  await db.schema
    .createIndex("person_scores_board")
    .on("person_scores")
    .columns(["generation", "opted_out", "sort_position", "score_tenths", "tree_position", "user_id"])
    .execute();
  // A smaller team's rows: one range of the tree.
  await db.schema
    .createIndex("person_scores_tree")
    .on("person_scores")
    .columns(["generation", "tree_position", "opted_out", "sort_position", "score_tenths", "user_id"])
    .execute();
  // HR's figures: sums over everyone, read from this index alone.
  await db.schema
    .createIndex("person_scores_figures")
    .on("person_scores")
    .columns(["generation", "ranked", "opted_out", "score_tenths", "completed", "on_time", "first_try", "overdue"])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error("Confidant migrations only run forward.");
}
