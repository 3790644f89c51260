// The reporting rollup: assignment counts by course, cycle series, department and type, for the
// whole organisation and for every manager with a large team, so that HR's dashboards read a few
// thousand rows instead of grouping millions of assignments on each view.
//
// Why it is built this way (measured at 100,000 people and 3.6 M assignments):
// - SQLite groups by sorting, and sorting 3.6 M rows by course, cycle, department and type takes
//   many seconds. A refresh instead walks the assignments once in storage order (rowid on SQLite,
//   id on PostgreSQL), in chunks of a few thousand rows with a pause between them so that requests
//   keep being served, and counts in memory.
// - A person's department, type and place in the reporting tree are the same for all their
//   assignments, so people are first reduced to "profiles" (department, type, nearest large
//   manager above them); each assignment then adds to one counter, and profiles are expanded to
//   the organisation and to each large manager's scope at the end.
// - Renewal and leaving cycles are named after a date (`renewal-2027-11-30`), so a large
//   organisation has thousands of them. The rollup counts them by series (`renewal-2027-*`: every
//   renewal due in 2027); a single dated cycle is small and is counted live when asked for.
// - Each refresh writes a new generation and switches to it when complete: readers never see a
//   half-built rollup, and a refresh that dies leaves the previous one in place. The previous
//   generation is removed only by the next refresh, so a page reading it at the switch finishes.
import { sql, type Kysely } from "kysely";
import { dialectOf, readAll } from "../../db/connection";
import type { DB } from "../../db/schema";
import { STATUS_FILTERS } from "./filters.server";
import { currentGeneration, dropOtherGenerations, isStale, refreshGeneration, writeBatches, type GenerationRun } from "../jobs/generations.server";
import { leaseWorkRunning, startUnderLease, underLease } from "../jobs/lease.server";
import { pacer, pause } from "../jobs/pacing";
import { buildTree, loadPeople, type Tree } from "../people/tree.server";
import { statusCase } from "../assignments/status-sql.server";

export { STALE_AFTER_MINUTES } from "../jobs/generations.server";

/** Mutually exclusive states of an assignment at a moment ("as of"). Every status filter and
 * every dashboard column is a union of some of them. Precedence follows app/assignments/status.ts
 * (cancelled, then exempt, then completed, then open), with completion kept apart inside the
 * first two so that filters such as "completed" stay exact. */
export const STATES = [
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
export type State = (typeof STATES)[number];
export type StatusFilter = (typeof STATUS_FILTERS)[number];

/** The states each status filter of app/reports/filters.server.ts matches, exactly. */
export const STATUS_STATES: Record<StatusFilter, readonly State[]> = {
  completed: ["cancelled_on_time", "cancelled_late", "exempt_on_time", "exempt_late", "on_time", "late"],
  on_time: ["cancelled_on_time", "exempt_on_time", "on_time"],
  late: ["cancelled_late", "exempt_late", "late"],
  overdue: ["overdue"],
  open: ["overdue", "in_progress", "not_started"],
  exempt: ["exempt_on_time", "exempt_late", "exempt_open"],
  cancelled: ["cancelled_on_time", "cancelled_late", "cancelled_open"],
  in_progress: ["in_progress"],
  not_started: ["not_started"],
};

/** Completions per month are kept for this many months, ending with the "as of" month. */
export const CHART_MONTHS = 12;
const READ_CHUNK = 5_000;
const CYCLE_CHUNK = 100;

/** SQL for the state of `a` (an assignments row aliased `a`) at `asOfIso`: an index into STATES. */
export function stateExpression(asOfIso: string) {
  return statusCase(asOfIso, {
    cancelled: sql<number>`(case when a.completed_at is null then 2 when a.completed_at <= a.due_at then 0 else 1 end)`,
    exempt: sql<number>`(case when a.completed_at is null then 5 when a.completed_at <= a.due_at then 3 else 4 end)`,
    completed: sql<number>`(case when a.completed_at <= a.due_at then 6 else 7 end)`,
    overdue: 8,
    in_progress: 9,
    not_started: 10,
  });
}

const DATED_CYCLE = /^(.*)-(\d{4})-\d{2}-\d{2}$/;

/** The series a cycle is counted under: a cycle named after a date joins the others of its kind
 * and year (`renewal-2027-11-30` → `renewal-2027-*`); any other cycle is its own series. */
export function seriesOf(cycle: string): string {
  const m = DATED_CYCLE.exec(cycle);
  return m ? `${m[1]}-${m[2]}-*` : cycle;
}

/** seriesOf() in SQL, for an assignments row aliased `a`. */
export function seriesExpression(db: Kysely<DB>) {
  return dialectOf(db) === "postgres"
    ? sql<string>`case when a.cycle ~ '-[0-9]{4}-[0-9]{2}-[0-9]{2}$' then substr(a.cycle, 1, length(a.cycle) - 6) || '-*' else a.cycle end`
    : sql<string>`case when a.cycle glob '*-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' then substr(a.cycle, 1, length(a.cycle) - 6) || '-*' else a.cycle end`;
}

export function isSeriesOfMany(series: string): boolean {
  return series.endsWith("-*");
}

/** The first month ("YYYY-MM") the completion chart shows, for an "as of" time. */
export function firstChartMonth(asOf: Date): string {
  const d = new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth() - (CHART_MONTHS - 1), 1));
  return d.toISOString().slice(0, 7);
}

