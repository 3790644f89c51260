// The top-compliers score and the badges the data earns: pure rules, edge cases first.
import { expect, test } from "vitest";
import { autoBadges, MAX_STREAK_BONUS, POINTS, rankByScore, scorePerson, type CycleRecord } from "../../app/recognition/score";

const NOW = new Date("2027-03-01T09:00:00.000Z");
let seq = 0;

/** A cycle due on `due`, completed `early` days before it (negative: late). */
function done(due: string, early: number, opts: Partial<CycleRecord> = {}): CycleRecord {
  const dueAt = `${due}T09:00:00.000Z`;
  return {
    id: `asg_${String(++seq).padStart(4, "0")}`,
    dueAt,
    completedAt: new Date(Date.parse(dueAt) - early * 86_400_000).toISOString(),
    exemptedAt: null,
    cancelledAt: null,
    firstAttemptPassed: true,
    yearly: true,
    ...opts,
  };
}

function open(due: string, opts: Partial<CycleRecord> = {}): CycleRecord {
  return { ...done(due, 0, opts), completedAt: null, ...opts };
}

const perfect = POINTS.onTime + POINTS.maxEarly + POINTS.firstTry;

test("an on-time cycle scores on time + a point a day early (capped) + first-time pass", () => {
  const s = scorePerson({ onLeave: false, cycles: [done("2027-02-01", 3)] }, NOW);
  expect(s.cycles[0].points).toBe(POINTS.onTime + 3 + POINTS.firstTry);
  const capped = scorePerson({ onLeave: false, cycles: [done("2027-02-01", 40)] }, NOW);
  expect(capped.cycles[0].points).toBe(perfect);
  // Completed on the due date exactly: on time, no early points.
  const onTheDay = scorePerson({ onLeave: false, cycles: [done("2027-02-01", 0)] }, NOW);
  expect(onTheDay.cycles[0]).toMatchObject({ outcome: "on_time", daysEarly: 0, points: POINTS.onTime + POINTS.firstTry });
  // Less than a whole day early does not count as a day.
  const hours = scorePerson({ onLeave: false, cycles: [done("2027-02-01", 0.5)] }, NOW);
  expect(hours.cycles[0].daysEarly).toBe(0);
});

test("a late cycle scores nothing for time, and a retried quiz nothing for the quiz", () => {
  const s = scorePerson({ onLeave: false, cycles: [done("2027-02-01", -2, { firstAttemptPassed: false })] }, NOW);
  expect(s.cycles[0]).toMatchObject({ outcome: "late", points: 0, quiz: "retried" });
  expect(s.score).toBe(0);
  // Late but right first time: the quiz part still counts.
  const firstTime = scorePerson({ onLeave: false, cycles: [done("2027-02-01", -2)] }, NOW);
  expect(firstTime.cycles[0].points).toBe(POINTS.firstTry);
});

test("a cycle with no quiz (a policy re-signature) counts the quiz part as passed, but earns no First-time pass badge", () => {
  const s = scorePerson({ onLeave: false, cycles: [done("2027-02-01", 10, { firstAttemptPassed: null })] }, NOW);
  expect(s.cycles[0]).toMatchObject({ quiz: "none", points: perfect });
  expect(s.firstTry).toBe(0);
  expect(autoBadges(s).map((b) => b.key)).not.toContain("first-time-pass");
});

test("the streak counts on-time cycles back from the most recent; late then on time is a streak of one", () => {
  const cycles = [done("2025-02-01", 5), done("2026-02-01", -3), done("2027-02-01", 5)];
  const s = scorePerson({ onLeave: false, cycles }, NOW);
  expect(s.streak).toBe(1);
  expect(s.streakBonus).toBe(1);
  // On time, then late: the streak is broken now.
  const broken = scorePerson({ onLeave: false, cycles: [done("2026-02-01", 5), done("2027-02-01", -1)] }, NOW);
  expect(broken.streak).toBe(0);
  // The order of the input does not matter: completion time decides.
  const shuffled = scorePerson({ onLeave: false, cycles: [cycles[2], cycles[0], cycles[1]] }, NOW);
  expect(shuffled.streak).toBe(1);
});

test("the streak bonus is capped", () => {
  const cycles = Array.from({ length: 8 }, (_, i) => done(`20${19 + i}-02-01`, 10));
  const s = scorePerson({ onLeave: false, cycles }, NOW);
  expect(s.streak).toBe(8);
  expect(s.streakBonus).toBe(MAX_STREAK_BONUS);
  expect(s.score).toBe(perfect + MAX_STREAK_BONUS);
});

test("exempt and cancelled cycles neither count nor break a streak", () => {
  const cycles = [
    done("2025-02-01", 10),
    done("2026-02-01", -30, { exemptedAt: "2026-01-15T00:00:00.000Z" }),
    open("2026-06-01", { cancelledAt: "2026-05-01T00:00:00.000Z" }),
    open("2027-01-01", { exemptedAt: "2026-12-01T00:00:00.000Z" }),
    done("2027-02-01", 10),
  ];
  const s = scorePerson({ onLeave: false, cycles }, NOW);
  expect(s.counted).toBe(2);
  expect(s.streak).toBe(2);
  expect(s.average).toBe(perfect);
});

