// HR's organisation overview: for each course and cycle, how many were assigned, completed (on
// time or late), are overdue or exempt, the completion and on-time rates, completions month by
// month and a breakdown by department — under the shared filters.
//
// Numbers come from the rollup (rollup.server.ts) "as of" its last refresh whenever it can answer
// the filters: the whole organisation, or a manager with a large team, by course, cycle series,
// department, type and status. Otherwise — a small team, or one dated cycle such as
// `renewal-2027-11-30` — they are counted live from the assignments, which is quick because
// those sets are small. Either way the same states and sums are used, so the two always agree.
import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema";
import { dialectOf } from "../../db/connection";
import { teamIds } from "../people/org.server";
import { isStale } from "../jobs/generations.server";
import { SCOPE_MIN_TEAM } from "../people/tree.server";
import { applyAssignmentFilters, type AssignmentFilters } from "./filters.server";
import {
  chartMonths,
  currentRun,
  cycleSize,
  notAnIndex,
  teamSizeOf,
  firstChartMonth,
  isSeriesOfMany,
  refreshInBackground,
  refreshInFlight,
  refreshRollup,
  seriesExpression,
  seriesOf,
  stateExpression,
  STATES,
  STATUS_STATES,
  type RollupRun,
} from "./rollup.server";

export interface Counts {
  /** Everything assigned and not cancelled (people who left have their open work cancelled). */
  assigned: number;
  /** Completed and not exempt: on time + late. */
  completed: number;
  onTime: number;
  late: number;
  /** Open and past the due date. */
  overdue: number;
  inProgress: number;
  notStarted: number;
  exempt: number;
  cancelled: number;
  /** completed / (assigned − exempt); null when nothing is required. */
  completionRate: number | null;
  /** onTime / completed; null before anyone completed. */
  onTimeRate: number | null;
}

export interface CycleLine {
  /** The cycle series: a cycle's own name, or e.g. `renewal-2027-*` for every renewal due in 2027. */
  series: string;
  /** The one cycle this line counts, when it is a single cycle (null for a dated series). */
  cycle: string | null;
  lastDueAt: string;
  counts: Counts;
}

export interface CourseLine {
  courseId: string;
  counts: Counts;
  /** Newest first (by the latest due date in the cycle). */
  cycles: CycleLine[];
}

export interface DepartmentLine {
  /** null: people with no department recorded. */
  department: string | null;
  counts: Counts;
}

export interface MonthPoint {
  /** "YYYY-MM" (UTC). */
  month: string;
  onTime: number;
  late: number;
}

export interface Overview {
  /** The moment the numbers describe: the rollup's refresh time, or now when counted live. */
  asOf: string;
  source: "rollup" | "live";
  /** The rollup is older than STALE_AFTER_MINUTES; a refresh has been asked for. */
  stale: boolean;
  /** A refresh is running in this process. */
  refreshing: boolean;
  totals: Counts;
  courses: CourseLine[];
  departments: DepartmentLine[];
  /** Completions per month over the last year, oldest first, every month present. */
  months: MonthPoint[];
}

export interface OverviewInput {
  filters: AssignmentFilters;
  now: Date;
  /** "auto" (default): build the rollup inline if there is none, refresh it in the background
   * when stale. "never": use whatever there is (or count live when there is none). */
  refresh?: "auto" | "never";
}

const N = STATES.length;
const IDX = Object.fromEntries(STATES.map((s, i) => [s, i])) as Record<(typeof STATES)[number], number>;

function stateMask(status: AssignmentFilters["status"]): boolean[] {
  if (!status) return STATES.map(() => true);
  const keep = new Set(STATUS_STATES[status]);
  return STATES.map((s) => keep.has(s));
}