export function chartMonths(asOf: Date): string[] {
  return Array.from({ length: CHART_MONTHS }, (_, i) =>
    new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth() - (CHART_MONTHS - 1) + i, 1)).toISOString().slice(0, 7),
  );
}

// --- reading --------------------------------------------------------------------------------

/** The rollup in use: its generation, "as of" time and how long it took. */
export type RollupRun = GenerationRun;

/** The newest finished rollup, or null when there is none yet. */
export function currentRun(db: Kysely<DB>): Promise<RollupRun | null> {
  return currentGeneration(db, "report_runs");
}

// --- refreshing -----------------------------------------------------------------------------

export type RefreshResult =
  | { skipped: false; generation: number; asOf: string; assignments: number; rows: number; durationMs: number; phases: Record<"people" | "count" | "expand" | "write" | "cleanup", number> }
  | { skipped: true; reason: string };

const LEASE = "report-rollup";

/** Is a refresh running in this process for this database? */
export function refreshInFlight(db: Kysely<DB>): boolean {
  return leaseWorkRunning(db, LEASE);
}

/** Rebuilds the rollup as of `now`. Safe to call from several places and instances: one refresh
 * runs at a time (in this process by a shared promise, across instances by a lease row); a call
 * while one runs returns `{ skipped: true }`. */
export function refreshRollup(db: Kysely<DB>, now: Date): Promise<RefreshResult> {
  return underLease(db, LEASE, () => rebuild(db, now));
}

/** Starts a refresh without waiting for it (the dashboard's self-refresh). Failures are recorded
 * in report_runs and otherwise ignored: the previous rollup stays in use. */
export function refreshInBackground(db: Kysely<DB>, now: Date): void {
  startUnderLease(db, LEASE, () => rebuild(db, now));
}

/** Makes sure there is a rollup to read: builds the first one inline, and asks for a fresh one in
 * the background when it is older than STALE_AFTER_MINUTES. */
export async function ensureRollup(db: Kysely<DB>, now: Date): Promise<RollupRun | null> {
  const run = await currentRun(db);
  if (!run) {
    await refreshRollup(db, now);
    return currentRun(db);
  }
  if (isStale(run, now)) refreshInBackground(db, now);
  return run;
}

