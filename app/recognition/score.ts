// The compliance score behind the top-compliers boards, and the badges the data earns. Pure (no
// I/O, "now" is a parameter) so the team board, HR's board, a person's own standing and the
// tests all count the same way, and so the page can explain the formula from these constants.

/** Points for one counted cycle. */
export const POINTS = {
  /** Completed on or before the due date. */
  onTime: 10,
  /** Per full day completed before the due date (on-time cycles only)… */
  perDayEarly: 1,
  /** …up to this many points. */
  maxEarly: 5,
  /** The first quiz attempt of the cycle passed (a cycle without a quiz counts as passed). */
  firstTry: 5,
} as const;

/** Added to the per-cycle average: one point per consecutive on-time cycle, up to this many. */
export const MAX_STREAK_BONUS = 5;
/** The most a cycle can score, and so the most the average can be. */
export const MAX_CYCLE_POINTS = POINTS.onTime + POINTS.maxEarly + POINTS.firstTry;
/** A person needs this many completed cycles to be ranked. */
export const MIN_COMPLETED_CYCLES = 1;
/** "Early bird": a cycle completed at least this many days before it was due. */
export const EARLY_BIRD_DAYS = 7;
/** "Three years on time": this many on-time yearly cycles in the current streak, in as many different years. */
export const YEARS_ON_TIME = 3;

const DAY_MS = 86_400_000;

/** One assignment (one person, one course, one cycle) as the score sees it. */
export interface CycleRecord {
  id: string;
  dueAt: string;
  completedAt: string | null;
  exemptedAt: string | null;
  cancelledAt: string | null;
  /** The cycle's first quiz attempt passed: true/false; null when the cycle had no quiz attempt
   * (a policy re-signature asks for none). */
  firstAttemptPassed: boolean | null;
  /** The course recurs every year (or more often), so its cycles count toward "years on time". */
  yearly: boolean;
}

export interface PersonRecord {
  onLeave: boolean;
  cycles: CycleRecord[];
}

export interface CycleScore {
  id: string;
  outcome: "on_time" | "late" | "overdue";
  daysEarly: number;
  points: number;
  /** When it was decided: completion, or the due date for one still open. */
  resolvedAt: string;
  /** What the quiz part scored on: passed at the first attempt, needed more, or had no quiz. */
  quiz: "first_try" | "retried" | "none";
  yearly: boolean;
}

export interface Score {
  /** Cycles that count: completed ones, and open ones already past due (as late). */
  counted: number;
  completed: number;
  onTime: number;
  late: number;
  overdue: number;
  /** Completed cycles whose quiz was passed at the first attempt. */
  firstTry: number;
  totalPoints: number;
  /** Points per counted cycle, rounded to one decimal. */
  average: number;
  /** Consecutive on-time cycles, most recent first. */
  streak: number;
  streakBonus: number;
  /** average + streak bonus, one decimal. Ranking compares this. */
  score: number;
  /** Has enough completed cycles to be ranked. */
  ranked: boolean;
  cycles: CycleScore[];
}

/** Exempt and cancelled cycles neither count nor break a streak; neither does an open cycle not
 * yet due. An open cycle past due counts as a late one (it can no longer be on time) — unless
 * the person is on leave, because leave pauses their clocks (due dates move on when they return). */
