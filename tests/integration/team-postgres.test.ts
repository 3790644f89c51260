// The manager and recognition features on PostgreSQL give the same answers as on SQLite: the demo
// organisation seeded into both, then every read and write compared by what people see.
import { expect, test } from "vitest";
import type { Db } from "../../db/connection";
import { fixedClock } from "../../app/clock";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { getTeamMember, teamAssignments, teamFilterOptions, teamOverview } from "../../app/team/team.server";
import { nudge } from "../../app/team/nudge.server";
import { myStanding, orgBoard, teamBoard } from "../../app/recognition/board.server";
import { refreshScores } from "../../app/recognition/scores-refresh.server";
import { kudosReceived, recognitionReport, sendKudos } from "../../app/recognition/kudos.server";
import { setShownOnBoards } from "../../app/recognition/opt-out.server";
import { getCertificate } from "../../app/recognition/certificate.server";
import { seedDemo } from "../../scripts/seed";
import { realCatalog, SECRET } from "../support/world";
import { bothDatabases } from "../support/both-databases";

const clock = fixedClock("2027-03-01T09:00:00.000Z");
const catalog = realCatalog();
const both = bothDatabases({ seed: (db) => seedDemo(db, { catalog, secret: SECRET, clock }) });
const pgDb = () => both.db("PostgreSQL");
const liteDb = () => both.db("SQLite");

const person = (db: Db, name: string) => db.selectFrom("users").selectAll().where("name", "=", name).executeTakeFirstOrThrow();

/** Everything the manager pages show, with ids replaced by names so the two databases compare. */
async function whatMarcusSees(db: Db) {
  const marcus = await person(db, "Marcus Lee");
  const priya = await person(db, "Priya Shah");
  const now = clock();
  const scope = { managerId: marcus.id, catalog };
  const overview = await teamOverview(db, scope, now);
  const all = await teamAssignments(db, { ...scope, filters: {} }, now);
  const overdue = await teamAssignments(db, { ...scope, filters: { status: "overdue", manager: priya.id } }, now);
  const options = await teamFilterOptions(db, scope);
  const member = await getTeamMember(db, { ...scope, personId: priya.id }, now);
  const board = await teamBoard(db, scope, now);
  return {
    summary: { ...overview.summary, leads: overview.summary.leads.map((l) => [l.name, l.size]) },
    overdue: overview.overdue.rows.map((a) => [a.personName, a.courseTitle, a.daysOverdue, a.remindedToday]),
    people: overview.people.rows.map((p) => [p.name, p.state, p.direct]),
    all: all.rows.map((a) => [a.personName, a.courseTitle, a.status, a.onTime, a.direct]),
    overdueUnderPriya: overdue.rows.map((a) => a.personName),
    options: { ...options, leads: options.leads.map((l) => l.name) },
    member: member?.assignments.map((a) => [a.courseTitle, a.status, a.attempts, a.bestScore, a.passed, a.firstAttemptPassed]),
    board: board.rows.map((r) => [r.rank, r.name, r.score, r.badges.map((b) => b.key)]),
  };
}

test("the team pages read the same on PostgreSQL as on SQLite", async () => {
  const [onPg, onLite] = [await whatMarcusSees(pgDb()), await whatMarcusSees(liteDb())];
  expect(onPg).toEqual(onLite);
  expect(onPg.summary).toMatchObject({ people: 9, direct: 6, leads: [["Priya Shah", 3]], byState: { overdue: 2 } });
  expect(onPg.board[0]).toEqual([1, "Priya Shah", 22, ["on-time-streak", "early-bird", "first-time-pass"]]);
});

