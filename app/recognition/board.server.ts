// The top-compliers boards: a manager's (everyone below them), HR's (everyone), and a person's own
// standing. Small boards are scored live from the records (records.server.ts); boards of many
// people read the scores stored by the background refresh (scores-refresh.server.ts), one page at
// a time, and say when those were computed. Both rank the same way: highest score first, ties
// share a rank (1 + the number of people shown with a higher score) and are listed by name.
// People who opted out are left off every board but still count in HR's statistics; a person only
// ever learns their own score and rank.
import { sql, type ExpressionBuilder, type Kysely } from "kysely";
import { dialectOf } from "../../db/connection";
import type { DB } from "../../db/schema";
import type { Catalog } from "../courses/catalog.server";
import { membersOf } from "../people/org.server";
import { SCOPE_MIN_TEAM } from "../people/tree.server";
import { scoredPeople, tenths, type ScoredPerson } from "./records.server";
import { ensureScores, storedTeamRange, type ScoreRun } from "./scores-refresh.server";
import { autoBadges, rankByScore, type AutoBadge, type Score } from "./score";

/** Rows per page of a board. */
export const BOARD_PAGE_SIZE = 50;
/** Boards of fewer people than this are scored live, exactly and now; larger ones read the stored
 * scores (a team of 250 has about 9,000 assignments: tens of ms to score live). */
export const BOARD_LIVE_BELOW = SCOPE_MIN_TEAM;

/** Which page, how long, and from how many people a board is read from stored scores (tests set
 * `liveBelow` low to compare the two ways on a small organisation). */
export interface BoardOptions {
  page?: number;
  pageSize?: number;
  liveBelow?: number;
}

export interface BoardRow {
  id: string;
  name: string;
  title: string | null;
  department: string | null;
  managerName: string | null;
  rank: number;
  score: number;
  average: number;
  streak: number;
  streakBonus: number;
  counted: number;
  onTime: number;
  firstTry: number;
  badges: AutoBadge[];
}

function board(people: ScoredPerson[]): BoardRow[] {
  const shown = people.filter((p) => p.score.ranked && !p.optedOut).map((p) => ({ ...p, score: p.score.score, detail: p.score }));
  return rankByScore(shown).map(({ rank, entry }) => ({
    id: entry.id,
    name: entry.name,
    title: entry.title,
    department: entry.department,
    managerName: entry.managerName,
    rank,
    score: entry.detail.score,
    average: entry.detail.average,
    streak: entry.detail.streak,
    streakBonus: entry.detail.streakBonus,
    counted: entry.detail.counted,
    onTime: entry.detail.onTime,
    firstTry: entry.detail.firstTry,
    badges: autoBadges(entry.detail),
  }));
}

export interface BoardPage {
  rows: BoardRow[];
  /** People on the board, all pages together. */
  total: number;
  /** The page shown: the one asked for, or the last one when that was past the end. */
  page: number;
  pageCount: number;
  pageSize: number;
  /** When the scores were computed: now when scored live, else the stored scores' time. */
  asOf: string;
  stored: boolean;
}

function livePage(rows: BoardRow[], o: BoardOptions, now: Date): BoardPage {
  const pageSize = o.pageSize ?? BOARD_PAGE_SIZE;
  const pageCount = Math.max(1, Math.ceil(rows.length / pageSize));
  const page = Math.min(Math.max(1, o.page ?? 1), pageCount);
  return { rows: rows.slice((page - 1) * pageSize, page * pageSize), total: rows.length, page, pageCount, pageSize, asOf: now.toISOString(), stored: false };
}

// --- stored scores --------------------------------------------------------------------------

/** A board read from stored scores: the organisation, or one manager's team as a range of the
 * reporting tree. */
interface Stored {
  run: ScoreRun;
  team: { managerId: string; after: number; upTo: number; size: number } | null;
}

/** Where a board comes from: null to score it live (a small organisation or team, or a team the
 * stored scores cannot read as a range: a manager new since the refresh, or a loop of reporting
 * lines), else the stored scores to read. */
async function storedBoard(db: Kysely<DB>, { catalog, now, liveBelow, managerId }: { catalog: Catalog; now: Date; liveBelow: number; managerId?: string }): Promise<Stored | null> {
  const run = await ensureScores(db, { catalog, now, liveBelow });
  if (!run) return null;
  if (managerId === undefined) return run.people >= liveBelow ? { run, team: null } : null;
  const range = await storedTeamRange(db, run, managerId);
  return range && range.size >= liveBelow ? { run, team: { managerId, ...range } } : null;
}

