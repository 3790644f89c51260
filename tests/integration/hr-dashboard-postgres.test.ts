// HR's dashboards on PostgreSQL give the same answers as on SQLite: the demo organisation (plus a
// team large enough for rows of its own) in both, the rollup refreshed in both, then the overview,
// the overdue list, a person's record and the manual actions compared by what HR sees.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { fixedClock } from "../../app/clock";
import { makePerson } from "../../app/demo/factories.server";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { getOverview } from "../../app/reports/overview.server";
import { listOverdue } from "../../app/reports/overdue.server";
import { SCOPE_MIN_TEAM } from "../../app/people/tree.server";
import { currentRun, refreshRollup } from "../../app/reports/rollup.server";
import { getPersonRecord } from "../../app/reports/person-record.server";
import { assignFormSchema, exemptAssignment, grantExtension, remindOverdue } from "../../app/hr/actions.server";
import { assignCourse } from "../../app/hr/assign.server";
import type { AssignmentFilters } from "../../app/reports/filters.server";
import { seedDemo } from "../../scripts/seed";
import { freshDb, type TestDb } from "../support/db";
import { realCatalog, SECRET } from "../support/world";
import { startPostgres } from "../support/postgres";

const NOW = "2027-03-01T09:00:00.000Z";
const clock = fixedClock(NOW);
const now = new Date(NOW);
const catalog = realCatalog();
let pg: Awaited<ReturnType<typeof startPostgres>>;
let pgDb: Db;
let lite: TestDb;

const idOf = (db: Db, email: string) => db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow().then((r) => r.id);

beforeAll(async () => {
  pg = await startPostgres();
  pgDb = createDb(pg.url);
  expect(await migrateToLatest(pgDb)).toContain("0004_reporting");
  lite = await freshDb();
  for (const db of [pgDb, lite.db]) {
    await seedDemo(db, { catalog, secret: SECRET, clock });
    // A team under Priya large enough for the rollup to give Marcus and Priya rows of their own.
    const priya = await idOf(db, "priya.shah@example.com");
    for (let i = 0; i < SCOPE_MIN_TEAM; i++) {
      await makePerson(db, { email: `eng${i}@example.com`, name: `Engineer ${String(i).padStart(3, "0")}`, department: i % 4 ? "Engineering" : "Platform", type: i % 7 ? "employee" : "contractor", startDate: "2026-06-01", managerId: priya }, clock);
    }
    const hr = { id: await idOf(db, "hr@example.com"), is_hr: 1 };
    // A course without an agreement: the refresher would (rightly) be refused to people who never did onboarding.
    const form = assignFormSchema.parse({ course: "leading-a-culture-of-confidentiality", cycle: "platform-2027", due: "2027-02-20", reason: "Platform access review", group: "team", manager: priya });
    // Due before "now": issued a month ago, so these are overdue.
    const res = await assignCourse(db, { viewer: hr, catalog, origin: "http://confidant.test", form }, fixedClock("2027-01-20T09:00:00.000Z"));
    expect(res?.ok).toBe(true);
    const refreshed = await refreshRollup(db, now);
    expect(refreshed.skipped).toBe(false);
  }
}, 240_000);

afterAll(async () => {
  await pgDb?.destroy();
  pg?.stop();
  await lite?.close();
});

test("the refresh builds the same rollup, with the same large-team scopes", async () => {
  const scopes = async (db: Db) => {
    const run = (await currentRun(db))!;
    const rows = await db.selectFrom("report_managers as r").innerJoin("users as u", "u.id", "r.manager_id").select(["u.email", "r.team_size", "r.scoped"]).where("r.generation", "=", run.generation).orderBy("u.email").execute();
    return rows.map((r) => [r.email, Number(r.team_size), Number(r.scoped)]);
  };
  const onPg = await scopes(pgDb);
  expect(onPg).toEqual(await scopes(lite.db));
  expect(onPg.filter((r) => r[2] === 1).map((r) => r[0])).toEqual(["manager@example.com", "priya.shah@example.com"]);
});

