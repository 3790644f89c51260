// HR reporting at 100,000 people: a rollup of assignment counts that dashboards read instead of
// grouping millions of assignments on every page view, and the indexes the live lists need.
//
// The rollup is rebuilt as a whole by refreshRollup (app/reports/rollup.server.ts) under a new
// generation number; pages read the newest finished generation, so a refresh in progress (or one
// that died) is never half-visible. Nothing here is evidence: these tables can be emptied at any
// time and rebuilt from assignments.
import { sql, type Kysely } from "kysely";

/** One count per mutually exclusive state; every status filter and every dashboard column is a
 * sum of some of them (see STATE_SETS in rollup.server.ts). */
const STATE_COLUMNS = [
  "cancelled_on_time",
  "cancelled_late",
  "cancelled_open",
  "exempt_on_time",
  "exempt_late",
  "exempt_open",
  "on_time",
  "late",
  "overdue",
  "in_progress",
  "not_started",
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  // Each refresh: when it counted ("as of"), how long it took, and whether it finished.
  await db.schema
    .createTable("report_runs")
    .addColumn("generation", "integer", (c) => c.primaryKey())
    .addColumn("as_of", "text", (c) => c.notNull())
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("finished_at", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("duration_ms", "integer")
    .addColumn("assignments", "integer")
    .addColumn("people", "integer")
    .addColumn("error", "text")
    .execute();

  // Counts by course, cycle series, department and type: for the whole organisation
  // (scope '') and for each manager with a large team (scope = that manager's id).
  let rollup = db.schema
    .createTable("report_rollup")
    .addColumn("generation", "integer", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("course_id", "text", (c) => c.notNull())
    .addColumn("series", "text", (c) => c.notNull())
    .addColumn("department", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull());
  for (const col of STATE_COLUMNS) rollup = rollup.addColumn(col, "integer", (c) => c.notNull());
  await rollup.addColumn("last_due_at", "text", (c) => c.notNull()).execute();
  await db.schema.createIndex("report_rollup_scope").on("report_rollup").columns(["generation", "scope", "course_id"]).execute();

  // Completions per calendar month (UTC) over the last year, for the chart.
  await db.schema
    .createTable("report_months")
    .addColumn("generation", "integer", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("course_id", "text", (c) => c.notNull())
    .addColumn("series", "text", (c) => c.notNull())
    .addColumn("department", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("on_time", "integer", (c) => c.notNull())
    .addColumn("late", "integer", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("report_months_scope").on("report_months").columns(["generation", "scope", "month"]).execute();

  // Every cycle there is, with its size: the filter's choices, and how a cycle maps to its series.
  await db.schema
    .createTable("report_cycles")
    .addColumn("generation", "integer", (c) => c.notNull())
    .addColumn("course_id", "text", (c) => c.notNull())
    .addColumn("cycle", "text", (c) => c.notNull())
    .addColumn("series", "text", (c) => c.notNull())
    .addColumn("assignments", "integer", (c) => c.notNull())
    .addColumn("last_due_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("report_cycles_generation").on("report_cycles").columns(["generation", "cycle"]).execute();

  // Everyone with reports, the size of their whole team, and whether the rollup has their scope.
  await db.schema
    .createTable("report_managers")
    .addColumn("generation", "integer", (c) => c.notNull())
    .addColumn("manager_id", "text", (c) => c.notNull())
    .addColumn("team_size", "integer", (c) => c.notNull())
    .addColumn("scoped", "integer", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("report_managers_generation").on("report_managers").columns(["generation", "manager_id"]).execute();

  // The overdue list walks open assignments in due order and stops after a page: an index of
  // only the open ones keeps that walk short whatever else the table holds. It leads with
  // completed_at (always null here) so that, without statistics, SQLite still prefers it to
  // assignments_open_due, which would need a sort of every assignment sharing a due date.
  await db.schema
    .createIndex("assignments_open_by_due")
    .on("assignments")
    .columns(["completed_at", "due_at", "id"])
    .where(sql.ref("completed_at"), "is", null)
    .where(sql.ref("exempted_at"), "is", null)
    .where(sql.ref("cancelled_at"), "is", null)
    .execute();
  // The same for one cycle: its open assignments in due order.
  await db.schema
    .createIndex("assignments_open_by_cycle")
    .on("assignments")
    .columns(["cycle", "due_at", "id"])
    .where(sql.ref("completed_at"), "is", null)
    .where(sql.ref("exempted_at"), "is", null)
    .where(sql.ref("cancelled_at"), "is", null)
    .execute();
  // A single cycle (e.g. one renewal date) counted live, and each cycle's size and latest due
  // date read in order without sorting millions of rows.
  await db.schema.createIndex("assignments_cycle").on("assignments").columns(["cycle", "course_id", "due_at"]).execute();
}

export async function down(): Promise<void> {
  throw new Error("Confidant migrations only run forward.");
}