/** A team that is most of the organisation is read in the board's order, skipping outsiders; a
 * smaller one as its range of the tree, then sorted. */
function readsInBoardOrder(s: Stored): boolean {
  return !s.team || s.team.size * 4 >= s.run.people;
}

/** The people a stored board shows: ranked, not opted out, and in the team if it is one; with
 * `before`, only those ahead of that place in the board's order with a higher score. On SQLite,
 * which plans without statistics, the columns of the index not to start from are written `+col`
 * (same value, not indexable), so that each board walks the index readsInBoardOrder() chose. */
function onBoard(db: Kysely<DB>, s: Stored, before?: { sortPosition: number; scoreTenths: number }) {
  const inOrder = readsInBoardOrder(s);
  const hint = dialectOf(db) === "sqlite";
  const col = (name: "tree_position" | "sort_position" | "opted_out", indexable: boolean) =>
    sql.raw(hint && !indexable ? `+person_scores.${name}` : `person_scores.${name}`);
  return (eb: ExpressionBuilder<DB, "person_scores">) => {
    const conditions = [
      eb("person_scores.generation", "=", s.run.generation),
      eb(col("opted_out", inOrder), "=", 0),
      eb(col("sort_position", inOrder), "is not", null),
    ];
    if (s.team) conditions.push(eb(col("tree_position", !inOrder), ">", s.team.after), eb(col("tree_position", !inOrder), "<=", s.team.upTo));
    if (before) conditions.push(eb(col("sort_position", inOrder), "<", before.sortPosition), eb("person_scores.score_tenths", ">", before.scoreTenths));
    return eb.and(conditions);
  };
}

/** Above every score (the most is 25.0): counting "above" it counts nobody. */
const NOBODY_ABOVE = 1_000_000;

/** How many a stored board shows, and how many of them score above `aboveTenths`. */
async function countOnBoard(db: Kysely<DB>, s: Stored, aboveTenths: number, except?: string) {
  let q = db
    .selectFrom("person_scores")
    .select((eb) => [
      eb.fn.countAll<number>().as("n"),
      eb.fn.sum<number>(eb.case().when("score_tenths", ">", aboveTenths).then(eb.lit(1)).else(eb.lit(0)).end()).as("above"),
    ])
    .where(onBoard(db, s));
  if (except) q = q.where("user_id", "<>", except);
  const r = await q.executeTakeFirst();
  return { shown: Number(r?.n ?? 0), above: Number(r?.above ?? 0) };
}

function storedRow(r: {
  user_id: string;
  name: string;
  title: string | null;
  department: string | null;
  manager_name: string | null;
  score_tenths: number;
  average_tenths: number;
  streak: number;
  streak_bonus: number;
  counted: number;
  on_time: number;
  first_try: number;
  badges_json: string;
}, rank: number): BoardRow {
  return {
    id: r.user_id,
    name: r.name,
    title: r.title,
    department: r.department,
    managerName: r.manager_name,
    rank,
    score: Number(r.score_tenths) / 10,
    average: Number(r.average_tenths) / 10,
    streak: Number(r.streak),
    streakBonus: Number(r.streak_bonus),
    counted: Number(r.counted),
    onTime: Number(r.on_time),
    firstTry: Number(r.first_try),
    badges: JSON.parse(r.badges_json) as AutoBadge[],
  };
}

/** One page of a stored board. Ranks are counted, not stored: the first row's is 1 + the people
 * shown above its score, and each next one's follows as rankByScore gives it. People who left,
 * or moved out of the team, since the refresh are left off the page they would have been on.
 * `total` (how many the board shows) when the caller knows it already. */