export function scorePerson(person: PersonRecord, now: Date): Score {
  const cycles: CycleScore[] = [];
  for (const c of person.cycles) {
    if (c.exemptedAt || c.cancelledAt) continue;
    const due = Date.parse(c.dueAt);
    if (c.completedAt) {
      const done = Date.parse(c.completedAt);
      const onTime = done <= due;
      const daysEarly = onTime ? Math.floor((due - done) / DAY_MS) : 0;
      const quiz = c.firstAttemptPassed === null ? "none" : c.firstAttemptPassed ? "first_try" : "retried";
      const points =
        (onTime ? POINTS.onTime + Math.min(POINTS.maxEarly, daysEarly * POINTS.perDayEarly) : 0) + (quiz !== "retried" ? POINTS.firstTry : 0);
      cycles.push({
        id: c.id,
        outcome: onTime ? "on_time" : "late",
        daysEarly,
        points,
        resolvedAt: c.completedAt,
        quiz,
        yearly: c.yearly,
      });
    } else if (now.getTime() > due && !person.onLeave) {
      cycles.push({
        id: c.id,
        outcome: "overdue",
        daysEarly: 0,
        points: 0,
        resolvedAt: c.dueAt,
        quiz: "none",
        yearly: c.yearly,
      });
    }
  }
  // Most recent first; the id breaks ties so the order never depends on the database's.
  cycles.sort((a, b) => Date.parse(b.resolvedAt) - Date.parse(a.resolvedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  let streak = 0;
  for (const c of cycles) {
    if (c.outcome !== "on_time") break;
    streak++;
  }
  const counted = cycles.length;
  const completed = cycles.filter((c) => c.outcome !== "overdue").length;
  const totalPoints = cycles.reduce((sum, c) => sum + c.points, 0);
  // Tenths as integers, so equal records compare equal (no floating-point near-ties).
  const averageTenths = counted === 0 ? 0 : Math.round((totalPoints * 10) / counted);
  const streakBonus = Math.min(streak, MAX_STREAK_BONUS);
  return {
    counted,
    completed,
    onTime: cycles.filter((c) => c.outcome === "on_time").length,
    late: cycles.filter((c) => c.outcome === "late").length,
    overdue: cycles.filter((c) => c.outcome === "overdue").length,
    firstTry: cycles.filter((c) => c.quiz === "first_try").length,
    totalPoints,
    average: averageTenths / 10,
    streak,
    streakBonus,
    score: (averageTenths + streakBonus * 10) / 10,
    ranked: completed >= MIN_COMPLETED_CYCLES,
    cycles,
  };
}

export interface Ranked<T> {
  rank: number;
  entry: T;
}

/** Names in English order, ignoring case and accents: what `a.localeCompare(b, "en", { sensitivity:
 * "base" })` gives, with the collator made once (sorting a whole organisation calls it a million
 * times). */
const byName = new Intl.Collator("en", { sensitivity: "base" }).compare;

/** Highest score first. Equal scores share a rank and the next rank skips (1, 2, 2, 4); within a
 * tie, people are listed by name so nobody is placed above an equal by accident of data. */
export function rankByScore<T extends { name: string; score: number }>(entries: T[]): Array<Ranked<T>> {
  const sorted = [...entries].sort((a, b) => b.score - a.score || byName(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: Array<Ranked<T>> = [];
  sorted.forEach((entry, i) => {
    const rank = i > 0 && sorted[i - 1].score === entry.score ? out[i - 1].rank : i + 1;
    out.push({ rank, entry });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Badges the data earns: computed every time, never stored, so they follow the records.

export type AutoBadgeKey = "first-time-pass" | "early-bird" | "on-time-streak" | "three-years-on-time";

export interface AutoBadge {
  key: AutoBadgeKey;
  label: string;
  /** Why the person has it, in words. */
  reason: string;
}

export function autoBadges(s: Score): AutoBadge[] {
  const badges: AutoBadge[] = [];
  const completed = s.cycles.filter((c) => c.outcome !== "overdue");
  const yearlyInStreak = s.cycles.slice(0, s.streak).filter((c) => c.yearly);
  const years = new Set(yearlyInStreak.map((c) => new Date(c.resolvedAt).getUTCFullYear()));
  if (yearlyInStreak.length >= YEARS_ON_TIME && years.size >= YEARS_ON_TIME) {
    badges.push({
      key: "three-years-on-time",
      label: "Three years on time",
      reason: `Yearly training on time in ${years.size} different years, with nothing late since.`,
    });
  }
  if (s.streak >= 2) {
    badges.push({
      key: "on-time-streak",
      label: `On-time streak: ${s.streak}`,
      reason: `The last ${s.streak} courses were all completed on time.`,
    });
  }
  const early = completed.filter((c) => c.outcome === "on_time" && c.daysEarly >= EARLY_BIRD_DAYS).length;
  if (early > 0) {
    badges.push({
      key: "early-bird",
      label: "Early bird",
      reason: `Completed ${early === 1 ? "a course" : `${early} courses`} at least ${EARLY_BIRD_DAYS} days before the due date.`,
    });
  }
  // Only a real quiz passed at the first attempt earns the badge (a cycle without a quiz scores
  // as passed, but proves nothing).
  if (s.firstTry > 0) {
    badges.push({
      key: "first-time-pass",
      label: "First-time pass",
      reason: `Passed ${s.firstTry === 1 ? "a quiz" : `${s.firstTry} quizzes`} at the first attempt.`,
    });
  }
  return badges;
}