test("nudges, kudos, opt-out and the reports behave the same on PostgreSQL", async () => {
  const results = [];
  for (const db of [pgDb(), liteDb()]) {
    const marcus = await person(db, "Marcus Lee");
    const tom = await person(db, "Tom Becker");
    const priya = await person(db, "Priya Shah");
    const tomAssignment = await db.selectFrom("assignments").select("id").where("user_id", "=", tom.id).executeTakeFirstOrThrow();
    const first = await nudge(db, { manager: marcus, assignmentIds: [tomAssignment.id], note: "Please", catalog, origin: "http://x" }, clock);
    const second = await nudge(db, { manager: marcus, assignmentIds: [tomAssignment.id], catalog, origin: "http://x" }, clock);
    const sent = await sendKudos(
      db,
      { sender: marcus, form: { to: priya.id, message: "Thank you", badge: "early-bird" }, origin: "http://x" },
      clock,
    );
    const outside = await sendKudos(
      db,
      { sender: marcus, form: { to: (await person(db, "Grace Okafor")).id, message: "Hi" }, origin: "http://x" },
      clock,
    );
    await setShownOnBoards(db, { userId: priya.id, show: false }, clock);
    const org = await orgBoard(db, { catalog }, clock());
    const standing = await myStanding(db, { viewer: priya, catalog }, clock());
    const report = await recognitionReport(db, clock());
    const completed = await db
      .selectFrom("assignments")
      .select("id")
      .where("user_id", "=", priya.id)
      .where("completed_at", "is not", null)
      .orderBy("completed_at")
      .executeTakeFirstOrThrow();
    const certificate = await getCertificate(db, { viewer: priya, assignmentId: completed.id, catalog, origin: "http://x" });
    results.push({
      nudges: [first?.map((o) => o.result), second?.map((o) => o.result)],
      kudos: [sent?.toName, outside, (await kudosReceived(db, { userId: priya.id })).map((k) => [k.fromName, k.message, k.badgeLabel])],
      org: { names: org.rows.map((r) => r.name), stats: org.stats },
      standing: standing && { score: standing.score.score, optedOut: standing.optedOut, rank: standing.rank },
      report: {
        totals: report.totals,
        quiet: report.managers.filter((m) => m.sentInWindow === 0).map((m) => m.name),
        pairs: report.pairs.map((p) => [p.fromName, p.toName, p.count]),
      },
      certificate: certificate && { ...certificate, assignmentId: undefined, receiptCode: undefined, verifyUrl: undefined },
      chain: (await verifyAuditChain(db)).ok,
    });
  }
  expect(results[0]).toEqual(results[1]);
  expect(results[0]).toMatchObject({
    nudges: [["sent"], ["already_today"]],
    kudos: ["Priya Shah", null, [["Marcus Lee", "Thank you", "Early bird"]]],
    standing: { score: 22, optedOut: true, rank: null },
    chain: true,
  });
  expect(results[0].org.names).not.toContain("Priya Shah");
  expect(results[0].certificate).toMatchObject({ personName: "Priya Shah", onTime: true, score: 100 });
});

test("the stored scores give the same boards as live scoring, on PostgreSQL as on SQLite", async () => {
  const results = [];
  for (const db of [pgDb(), liteDb()]) {
    const now = clock();
    const refreshed = await refreshScores(db, { catalog, now });
    expect(refreshed.skipped).toBe(false);
    const marcus = await person(db, "Marcus Lee");
    // Someone on Marcus's board (Priya opted out above).
    const first = (await teamBoard(db, { managerId: marcus.id, catalog }, now)).rows[0];
    const someone = await person(db, first.name);
    const view = (b: { rows: Array<{ rank: number; name: string; score: number; badges: Array<{ key: string }> }> }) =>
      b.rows.map((r) => [r.rank, r.name, r.score, r.badges.map((x) => x.key)]);
    const boards = [];
    for (const o of [{ liveBelow: 0 }, { liveBelow: Infinity }]) {
      const org = await orgBoard(db, { catalog, page: 2, pageSize: 4, ...o }, now);
      const team = await teamBoard(db, { managerId: marcus.id, catalog, ...o }, now);
      const standing = await myStanding(db, { viewer: someone, catalog, ...o }, now);
      boards.push({
        stored: [org.stored, team.stored],
        org: [view(org), org.stats, org.total, org.pageCount],
        team: [view(team), team.total],
        standing: standing && [standing.score.score, standing.rank, standing.of],
      });
    }
    expect(boards[0].stored).toEqual([true, true]);
    expect(boards[1].stored).toEqual([false, false]);
    expect({ ...boards[0], stored: null }).toEqual({ ...boards[1], stored: null });
    results.push(boards[0]);
  }
  expect(results[0]).toEqual(results[1]);
  expect(results[0].standing).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
  expect(results[0].org[0]).toHaveLength(4);
});