async function storedPage(db: Kysely<DB>, s: Stored, o: BoardOptions, total?: number): Promise<BoardPage> {
  const pageSize = o.pageSize ?? BOARD_PAGE_SIZE;
  const sortBy = sql.raw(dialectOf(db) === "sqlite" && !readsInBoardOrder(s) ? "+sort_position" : "sort_position");
  const read = (page: number) =>
    db
      .selectFrom("person_scores")
      .select(["user_id", "score_tenths", "sort_position"])
      .where(onBoard(db, s))
      .orderBy(sortBy)
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute();
  let page = Math.max(1, o.page ?? 1);
  let ids = await read(page);
  const shown = total ?? (await countOnBoard(db, s, NOBODY_ABOVE)).shown;
  const pageCount = Math.max(1, Math.ceil(shown / pageSize));
  if (ids.length === 0 && page > pageCount) {
    page = pageCount;
    ids = await read(page);
  }
  const base = { total: shown, page, pageCount, pageSize, asOf: s.run.asOf, stored: true };
  if (ids.length === 0) return { rows: [], ...base };

  // Everyone above the first row's score comes before it in the board's order: count that prefix.
  const first = ids[0];
  const above = await db
    .selectFrom("person_scores")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where(onBoard(db, s, { sortPosition: Number(first.sort_position), scoreTenths: Number(first.score_tenths) }))
    .executeTakeFirst();
  const ranks: number[] = [];
  ids.forEach((r, j) => ranks.push(j === 0 ? Number(above?.n ?? 0) + 1 : Number(r.score_tenths) === Number(ids[j - 1].score_tenths) ? ranks[j - 1] : (page - 1) * pageSize + j + 1));
  const details = await db
    .selectFrom("person_scores as ps")
    .innerJoin("users as u", "u.id", "ps.user_id")
    .leftJoin("users as m", "m.id", "u.manager_id")
    .select([
      "ps.user_id",
      "u.name",
      "u.title",
      "u.department",
      "m.name as manager_name",
      "ps.score_tenths",
      "ps.average_tenths",
      "ps.streak",
      "ps.streak_bonus",
      "ps.counted",
      "ps.on_time",
      "ps.first_try",
      "ps.badges_json",
    ])
    .where("ps.generation", "=", s.run.generation)
    .where("ps.user_id", "in", ids.map((r) => r.user_id))
    .where("u.status", "<>", "inactive")
    .execute();
  const byId = new Map(details.map((d) => [d.user_id, d]));
  const stillIn = s.team ? await membersOf(db, s.team.managerId, [...byId.keys()]) : null;
  const rows: BoardRow[] = [];
  ids.forEach((r, j) => {
    const d = byId.get(r.user_id);
    if (d && (!stillIn || stillIn.has(r.user_id))) rows.push(storedRow(d, ranks[j]));
  });
  return { rows, ...base };
}

// --- the boards -----------------------------------------------------------------------------

/** A manager's board: everyone below them, at any depth, who has completed a course and has not
 * opted out; one page of it. */
export async function teamBoard(
  db: Kysely<DB>,
  { managerId, catalog, ...o }: { managerId: string; catalog: Catalog } & BoardOptions,
  now: Date,
): Promise<BoardPage & { teamSize: number }> {
  const stored = await storedBoard(db, { catalog, now, liveBelow: o.liveBelow ?? BOARD_LIVE_BELOW, managerId });
  if (stored) return { ...(await storedPage(db, stored, o)), teamSize: stored.team!.size };
  const people = await scoredPeople(db, { team: managerId }, catalog, now);
  return { ...livePage(board(people), o, now), teamSize: people.length };
}

export interface OrgStats {
  /** Active people (and people on leave). */
  people: number;
  /** …of whom have completed at least one course: these have a score. */
  scored: number;
  /** Scored people who asked not to be shown on boards; they are in every figure here. */
  optedOut: number;
  averageScore: number | null;
  completedCycles: number;
  onTimeCycles: number;
  firstTryCycles: number;
  overdueCycles: number;
}

/** The average of scores given as a sum of tenths, to one decimal (null for nobody). */
function averageScore(sumTenths: number, n: number): number | null {
  return n === 0 ? null : Math.round(sumTenths / n) / 10;
}