async function rebuild(db: Kysely<DB>, now: Date): Promise<RefreshResult> {
  const started = performance.now();
  const asOf = now.toISOString();
  return refreshGeneration(db, "report_runs", asOf, async (generation, took) => {
    // The counts in use stay until the next refresh, so a page that is reading them when this one
    // switches finishes with whole figures; older ones, and any a failed refresh left, go now.
    const inUse = await currentRun(db);
    await dropOtherGenerations(db, REPORT_TABLES, inUse?.generation ?? 0);
    const everyone = await loadPeople(db);
    const tree = await buildTree(everyone);
    await pause();
    const people = took();
    const counted = await countAssignments(db, { asOf, tree, months: chartMonths(now) });
    const count = took();
    const { rollup, months } = await expand(tree, counted, chartMonths(now));
    const expanded = took();

    const courseSeries = counted.courseSeries;
    const scopeId = (s: number) => (s < 0 ? "" : tree.scopes[s].id);
    await writeBatches(db, "report_rollup", rollup, (r) => {
      const cs = courseSeries[r.cs];
      const dt = tree.deptTypes[r.dt];
      const row: Record<string, unknown> = { generation, scope: scopeId(r.scope), course_id: cs.courseId, series: cs.series, department: dt.department, type: dt.type, last_due_at: cs.lastDueAt };
      STATES.forEach((state, i) => (row[state] = r.counts[i]));
      return row;
    });
    await writeBatches(db, "report_months", months, (r) => {
      const cs = courseSeries[r.cs];
      const dt = tree.deptTypes[r.dt];
      return { generation, scope: scopeId(r.scope), course_id: cs.courseId, series: cs.series, department: dt.department, type: dt.type, month: r.month, on_time: r.onTime, late: r.late };
    });
    await writeBatches(db, "report_cycles", counted.cycles, (c) => ({
      generation,
      course_id: c.courseId,
      cycle: c.cycle,
      series: courseSeries[c.cs].series,
      assignments: c.n,
      last_due_at: c.lastDueAt,
    }));
    await writeBatches(db, "report_managers", tree.managers, (m) => ({ generation, manager_id: m.id, team_size: m.teamSize, scoped: m.scoped ? 1 : 0 }));

    const write = took();
    const durationMs = Math.round(performance.now() - started);
    await db
      .updateTable("report_runs")
      .set({ status: "done", finished_at: new Date().toISOString(), duration_ms: durationMs, assignments: counted.assignments, people: everyone.length })
      .where("generation", "=", generation)
      .execute();
    const phases = { people, count, expand: expanded, write, cleanup: took() };
    return { skipped: false as const, generation, asOf, assignments: counted.assignments, rows: rollup.length, durationMs, phases };
  });
}

const REPORT_TABLES = ["report_rollup", "report_months", "report_cycles", "report_managers"] as const;

// --- counting -------------------------------------------------------------------------------

interface Counted {
  courseSeries: Array<{ courseId: string; series: string; lastDueAt: string }>;
  /** key: profile × CS + course-series; one count per state. */
  tallies: Map<number, { profile: number; cs: number; counts: Float64Array }>;
  /** key: (profile × CS + course-series) × CHART_MONTHS + month */
  months: Map<number, { profile: number; cs: number; month: number; onTime: number; late: number }>;
  cycles: Array<{ courseId: string; cycle: string; cs: number; n: number; lastDueAt: string }>;
  assignments: number;
}

const CS = 1 << 20; // room for a million course-series pairs
const SEP = "\u001f";

/** One pass over every assignment in storage order, a few thousand rows at a time, reading only
 * what the counts need (each column read costs, at 3.6 M rows); then one pass over the cycle
 * index for each cycle's size and latest due date. */