test("the overview is the same on both, from the rollup and counted live", async () => {
  const managers = { marcus: await idOf(pgDb, "manager@example.com"), sofia: await idOf(pgDb, "sofia.alvarez@example.com") };
  const liteManagers = { marcus: await idOf(lite.db, "manager@example.com"), sofia: await idOf(lite.db, "sofia.alvarez@example.com") };
  const cases: Array<[AssignmentFilters, AssignmentFilters, "rollup" | "live"]> = [
    [{}, {}, "rollup"],
    [{ department: "Platform" }, { department: "Platform" }, "rollup"],
    [{ status: "overdue", type: "contractor" }, { status: "overdue", type: "contractor" }, "rollup"],
    [{ manager: managers.marcus }, { manager: liteManagers.marcus }, "rollup"],
    [{ manager: managers.marcus, cycle: "platform-2027", status: "overdue" }, { manager: liteManagers.marcus, cycle: "platform-2027", status: "overdue" }, "rollup"],
    [{ manager: managers.sofia }, { manager: liteManagers.sofia }, "live"],
  ];
  for (const [pgFilters, liteFilters, source] of cases) {
    const a = await getOverview(pgDb, { filters: pgFilters, now, refresh: "never" });
    const b = await getOverview(lite.db, { filters: liteFilters, now, refresh: "never" });
    expect(a.source, JSON.stringify(pgFilters)).toBe(source);
    expect(a, JSON.stringify(pgFilters)).toEqual(b);
  }
  const all = await getOverview(pgDb, { filters: {}, now, refresh: "never" });
  expect(all.totals.overdue).toBeGreaterThanOrEqual(SCOPE_MIN_TEAM);
});

test("the overdue list pages the same way on both", async () => {
  const pages = async (db: Db, filters: AssignmentFilters) => {
    const out: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 50; i++) {
      const page: Awaited<ReturnType<typeof listOverdue>> = await listOverdue(db, { filters, now, after, limit: 50 });
      out.push(...page.rows.map((r) => `${r.personEmail} ${r.courseId} ${r.cycle} ${r.daysLate} ${r.remindersSent} ${r.managerName}`));
      if (!page.next) break;
      after = page.next;
    }
    return out;
  };
  const onPg = await pages(pgDb, {});
  expect(onPg.length).toBeGreaterThan(SCOPE_MIN_TEAM);
  // Ties on the due date are broken by random ids, so compare as sets, and the order by lateness.
  const onLite = await pages(lite.db, {});
  expect([...onPg].sort()).toEqual([...onLite].sort());
  const lateness = onPg.map((r) => Number(r.split(" ")[3]));
  expect(lateness).toEqual([...lateness].sort((x, y) => y - x));
  expect((await pages(pgDb, { department: "Sales" })).sort()).toEqual((await pages(lite.db, { department: "Sales" })).sort());
  expect((await pages(pgDb, { manager: await idOf(pgDb, "priya.shah@example.com") })).length).toBe(
    (await pages(lite.db, { manager: await idOf(lite.db, "priya.shah@example.com") })).length,
  );
});

test("the manual actions, reminders and a person's record work the same on PostgreSQL", async () => {
  const hr = { id: await idOf(pgDb, "hr@example.com"), is_hr: 1 };
  const tom = await idOf(pgDb, "tom.becker@example.com");
  const open = await pgDb.selectFrom("assignments").select(["id", "due_at"]).where("user_id", "=", tom).where("completed_at", "is", null).where("cycle", "=", "onboarding").executeTakeFirstOrThrow();
  const refused = await grantExtension(pgDb, { viewer: hr, personId: tom, form: { assignment: open.id, due: "2026-01-01", reason: "Earlier is not later" } }, clock);
  expect(refused).toMatchObject({ ok: false, status: 400 });
  const first = await remindOverdue(pgDb, { viewer: hr, assignmentIds: [open.id], catalog, origin: "http://confidant.test" }, clock);
  const second = await remindOverdue(pgDb, { viewer: hr, assignmentIds: [open.id], catalog, origin: "http://confidant.test" }, clock);
  expect(first).toEqual({ queued: 1, alreadyToday: 0, notOverdue: 0, notActive: 0 });
  expect(second).toEqual({ queued: 0, alreadyToday: 1, notOverdue: 0, notActive: 0 });
  const extended = await grantExtension(pgDb, { viewer: hr, personId: tom, form: { assignment: open.id, due: "2027-04-30", reason: "Agreed with his manager" } }, clock);
  expect(extended).toMatchObject({ ok: true, to: "2027-04-30T23:59:59.000Z" });
  const exempted = await exemptAssignment(pgDb, { viewer: hr, personId: tom, form: { assignment: open.id, reason: "Moved to a role without access" } }, clock);
  expect(exempted?.ok).toBe(true);
  const record = (await getPersonRecord(pgDb, { id: tom, viewer: hr, now }))!;
  expect(record.assignments.find((a) => a.id === open.id)).toMatchObject({ status: "exempt", dueAt: "2027-04-30T23:59:59.000Z" });
  expect(record.assignmentEvents.map((e) => e.action)).toEqual(expect.arrayContaining(["assignment.exempted", "assignment.extended", "hr.reminder_sent"]));
  expect(record.notifications.some((n) => n.why.startsWith("Reminded by HR"))).toBe(true);
  expect((await verifyAuditChain(pgDb)).ok).toBe(true);
});