test("an open cycle past its due date counts as late and breaks the streak; one not yet due is ignored", () => {
  const s = scorePerson({ onLeave: false, cycles: [done("2026-02-01", 10), open("2027-02-20")] }, NOW);
  expect(s.counted).toBe(2);
  expect(s.overdue).toBe(1);
  expect(s.streak).toBe(0);
  expect(s.average).toBe(perfect / 2);
  const notDue = scorePerson({ onLeave: false, cycles: [done("2026-02-01", 10), open("2027-03-20")] }, NOW);
  expect(notDue.counted).toBe(1);
  expect(notDue.streak).toBe(1);
});

test("leave pauses the clock: an open cycle past due while someone is on leave neither counts nor breaks the streak", () => {
  const cycles = [done("2026-02-01", 10), done("2026-08-01", 10), open("2027-02-01")];
  const away = scorePerson({ onLeave: true, cycles }, NOW);
  expect(away.counted).toBe(2);
  expect(away.streak).toBe(2);
  expect(away.score).toBe(perfect + 2);
  // Back from leave and still not done: now it counts.
  expect(scorePerson({ onLeave: false, cycles }, NOW).streak).toBe(0);
});

test("a new joiner with one perfect cycle is ranked, by average, above a veteran with a mixed record", () => {
  const joiner = scorePerson({ onLeave: false, cycles: [done("2027-02-20", 10)] }, NOW);
  const veteran = scorePerson(
    {
      onLeave: false,
      cycles: [done("2024-02-01", 10), done("2025-02-01", -5, { firstAttemptPassed: false }), done("2026-02-01", 10), done("2027-02-01", 1)],
    },
    NOW,
  );
  expect(joiner.ranked).toBe(true);
  expect(joiner.score).toBe(perfect + 1);
  expect(veteran.score).toBeLessThan(joiner.score);
  // Someone with nothing completed is not ranked at all (not ranked last).
  const nothing = scorePerson({ onLeave: false, cycles: [open("2027-03-20")] }, NOW);
  expect(nothing.ranked).toBe(false);
  const onlyOverdue = scorePerson({ onLeave: false, cycles: [open("2027-02-01")] }, NOW);
  expect(onlyOverdue.ranked).toBe(false);
});

test("equal scores share a rank, the next rank skips, and ties are listed by name", () => {
  const ranked = rankByScore([
    { name: "Zoe Young", score: 20 },
    { name: "adam Abbot", score: 20 },
    { name: "Mia Moss", score: 25 },
    { name: "Ben Bell", score: 10 },
    { name: "Cleo Cole", score: 20 },
  ]);
  expect(ranked.map((r) => [r.rank, r.entry.name])).toEqual([
    [1, "Mia Moss"],
    [2, "adam Abbot"],
    [2, "Cleo Cole"],
    [2, "Zoe Young"],
    [5, "Ben Bell"],
  ]);
  expect(rankByScore([])).toEqual([]);
});

test("scores compare exactly: averages that differ only by floating-point noise tie", () => {
  // 3 cycles of 20, 20 and 19 points average 19.666…; computed two ways, they must be equal.
  const a = scorePerson({ onLeave: false, cycles: [done("2025-02-01", 10), done("2026-02-01", 10), done("2027-02-01", 4)] }, NOW);
  const b = scorePerson({ onLeave: false, cycles: [done("2025-02-01", 4), done("2026-02-01", 10), done("2027-02-01", 10)] }, NOW);
  expect(a.average).toBe(19.7);
  expect(a.score).toBe(b.score);
  expect(
    rankByScore([
      { name: "A", score: a.score },
      { name: "B", score: b.score },
    ]).map((r) => r.rank),
  ).toEqual([1, 1]);
});

test("badges: first-time pass, early bird, on-time streak and three years on time", () => {
  const s = scorePerson({ onLeave: false, cycles: [done("2025-02-01", 2), done("2026-02-01", 1), done("2027-02-01", 8)] }, NOW);
  expect(autoBadges(s).map((b) => b.label)).toEqual(["Three years on time", "On-time streak: 3", "Early bird", "First-time pass"]);

  // Three on-time cycles in one year are a streak, not three years.
  const oneYear = scorePerson({ onLeave: false, cycles: [done("2027-01-05", 1), done("2027-01-20", 1), done("2027-02-10", 1)] }, NOW);
  expect(autoBadges(oneYear).map((b) => b.key)).toEqual(["on-time-streak", "first-time-pass"]);

  // A course that does not recur yearly does not count towards the years.
  const notYearly = scorePerson(
    { onLeave: false, cycles: [done("2025-02-01", 1), done("2026-02-01", 1, { yearly: false }), done("2027-02-01", 1)] },
    NOW,
  );
  expect(autoBadges(notYearly).map((b) => b.key)).not.toContain("three-years-on-time");

  // A late cycle in between: the years before it no longer count.
  const lateBetween = scorePerson(
    { onLeave: false, cycles: [done("2023-02-01", 1), done("2024-02-01", 1), done("2025-02-01", -1), done("2026-02-01", 1), done("2027-02-01", 1)] },
    NOW,
  );
  expect(autoBadges(lateBetween).map((b) => b.key)).not.toContain("three-years-on-time");

  // Early bird needs a full week; retried quizzes earn no First-time pass; one cycle is no streak.
  const none = scorePerson({ onLeave: false, cycles: [done("2027-02-01", 6, { firstAttemptPassed: false })] }, NOW);
  expect(autoBadges(none)).toEqual([]);
});