async function countAssignments(db: Kysely<DB>, o: { asOf: string; tree: Tree; months: string[] }): Promise<Counted> {
  const sqlite = dialectOf(db) === "sqlite";
  const monthIndex = new Map(o.months.map((m, i) => [m, i]));
  const firstMonth = o.months[0];
  const courseSeries: Counted["courseSeries"] = [];
  const csIndex = new Map<string, number>();
  const csOfPair = new Map<string, number>(); // "course␟cycle" → course-series
  const courseSeriesOf = (courseId: string, cycle: string): number => {
    const series = seriesOf(cycle);
    const key = `${courseId}${SEP}${series}`;
    let cs = csIndex.get(key);
    if (cs === undefined) {
      cs = courseSeries.push({ courseId, series, lastDueAt: "" }) - 1;
      csIndex.set(key, cs);
    }
    return cs;
  };
  const tallies: Counted["tallies"] = new Map();
  const months: Counted["months"] = new Map();
  let assignments = 0;
  let afterRowid = 0;
  let afterId = "";
  for (;;) {
    const base = db
      .selectFrom("assignments as a")
      .select([
        "a.user_id",
        sql<string>`a.course_id || ${SEP} || a.cycle`.as("pair"),
        stateExpression(o.asOf).as("state"),
        sql<string | null>`case when a.completed_at >= ${firstMonth} then substr(a.completed_at, 1, 7) end`.as("month"),
      ]);
    const rows = sqlite
      ? await readAll(db, base.select(sql<number>`a.rowid`.as("k")).where(sql<boolean>`a.rowid > ${afterRowid}`).orderBy(sql`a.rowid`).limit(READ_CHUNK))
      : await readAll(db, base.select("a.id as k").where("a.id", ">", afterId).orderBy("a.id").limit(READ_CHUNK));
    for (const r of rows) {
      const profile = o.tree.profileOf.get(r.user_id);
      if (profile === undefined) continue;
      let cs = csOfPair.get(r.pair);
      if (cs === undefined) {
        const at = r.pair.indexOf(SEP);
        cs = courseSeriesOf(r.pair.slice(0, at), r.pair.slice(at + 1));
        csOfPair.set(r.pair, cs);
      }
      const state = Number(r.state);
      const key = profile * CS + cs;
      let t = tallies.get(key);
      if (!t) tallies.set(key, (t = { profile, cs, counts: new Float64Array(STATES.length) }));
      t.counts[state]++;
      if ((state === 6 || state === 7) && r.month) {
        const month = monthIndex.get(r.month);
        if (month !== undefined) {
          const mk = key * CHART_MONTHS + month;
          let m = months.get(mk);
          if (!m) months.set(mk, (m = { profile, cs, month, onTime: 0, late: 0 }));
          if (state === 6) m.onTime++;
          else m.late++;
        }
      }
    }
    assignments += rows.length;
    if (rows.length < READ_CHUNK) break;
    const k = rows[rows.length - 1].k;
    if (sqlite) afterRowid = Number(k);
    else afterId = String(k);
    await pause();
  }

  // Each cycle's size and latest due date, walking the index on (cycle, course_id, due_at) in order.
  const cycles: Counted["cycles"] = [];
  let afterCycle = "";
  const seen = new Set<string>();
  for (;;) {
    const rows = await db
      .selectFrom("assignments")
      .select((eb) => ["cycle", "course_id", eb.fn.countAll<number>().as("n"), eb.fn.max("due_at").as("last_due_at")])
      .where("cycle", ">=", afterCycle)
      .groupBy(["cycle", "course_id"])
      .orderBy("cycle")
      .orderBy("course_id")
      .limit(CYCLE_CHUNK)
      .execute();
    for (const r of rows) {
      const pair = `${r.course_id}${SEP}${r.cycle}`;
      if (seen.has(pair)) continue;
      seen.add(pair);
      const cs = csOfPair.get(pair) ?? courseSeriesOf(r.course_id, r.cycle);
      const lastDueAt = String(r.last_due_at);
      cycles.push({ courseId: r.course_id, cycle: r.cycle, cs, n: Number(r.n), lastDueAt });
      if (lastDueAt > courseSeries[cs].lastDueAt) courseSeries[cs].lastDueAt = lastDueAt;
    }
    if (rows.length < CYCLE_CHUNK) break;
    afterCycle = rows[rows.length - 1].cycle;
    await pause();
  }
  return { courseSeries, tallies, months, cycles, assignments };
}

interface RollupOut {
  scope: number;
  cs: number;
  dt: number;
  counts: Float64Array;
}

interface MonthOut {
  scope: number;
  cs: number;
  dt: number;
  month: string;
  onTime: number;
  late: number;
}

/** From profiles to rows: each tally adds to the organisation (scope -1) and to the nearest
 * large manager above its people; each manager's rows then add to the next one up. */