function rate(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** Dashboard columns from the per-state counts (already masked by the status filter). */
export function countsFromStates(v: ArrayLike<number>): Counts {
  const cancelled = v[IDX.cancelled_on_time] + v[IDX.cancelled_late] + v[IDX.cancelled_open];
  const exempt = v[IDX.exempt_on_time] + v[IDX.exempt_late] + v[IDX.exempt_open];
  const onTime = v[IDX.on_time];
  const late = v[IDX.late];
  const overdue = v[IDX.overdue];
  const inProgress = v[IDX.in_progress];
  const notStarted = v[IDX.not_started];
  const completed = onTime + late;
  const assigned = exempt + completed + overdue + inProgress + notStarted;
  return {
    assigned,
    completed,
    onTime,
    late,
    overdue,
    inProgress,
    notStarted,
    exempt,
    cancelled,
    completionRate: rate(completed, assigned - exempt),
    onTimeRate: rate(onTime, completed),
  };
}

interface Group {
  courseId: string;
  series: string;
  cycle: string | null;
  department: string;
  type: string;
  counts: ArrayLike<number>;
  lastDueAt: string;
}

function build(groups: Group[], monthRows: MonthPoint[], mask: boolean[], asOf: Date) {
  const total = new Float64Array(N);
  const byCourse = new Map<string, { total: Float64Array; cycles: Map<string, { v: Float64Array; cycles: Set<string | null>; lastDueAt: string }> }>();
  const byDept = new Map<string, Float64Array>();
  for (const g of groups) {
    let any = false;
    for (let i = 0; i < N; i++) if (mask[i] && g.counts[i]) any = true;
    if (!any) continue;
    let course = byCourse.get(g.courseId);
    if (!course) byCourse.set(g.courseId, (course = { total: new Float64Array(N), cycles: new Map() }));
    let line = course.cycles.get(g.series);
    if (!line) course.cycles.set(g.series, (line = { v: new Float64Array(N), cycles: new Set(), lastDueAt: g.lastDueAt }));
    line.cycles.add(g.cycle);
    if (g.lastDueAt > line.lastDueAt) line.lastDueAt = g.lastDueAt;
    let dept = byDept.get(g.department);
    if (!dept) byDept.set(g.department, (dept = new Float64Array(N)));
    for (let i = 0; i < N; i++) {
      if (!mask[i]) continue;
      const c = Number(g.counts[i]);
      total[i] += c;
      course.total[i] += c;
      line.v[i] += c;
      dept[i] += c;
    }
  }
  const courses: CourseLine[] = [...byCourse.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([courseId, c]) => ({
      courseId,
      counts: countsFromStates(c.total),
      cycles: [...c.cycles.entries()]
        .map(([series, l]) => ({
          series,
          cycle: isSeriesOfMany(series) ? (l.cycles.size === 1 ? [...l.cycles][0] : null) : series,
          lastDueAt: l.lastDueAt,
          counts: countsFromStates(l.v),
        }))
        .sort((a, b) => b.lastDueAt.localeCompare(a.lastDueAt) || a.series.localeCompare(b.series)),
    }));
  const departments: DepartmentLine[] = [...byDept.entries()]
    .map(([d, v]) => ({ department: d === "" ? null : d, counts: countsFromStates(v) }))
    .sort((a, b) => b.counts.assigned - a.counts.assigned || (a.department ?? "").localeCompare(b.department ?? ""));
  const byMonth = new Map(monthRows.map((m) => [m.month, m]));
  const months = chartMonths(asOf).map((month) => {
    const m = byMonth.get(month);
    return { month, onTime: m && mask[IDX.on_time] ? m.onTime : 0, late: m && mask[IDX.late] ? m.late : 0 };
  });
  return { totals: countsFromStates(total), courses, departments, months };
}

/** Which rollup scope answers these filters, or null when they must be counted live. */
async function rollupScope(db: Kysely<DB>, run: RollupRun, f: AssignmentFilters): Promise<string | null> {
  if (f.cycle && seriesOf(f.cycle) !== f.cycle) return null; // one dated cycle: small, count it live
  if (!f.manager) return "";
  const m = await db
    .selectFrom("report_managers")
    .select("scoped")
    .where("generation", "=", run.generation)
    .where("manager_id", "=", f.manager)
    .executeTakeFirst();
  return m && Number(m.scoped) === 1 ? f.manager : null;
}

async function fromRollup(db: Kysely<DB>, run: RollupRun, scope: string, f: AssignmentFilters) {
  const asOf = new Date(run.asOf);
  let q = db
    .selectFrom("report_rollup")
    .select(["course_id", "series", "department", "type", "last_due_at", ...STATES])
    .where("generation", "=", run.generation)
    .where("scope", "=", scope);
  let m = db
    .selectFrom("report_months")
    .select((eb) => ["month", eb.fn.sum<number>("on_time").as("on_time"), eb.fn.sum<number>("late").as("late")])
    .where("generation", "=", run.generation)
    .where("scope", "=", scope)
    .where("month", ">=", firstChartMonth(asOf))
    .groupBy("month");
  if (f.course) {
    q = q.where("course_id", "=", f.course);
    m = m.where("course_id", "=", f.course);
  }
  if (f.cycle) {
    q = q.where("series", "=", f.cycle);
    m = m.where("series", "=", f.cycle);
  }
  if (f.department) {
    q = q.where("department", "=", f.department);
    m = m.where("department", "=", f.department);
  }
  if (f.type) {
    q = q.where("type", "=", f.type);
    m = m.where("type", "=", f.type);
  }
  const [rows, months] = await Promise.all([q.execute(), m.execute()]);
  const groups: Group[] = rows.map((r) => ({
    courseId: r.course_id,
    series: r.series,
    cycle: null,
    department: r.department,
    type: r.type,
    counts: STATES.map((s) => Number(r[s])),
    lastDueAt: r.last_due_at,
  }));
  return { groups, months: months.map((x) => ({ month: x.month, onTime: Number(x.on_time ?? 0), late: Number(x.late ?? 0) })) };
}

/** The same numbers straight from the assignments, at `now`. Used for what the rollup cannot
 * answer, which is always a small set: a small team, or one dated cycle (see rollup.server.ts on
 * choosing where to start). The status filter is applied by `build`, like the rollup's. */
async function live(db: Kysely<DB>, f: AssignmentFilters, now: Date, run: RollupRun | null) {
  const nowIso = now.toISOString();
  const first = firstChartMonth(now);
  const lastMonth = nowIso.slice(0, 7);
  let team: string[] | null = null;
  if (f.manager) {
    const known = await teamSizeOf(db, run, f.manager);
    if (known === null || known < SCOPE_MIN_TEAM * 2) team = (await teamIds(db, f.manager).execute()).map((r) => r.id);
  }
  const cycleN = f.cycle ? await cycleSize(db, run, f.cycle, f.course) : null;
  const byCycle = f.cycle !== undefined && (team === null || (cycleN !== null && cycleN < team.length * 40));
  if (team && team.length === 0) return { groups: [], months: [] };
  let q = db
    .selectFrom("assignments as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .select((eb) => [
      "a.course_id",
      // By series, as the rollup counts: a team's dated cycles would otherwise come back one row each.
      seriesExpression(db).as("series"),
      sql<string>`coalesce(u.department, '')`.as("department"),
      "u.type",
      stateExpression(nowIso).as("state"),
      sql<string | null>`case when a.completed_at >= ${first} then substr(a.completed_at, 1, 7) else null end`.as("month"),
      eb.fn.countAll<number>().as("n"),
      eb.fn.max("a.due_at").as("last_due_at"),
    ]);
  q = applyAssignmentFilters(db, q, { department: f.department, type: f.type }, now);
  if (byCycle) {
    q = q.where("a.cycle", "=", f.cycle!);
    if (f.course) q = q.where("a.course_id", "=", f.course);
    if (f.manager) q = team ? q.where(sql<boolean>`${notAnIndex(db, "user_id")} in (${sql.join(team)})`) : q.where(sql<boolean>`${dialectOf(db) === "sqlite" ? sql.raw("+u.id") : sql.raw("u.id")} in (${teamIds(db, f.manager)})`);
  } else if (team) {
    q = q.where("a.user_id", "in", team);
    if (f.course) q = q.where(sql<boolean>`${notAnIndex(db, "course_id")} = ${f.course}`);
    if (f.cycle) q = q.where(sql<boolean>`${notAnIndex(db, "cycle")} = ${f.cycle}`);
  } else {
    // A large team the rollup has no rows for (a loop in the reporting lines, or new since the
    // last refresh): start from the team.
    q = q.where("u.id", "in", teamIds(db, f.manager!));
    if (f.course) q = q.where(sql<boolean>`${notAnIndex(db, "course_id")} = ${f.course}`);
  }
  const rows = await q.groupBy(sql`1, 2, 3, 4, 5, 6`).execute();
  const groups: Group[] = [];
  const months = new Map<string, MonthPoint>();
  for (const r of rows) {
    const state = Number(r.state);
    const n = Number(r.n);
    const counts = new Float64Array(N);
    counts[state] = n;
    const cycle = f.cycle ?? (isSeriesOfMany(r.series) ? null : r.series);
    groups.push({ courseId: r.course_id, series: r.series, cycle, department: r.department, type: r.type, counts, lastDueAt: String(r.last_due_at) });
    if (r.month && r.month <= lastMonth && (state === IDX.on_time || state === IDX.late)) {
      let p = months.get(r.month);
      if (!p) months.set(r.month, (p = { month: r.month, onTime: 0, late: 0 }));
      if (state === IDX.on_time) p.onTime += n;
      else p.late += n;
    }
  }
  return { groups, months: [...months.values()] };
}