/** HR's figures from the stored scores: one pass over a row per person. */
async function storedStats(db: Kysely<DB>, run: ScoreRun): Promise<OrgStats> {
  const r = await db
    .selectFrom("person_scores")
    .select((eb) => [
      eb.fn.countAll<number>().as("people"),
      eb.fn.sum<number>("ranked").as("scored"),
      eb.fn.sum<number>(eb.case().when(eb.and([eb("ranked", "=", 1), eb("opted_out", "=", 1)])).then(eb.lit(1)).else(eb.lit(0)).end()).as("opted_out"),
      eb.fn.sum<number>(eb.case().when("ranked", "=", 1).then(eb.ref("score_tenths")).else(eb.lit(0)).end()).as("score_tenths"),
      eb.fn.sum<number>("completed").as("completed"),
      eb.fn.sum<number>("on_time").as("on_time"),
      eb.fn.sum<number>("first_try").as("first_try"),
      eb.fn.sum<number>("overdue").as("overdue"),
    ])
    .where("generation", "=", run.generation)
    .executeTakeFirstOrThrow();
  const n = (v: unknown) => Number(v ?? 0);
  return {
    people: n(r.people),
    scored: n(r.scored),
    optedOut: n(r.opted_out),
    averageScore: averageScore(n(r.score_tenths), n(r.scored)),
    completedCycles: n(r.completed),
    onTimeCycles: n(r.on_time),
    firstTryCycles: n(r.first_try),
    overdueCycles: n(r.overdue),
  };
}

/** HR's board: the whole organisation, one page of it, plus the figures that count everyone
 * (opted out or not). */
export async function orgBoard(
  db: Kysely<DB>,
  { catalog, ...o }: { catalog: Catalog } & BoardOptions,
  now: Date,
): Promise<BoardPage & { stats: OrgStats }> {
  const stored = await storedBoard(db, { catalog, now, liveBelow: o.liveBelow ?? BOARD_LIVE_BELOW });
  if (stored) {
    const stats = await storedStats(db, stored.run);
    return { ...(await storedPage(db, stored, o, stats.scored - stats.optedOut)), stats };
  }
  const people = await scoredPeople(db, {}, catalog, now);
  const scored = people.filter((p) => p.score.ranked);
  const sum = (f: (s: Score) => number) => people.reduce((n, p) => n + f(p.score), 0);
  const stats: OrgStats = {
    people: people.length,
    scored: scored.length,
    optedOut: scored.filter((p) => p.optedOut).length,
    averageScore: averageScore(sum((s) => (s.ranked ? tenths(s.score) : 0)), scored.length),
    completedCycles: sum((s) => s.completed),
    onTimeCycles: sum((s) => s.onTime),
    firstTryCycles: sum((s) => s.firstTry),
    overdueCycles: sum((s) => s.overdue),
  };
  return { ...livePage(board(people), o, now), stats };
}

export interface Standing {
  score: Score;
  badges: AutoBadge[];
  optedOut: boolean;
  /** Their place on their manager's team board; null when not on one (no manager, opted out, or
   * nothing completed yet). */
  rank: number | null;
  of: number;
  managerName: string | null;
  /** For a large board, when the others' scores were stored; null when counted live. */
  placeAsOf: string | null;
}

/** The viewer's own score, badges and place — and nothing about anyone else's score. */
export async function myStanding(
  db: Kysely<DB>,
  { viewer, catalog, liveBelow = BOARD_LIVE_BELOW }: { viewer: { id: string; manager_id: string | null }; catalog: Catalog; liveBelow?: number },
  now: Date,
): Promise<Standing | null> {
  const [me] = await scoredPeople(db, { person: viewer.id }, catalog, now);
  if (!me) return null;
  const result: Standing = {
    score: me.score,
    badges: autoBadges(me.score),
    optedOut: me.optedOut,
    rank: null,
    of: 0,
    managerName: me.managerName,
    placeAsOf: null,
  };
  if (viewer.manager_id && !me.optedOut && me.score.ranked) {
    const stored = await storedBoard(db, { catalog, now, liveBelow, managerId: viewer.manager_id });
    if (stored) {
      // Their own score is live; the others' are counted from the stored scores, without them.
      const others = await countOnBoard(db, stored, tenths(me.score.score), viewer.id);
      result.rank = others.above + 1;
      result.of = others.shown + 1;
      result.placeAsOf = stored.run.asOf;
    } else {
      const rows = board(await scoredPeople(db, { team: viewer.manager_id }, catalog, now));
      result.rank = rows.find((r) => r.id === viewer.id)?.rank ?? null;
      result.of = rows.length;
    }
  }
  return result;
}

/** Score and badges of one person below `managerId`; null for anyone outside that tree. */
export async function teamMemberScore(
  db: Kysely<DB>,
  { managerId, personId, catalog }: { managerId: string; personId: string; catalog: Catalog },
  now: Date,
) {
  const [p] = await scoredPeople(db, { team: managerId, person: personId }, catalog, now);
  return p ? { score: p.score, badges: autoBadges(p.score) } : null;
}