async function expand(tree: Tree, c: Counted, monthNames: string[]): Promise<{ rollup: RollupOut[]; months: MonthOut[] }> {
  const step = pacer();
  const DT = tree.deptTypes.length + 1;
  const perScope: Array<Map<number, RollupOut>> = Array.from({ length: tree.scopes.length + 1 }, () => new Map());
  const add = (scope: number, cs: number, dt: number, counts: Float64Array) => {
    const map = perScope[scope + 1];
    const key = cs * DT + dt;
    const row = map.get(key);
    if (!row) map.set(key, { scope, cs, dt, counts: Float64Array.from(counts) });
    else for (let i = 0; i < STATES.length; i++) row.counts[i] += counts[i];
  };
  for (const t of c.tallies.values()) {
    const p = tree.profiles[t.profile];
    add(-1, t.cs, p.dt, t.counts);
    if (p.scope >= 0) add(p.scope, t.cs, p.dt, t.counts);
    await step();
  }
  for (let s = tree.scopes.length - 1; s >= 0; s--) {
    const up = tree.scopes[s].parent;
    if (up < 0) continue;
    for (const row of perScope[s + 1].values()) {
      add(up, row.cs, row.dt, row.counts);
      await step();
    }
  }

  const monthScope: Array<Map<number, MonthOut>> = Array.from({ length: tree.scopes.length + 1 }, () => new Map());
  const addMonth = (scope: number, cs: number, dt: number, monthIdx: number, onTime: number, late: number) => {
    const map = monthScope[scope + 1];
    const key = (cs * DT + dt) * CHART_MONTHS + monthIdx;
    const row = map.get(key);
    if (!row) map.set(key, { scope, cs, dt, month: monthNames[monthIdx], onTime, late });
    else {
      row.onTime += onTime;
      row.late += late;
    }
  };
  const monthIdx = new Map(monthNames.map((m, i) => [m, i]));
  for (const m of c.months.values()) {
    const p = tree.profiles[m.profile];
    addMonth(-1, m.cs, p.dt, m.month, m.onTime, m.late);
    if (p.scope >= 0) addMonth(p.scope, m.cs, p.dt, m.month, m.onTime, m.late);
    await step();
  }
  for (let s = tree.scopes.length - 1; s >= 0; s--) {
    const up = tree.scopes[s].parent;
    if (up < 0) continue;
    for (const row of monthScope[s + 1].values()) {
      addMonth(up, row.cs, row.dt, monthIdx.get(row.month)!, row.onTime, row.late);
      await step();
    }
  }
  return { rollup: perScope.flatMap((m) => [...m.values()]), months: monthScope.flatMap((m) => [...m.values()]) };
}

// --- helping the live queries choose their way in -----------------------------------------
//
// Without statistics (SQLite has none unless ANALYZE runs) the query planner takes every equality
// to be equally selective, so it will happily walk 400,000 "onboarding" rows or every open
// assignment to find one small team's few. The live queries therefore choose their starting
// point from what the rollup knows (team and cycle sizes) and write the other tests so that they
// cannot be used as a way in: `+a.cycle` is the same value as `a.cycle`, but not indexable.

/** A column of `assignments as a` that the planner must not start from (SQLite; PostgreSQL plans
 * from real statistics and needs no hint). */
export function notAnIndex(db: Kysely<DB>, column: "course_id" | "cycle" | "completed_at" | "exempted_at" | "cancelled_at" | "due_at" | "user_id") {
  return sql.raw(dialectOf(db) === "sqlite" ? `+a.${column}` : `a.${column}`);
}

/** How many assignments a cycle has (of one course, if given), as of the rollup; 0 if none. */
export async function cycleSize(db: Kysely<DB>, run: RollupRun | null, cycle: string, courseId?: string): Promise<number | null> {
  if (!run) return null;
  let q = db
    .selectFrom("report_cycles")
    .select((eb) => eb.fn.sum<number>("assignments").as("n"))
    .where("generation", "=", run.generation)
    .where("cycle", "=", cycle);
  if (courseId) q = q.where("course_id", "=", courseId);
  const row = await q.executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A manager's whole team size, as of the rollup; null if unknown. */
export async function teamSizeOf(db: Kysely<DB>, run: RollupRun | null, managerId: string): Promise<number | null> {
  if (!run) return null;
  const row = await db.selectFrom("report_managers").select("team_size").where("generation", "=", run.generation).where("manager_id", "=", managerId).executeTakeFirst();
  return row ? Number(row.team_size) : null;
}

/** Whole minutes between the rollup's "as of" and now. */
export function ageMinutes(asOf: string, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(asOf)) / 60_000));
}