/** For pages that read the rollup but must not write on a GET (the assign form, the overdue
 * list): asks the background path for a refresh when there is no rollup yet or it is stale, and
 * returns at once. */
export async function requestRollupRefresh(db: Kysely<DB>, now: Date): Promise<void> {
  const run = await currentRun(db);
  if (!run || isStale(run, now)) refreshInBackground(db, now);
}

/** The organisation overview under `filters`. Stable API: the evidence benchmark calls it. */
export async function getOverview(db: Kysely<DB>, { filters, now, refresh = "auto" }: OverviewInput): Promise<Overview> {
  let run = await currentRun(db);
  if (!run && refresh === "auto") {
    await refreshRollup(db, now);
    run = await currentRun(db);
  }
  let stale = false;
  if (run && isStale(run, now)) {
    stale = true;
    if (refresh === "auto") refreshInBackground(db, now);
  }
  const scope = run ? await rollupScope(db, run, filters) : null;
  const mask = stateMask(filters.status);
  if (run && scope !== null) {
    const { groups, months } = await fromRollup(db, run, scope, filters);
    return { asOf: run.asOf, source: "rollup", stale, refreshing: refreshInFlight(db), ...build(groups, months, mask, new Date(run.asOf)) };
  }
  const { groups, months } = await live(db, filters, now, run);
  return { asOf: now.toISOString(), source: "live", stale: false, refreshing: refreshInFlight(db), ...build(groups, months, mask, now) };
}

