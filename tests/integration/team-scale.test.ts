// The team page at scale: its lists come 50 at a time, and a large team is read from the reporting
// rollup and the stored tree instead of walking everyone. On a team of 264 (written straight to the
// tables, so it is cheap; large enough for the rollup to keep a scope for the manager) the stored
// path gives the same figures, people and overdue assignments as the live one; over HTTP the pages
// are paginated, refuse bad page numbers and never reach into someone else's tree.
import { afterAll, beforeAll, expect, test } from "vitest";
import { sql, type Insertable } from "kysely";
import { teamAssignments, teamOverview, type TeamAssignment, type TeamPage, type TeamPerson } from "../../app/team/team.server";
import { refreshRollup } from "../../app/reports/rollup.server";
import { refreshScores } from "../../app/recognition/scores-refresh.server";
import type { DB } from "../../db/schema";
import { makeWorld, passwordHash, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { words } from "../support/html";

const LIVE = { largeFrom: Infinity };
const STORED = { largeFrom: 1 };
let w: World;
let now: Date;
let server: TestServer;
const cookies: Record<string, string> = {};
const outsiders: string[] = [];

/** Below the world's manager: 2 leads × 130 staff (one of whom has left), besides Alice and Bob;
 * below HR, an outside team of 60. Each person has a completed cycle, most an overdue one, some an
 * open one started or not. */
async function generateOrg() {
  const hash = await passwordHash();
  const users: Insertable<DB["users"]>[] = [];
  const add = (id: string, name: string, managerId: string, status: "active" | "leave" | "inactive" = "active") =>
    users.push({
      id,
      email: `${id}@scale.test`,
      name,
      employee_id: null,
      department: id.endsWith("7") ? "Sales" : "Engineering",
      title: null,
      manager_id: managerId,
      type: "employee",
      status,
      is_hr: 0,
      start_date: "2024-01-01",
      end_date: null,
      password_hash: hash,
      password_changed_at: null,
      leave_started_at: null,
      board_opt_out: 0,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    });
  for (let l = 0; l < 2; l++) {
    const lead = `usr_lead${l}`;
    add(lead, `Lead ${l}`, w.manager.id);
    for (let s = 0; s < 130; s++) add(`usr_l${l}s${String(s).padStart(3, "0")}`, `Staff ${l}-${String(s).padStart(3, "0")}`, lead, s === 5 ? "inactive" : s % 40 === 3 ? "leave" : "active");
  }
  add("usr_outlead", "Olga Outside", w.hr.id);
  for (let s = 0; s < 60; s++) {
    add(`usr_out${s}`, `Outsider ${s}`, "usr_outlead");
    outsiders.push(`usr_out${s}`);
  }
  for (let i = 0; i < users.length; i += 100) await w.db.insertInto("users").values(users.slice(i, i + 100)).execute();

  const assignments: Insertable<DB["assignments"]>[] = [];
  const progress: Insertable<DB["module_progress"]>[] = [];
  const asg = (userId: string, n: number, dueAt: string, completedAt: string | null) => {
    const id = `asg_${userId.slice(4)}_${n}`;
    assignments.push({ id, user_id: userId, course_id: "protecting-trade-secrets", family: "protecting-trade-secrets", cycle: `cycle-${n}`, reason: "annual", assigned_at: "2026-01-01T09:00:00.000Z", due_at: dueAt, completed_at: completedAt, exempted_at: null, cancelled_at: null });
    return id;
  };
  users.forEach((u, i) => {
    if (u.status === "inactive") return; // people who left have their open work cancelled: give them none
    asg(u.id!, 1, "2026-12-01T09:00:00.000Z", "2026-11-20T09:00:00.000Z");
    if (i % 5 !== 0) asg(u.id!, 2, `2027-01-${String(10 + (i % 15)).padStart(2, "0")}T09:00:00.000Z`, null);
    if (i % 3 === 0) {
      const open = asg(u.id!, 3, "2027-05-01T09:00:00.000Z", null);
      if (i % 2 === 0) progress.push({ assignment_id: open, module: "01-intro", content_hash: "h", completed_at: now.toISOString() });
    }
  });
  for (let i = 0; i < assignments.length; i += 100) await w.db.insertInto("assignments").values(assignments.slice(i, i + 100)).execute();
  for (let i = 0; i < progress.length; i += 100) await w.db.insertInto("module_progress").values(progress.slice(i, i + 100)).execute();
}

/** Every page of a list, in order. */
async function everyPage<T>(read: (page: number) => Promise<TeamPage<T>>): Promise<T[]> {
  const first = await read(1);
  const rows = [...first.rows];
  for (let p = 2; p <= first.pageCount; p++) rows.push(...(await read(p)).rows);
  return rows;
}

beforeAll(async () => {
  w = await makeWorld();
  now = w.clock();
  await generateOrg();
  await refreshRollup(w.db, now);
  await refreshScores(w.db, { catalog: w.catalog, now });
  server = await startTestServer(w);
  cookies.manager = await server.login("manager@test.example");
  cookies.lead = await server.login("usr_lead0@scale.test");
}, 120_000);

afterAll(async () => {
  await server?.close();
  await w?.close();
});

const scope = () => ({ managerId: w.manager.id, catalog: w.catalog });
const ids = (rows: Array<TeamPerson | TeamAssignment>) => rows.map((r) => r.id);

test("the people and overdue lists come 50 at a time, every page holding the next ones, with the right counts", async () => {
  const first = await teamOverview(w.db, { ...scope(), ...LIVE }, now);
  // 2 leads + 260 staff − 2 who left + Alice and Bob.
  expect(first.summary.people).toBe(262);
  expect(first.people).toMatchObject({ total: 262, page: 1, pageCount: 6, pageSize: 50 });
  expect(first.people.rows).toHaveLength(50);
  const people = await everyPage((peoplePage) => teamOverview(w.db, { ...scope(), ...LIVE, peoplePage }, now).then((o) => o.people));
  expect(new Set(ids(people)).size).toBe(262);
  expect(people.some((p) => p.id === "usr_l0s005")).toBe(false); // has left
  // Most pressing first: everyone overdue comes before anyone else.
  const firstNotOverdue = people.findIndex((p) => p.state !== "overdue");
  expect(people.slice(firstNotOverdue).every((p) => p.state !== "overdue")).toBe(true);
  const second = await teamOverview(w.db, { ...scope(), ...LIVE, peoplePage: 2, overduePage: 2 }, now);
  expect(ids(second.people.rows)).toEqual(ids(people.slice(50, 100)));

  const overdueCount = Number(
    (
      await w.db
        .selectFrom("assignments as a")
        .innerJoin("users as u", "u.id", "a.user_id")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("a.completed_at", "is", null)
        .where("a.due_at", "<", now.toISOString())
        .where("u.id", "not in", [...outsiders, "usr_outlead", w.hr.id, w.manager.id])
        .executeTakeFirstOrThrow()
    ).n,
  );
  expect(first.summary.overdueAssignments).toBe(overdueCount);
  expect(first.overdue.total).toBe(overdueCount);
  const overdue = await everyPage((overduePage) => teamOverview(w.db, { ...scope(), ...LIVE, overduePage }, now).then((o) => o.overdue));
  expect(overdue).toHaveLength(overdueCount);
  expect(ids(second.overdue.rows)).toEqual(ids(overdue.slice(50, 100)));
  // Longest overdue first.
  expect(overdue.map((a) => a.dueAt)).toEqual([...overdue.map((a) => a.dueAt)].sort());
  // A page past the end shows the last one.
  const past = await teamOverview(w.db, { ...scope(), ...LIVE, peoplePage: 99 }, now);
  expect(past.people.page).toBe(6);
  expect(ids(past.people.rows)).toEqual(ids(people.slice(250)));
});

test("a large team read from the rollup and the stored tree gives the same figures, people and overdue list as counted live", async () => {
  const live = await teamOverview(w.db, { ...scope(), ...LIVE }, now);
  const stored = await teamOverview(w.db, { ...scope(), ...STORED }, now);
  expect(live.source).toBe("live");
  expect(stored.source).toBe("stored");
  const figures = ({ summary: s }: typeof live) => ({ people: s.people, direct: s.direct, leads: s.leads, overdue: s.overdueAssignments, assignments: s.assignments });
  expect(figures(stored)).toEqual(figures(live));
  expect(live.summary.leads).toEqual([
    { id: "usr_lead0", name: "Lead 0", size: 129 },
    { id: "usr_lead1", name: "Lead 1", size: 129 },
  ]);
  expect(stored.summary.byState).toBeNull();

  const livePeople = await everyPage((peoplePage) => teamOverview(w.db, { ...scope(), ...LIVE, peoplePage }, now).then((o) => o.people));
  const storedPeople = await everyPage((peoplePage) => teamOverview(w.db, { ...scope(), ...STORED, peoplePage }, now).then((o) => o.people));
  const byId = (rows: TeamPerson[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
  expect(byId(storedPeople)).toEqual(byId(livePeople));

  const liveOverdue = await everyPage((overduePage) => teamOverview(w.db, { ...scope(), ...LIVE, overduePage }, now).then((o) => o.overdue));
  const storedOverdue = await everyPage((overduePage) => teamOverview(w.db, { ...scope(), ...STORED, overduePage }, now).then((o) => o.overdue));
  expect(new Set(ids(storedOverdue))).toEqual(new Set(ids(liveOverdue)));
  expect(storedOverdue.map((a) => a.dueAt)).toEqual([...storedOverdue.map((a) => a.dueAt)].sort());

  // The filtered list: same count, same assignments, a page at a time.
  for (const filters of [{ status: "overdue" as const }, { status: "in_progress" as const }, { department: "Sales" }, { manager: "usr_lead1", status: "overdue" as const }]) {
    const a = await everyPage((page) => teamAssignments(w.db, { ...scope(), ...LIVE, filters, page }, now));
    const b = await everyPage((page) => teamAssignments(w.db, { ...scope(), ...STORED, filters, page }, now));
    expect(new Set(ids(b)), JSON.stringify(filters)).toEqual(new Set(ids(a)));
    const [pa, pb] = [await teamAssignments(w.db, { ...scope(), ...LIVE, filters }, now), await teamAssignments(w.db, { ...scope(), ...STORED, filters }, now)];
    expect(pb.total, JSON.stringify(filters)).toBe(pa.total);
    expect(pa.total).toBe(a.length);
    // The large path walks newest first (except the overdue, most urgent first), and says so.
    expect(pb.order, JSON.stringify(filters)).toBe(filters.status === "overdue" ? "urgency" : "newest");
    if (pb.order === "newest") {
      const stored = await w.db.selectFrom("assignments").select("id").where("id", "in", ids(b)).orderBy(sql`rowid`, "desc").execute();
      expect(ids(b), JSON.stringify(filters)).toEqual(stored.map((r) => r.id));
    }
  }
  // Unfiltered, a large team's list asks for a filter rather than listing everything.
  const everything = await teamAssignments(w.db, { ...scope(), ...STORED, filters: {} }, now);
  expect(everything).toMatchObject({ listed: false, rows: [] });
  expect(everything.total).toBe((await teamAssignments(w.db, { ...scope(), ...LIVE, filters: {} }, now)).total);
});

test("over HTTP each list has its pager, and page 2 holds the next people", async () => {
  const one = words(await (await server.get("/team", cookies.manager)).text());
  const two = words(await (await server.get("/team?peoplePage=2", cookies.manager)).text());
  expect(one).toContain("1–50 of 262 · page 1 of 6");
  expect(two).toContain("51–100 of 262 · page 2 of 6");
  expect(two).toContain("Previous 50");
  const html = await (await server.get("/team?overduePage=2&status=overdue", cookies.manager)).text();
  // Each list's links keep the filters and the other lists' pages.
  expect(html).toContain('rel="next" data-discover="true" href="/team?overduePage=3&amp;status=overdue#late-h"');
  expect(html).toContain('rel="prev" data-discover="true" href="/team?status=overdue#late-h"');
  expect(html).toContain('href="/team?overduePage=2&amp;status=overdue&amp;peoplePage=2#people-h"');
});

test("a manager cannot page into someone else's tree", async () => {
  for (const q of [`manager=usr_outlead&page=2`, `manager=${w.hr.id}&peoplePage=2`, `manager=usr_lead1&page=2`]) {
    expect((await server.get(`/team?${q}`, cookies.lead)).status, q).toBe(404);
  }
  for (let page = 1; page <= 3; page++) {
    const html = await (await server.get(`/team?peoplePage=${page}&overduePage=${page}&page=${page}&status=overdue`, cookies.lead)).text();
    for (const name of ["Outsider", "Olga Outside", "Staff 1-", "Lead 1"]) expect(html, `page ${page}`).not.toContain(name);
  }
  const lead = await teamOverview(w.db, { managerId: "usr_lead0", catalog: w.catalog, peoplePage: 3 }, now);
  expect(lead.people.total).toBe(129);
  expect(lead.people.rows.every((p) => p.id.startsWith("usr_l0s"))).toBe(true);
});

test("a bad page number is a 400 with a plain message; one past the end shows the last page", async () => {
  for (const q of ["page=0", "page=-1", "peoplePage=abc", "overduePage=1.5", "page=1e3", "peoplePage=9999999"]) {
    const res = await server.get(`/team?${q}`, cookies.manager);
    expect(res.status, q).toBe(400);
    const text = words(await res.text());
    expect(text, q).toContain("That page number is not valid");
    expect(text, q).not.toMatch(/at .*\.ts:\d+/);
  }
  const res = await server.get("/team?peoplePage=40", cookies.manager);
  expect(res.status).toBe(200);
  expect(words(await res.text())).toContain("251–262 of 262 · page 6 of 6");
});