export interface OverviewOptions {
  departments: string[];
  courseIds: string[];
  /** Newest first; every undated cycle, and the most recent dated ones. */
  cycles: string[];
  /** People with reports, largest teams first when there are many; sorted by name. */
  managers: Array<{ id: string; name: string; teamSize: number }>;
  /** Some managers or cycles were left out of the lists (they still work in the URL). */
  managersTruncated: boolean;
  cyclesTruncated: boolean;
}

const MAX_MANAGER_OPTIONS = 300;
const MAX_DATED_CYCLE_OPTIONS = 100;

/** Choices for the filter form, from the current rollup (small tables, never the assignments). */
export async function getOverviewOptions(db: Kysely<DB>, { selected }: { selected?: AssignmentFilters } = {}): Promise<OverviewOptions> {
  const run = await currentRun(db);
  if (!run) return { departments: [], courseIds: [], cycles: [], managers: [], managersTruncated: false, cyclesTruncated: false };
  const g = run.generation;
  const [departments, courseIds, undated, recentDated, managers, managerCount] = await Promise.all([
    db.selectFrom("report_rollup").select("department").distinct().where("generation", "=", g).where("scope", "=", "").where("department", "<>", "").orderBy("department").execute(),
    db.selectFrom("report_rollup").select("course_id").distinct().where("generation", "=", g).where("scope", "=", "").orderBy("course_id").execute(),
    db
      .selectFrom("report_cycles")
      .select((eb) => ["cycle", eb.fn.max("last_due_at").as("last_due_at")])
      .where("generation", "=", g)
      .whereRef("series", "=", "cycle")
      .groupBy("cycle")
      .execute(),
    // Dated cycles (one per renewal date…) can number in the thousands: the most recent only.
    db
      .selectFrom("report_cycles")
      .select(["cycle", "last_due_at"])
      .where("generation", "=", g)
      .whereRef("series", "<>", "cycle")
      .orderBy("last_due_at", "desc")
      .limit(MAX_DATED_CYCLE_OPTIONS * 4 + 1)
      .execute(),
    db
      .selectFrom("report_managers as r")
      .innerJoin("users as u", "u.id", "r.manager_id")
      .select(["u.id", "u.name", "r.team_size"])
      .where("r.generation", "=", g)
      .orderBy("r.team_size", "desc")
      .orderBy("u.name")
      .limit(MAX_MANAGER_OPTIONS)
      .execute(),
    db.selectFrom("report_managers").select((eb) => eb.fn.countAll<number>().as("n")).where("generation", "=", g).executeTakeFirst(),
  ]);
  const dated = [...new Set(recentDated.map((c) => c.cycle))];
  const cycles = [
    ...undated.sort((a, b) => String(b.last_due_at).localeCompare(String(a.last_due_at)) || a.cycle.localeCompare(b.cycle)).map((c) => c.cycle),
    ...dated.slice(0, MAX_DATED_CYCLE_OPTIONS),
  ];
  if (selected?.cycle && !cycles.includes(selected.cycle)) cycles.push(selected.cycle);
  const managerList = managers.map((m) => ({ id: m.id, name: m.name, teamSize: Number(m.team_size) }));
  if (selected?.manager && !managerList.some((m) => m.id === selected.manager)) {
    const person = await db.selectFrom("users").select(["id", "name"]).where("id", "=", selected.manager).executeTakeFirst();
    if (person) managerList.push({ id: person.id, name: person.name, teamSize: 0 });
  }
  managerList.sort((a, b) => a.name.localeCompare(b.name));
  return {
    departments: departments.map((d) => d.department),
    courseIds: courseIds.map((c) => c.course_id),
    cycles,
    managers: managerList,
    managersTruncated: Number(managerCount?.n ?? 0) > MAX_MANAGER_OPTIONS,
    cyclesTruncated: dated.length > MAX_DATED_CYCLE_OPTIONS || recentDated.length > MAX_DATED_CYCLE_OPTIONS * 4,
  };
}
