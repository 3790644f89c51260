// The boards of a large organisation read stored scores (refreshScores) instead of scoring everyone
// on each view. On an organisation of 330 people (written straight to the tables: the ranking is
// under test here) every board, page and standing read from the stored scores equals the same one
// scored live; the refresh switches atomically and can run twice; opting out takes effect at once;
// and over HTTP the pages are paginated, refuse bad page numbers, and reveal nobody else's score.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Insertable } from "kysely";
import { BOARD_LIVE_BELOW, myStanding, orgBoard, teamBoard, type BoardPage, type BoardRow } from "../../app/recognition/board.server";
import { currentScoreRun, refreshScores } from "../../app/recognition/scores-refresh.server";
import { setShownOnBoards } from "../../app/recognition/opt-out.server";
import { ordinal } from "../../app/recognition/Board";
import type { Catalog } from "../../app/courses/catalog.server";
import type { DB } from "../../db/schema";
import { makeWorld, passwordHash, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { words } from "../support/html";

const LIVE = { liveBelow: Infinity };
const STORED = { liveBelow: 0 };
let w: World;
let now: Date;
let server: TestServer;
const org = { directors: [] as string[], leads: [] as string[], staff: [] as string[], loop: [] as string[] };

/** Deterministic pseudo-random numbers, so a failure can be reproduced. */
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** Below the world's manager: 3 directors × 4 leads × 25 staff, plus a loop of reporting lines.
 * Names repeat and differ only in case or accents, and scores are few, so ties are everywhere. */
async function generateOrg() {
  const r = rng(11);
  const hash = await passwordHash();
  const users: Insertable<DB["users"]>[] = [];
  const NAMES = ["Ana López", "ana lopez", "Ben Ode", "Zoë Adams", "zoe adams", "Émile Roy", "Emile Roy", "Li Wei"];
  const person = (id: string, managerId: string, canLeave: boolean) => {
    const x = r();
    users.push({
      id,
      email: `${id}@scale.test`,
      name: `${NAMES[Math.floor(r() * NAMES.length)]} ${users.length % 7}`,
      employee_id: null,
      department: "Engineering",
      title: r() < 0.5 ? "Engineer" : null,
      manager_id: managerId,
      type: "employee",
      status: canLeave && x < 0.03 ? "inactive" : x < 0.08 ? "leave" : "active",
      is_hr: 0,
      start_date: "2024-01-01",
      end_date: null,
      password_hash: hash,
      password_changed_at: null,
      leave_started_at: null,
      board_opt_out: r() < 0.05 ? 1 : 0,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    });
  };
  for (let d = 0; d < 3; d++) {
    const director = `usr_d${d}`;
    org.directors.push(director);
    person(director, w.manager.id, false);
    for (let l = 0; l < 4; l++) {
      const lead = `usr_d${d}l${l}`;
      org.leads.push(lead);
      person(lead, director, false);
      for (let s = 0; s < 25; s++) {
        org.staff.push(`usr_d${d}l${l}s${String(s).padStart(2, "0")}`);
        person(org.staff[org.staff.length - 1], lead, true);
      }
    }
  }
  // A loop in the reporting lines (bad data), with someone below it.
  person("usr_loop_a", "usr_loop_b", false);
  person("usr_loop_b", "usr_loop_a", false);
  person("usr_loop_c", "usr_loop_a", false);
  org.loop = ["usr_loop_a", "usr_loop_b", "usr_loop_c"];
  for (let i = 0; i < users.length; i += 100) await w.db.insertInto("users").values(users.slice(i, i + 100)).execute();

  const assignments: Insertable<DB["assignments"]>[] = [];
  const attempts: Insertable<DB["quiz_attempts"]>[] = [];
  let n = 0;
  const day = 86_400_000;
  for (const u of [...users.map((x) => x.id), w.alice.id, w.bob.id]) {
    const cycles = Math.floor(r() * 4);
    for (let c = 0; c < cycles; c++) {
      const course = r() < 0.75 ? "protecting-trade-secrets" : "exit-acknowledgement";
      const due = new Date(Date.parse("2024-12-01T09:00:00.000Z") + c * 365 * day + Math.floor(r() * 60) * day);
      const x = r();
      const completed = x < 0.7 ? new Date(due.getTime() + (r() < 0.75 ? -1 : 1) * Math.floor(r() * 12) * day) : null;
      const id = `asg_${String(n++).padStart(5, "0")}`;
      assignments.push({
        id,
        user_id: u,
        course_id: course,
        family: course,
        cycle: `cycle-${c}`,
        reason: "annual",
        assigned_at: new Date(due.getTime() - 30 * day).toISOString(),
        due_at: due.toISOString(),
        completed_at: completed && completed < now ? completed.toISOString() : null,
        exempted_at: x > 0.95 ? due.toISOString() : null,
        cancelled_at: x > 0.9 && x <= 0.95 ? due.toISOString() : null,
      });
      if (completed && completed < now && r() < 0.85) {
        const firstPassed = r() < 0.7;
        const attempt = (k: number, passed: boolean) => ({
          id: `att_${id.slice(4)}_${k}`,
          assignment_id: id,
          user_id: u,
          course_id: course,
          content_hash: "h",
          answers_json: "{}",
          correct_count: passed ? 5 : 1,
          question_count: 5,
          score: passed ? 100 : 20,
          passing_score: 80,
          passed: passed ? 1 : 0,
          submitted_at: completed.toISOString(),
        });
        attempts.push(...(firstPassed ? [attempt(1, true)] : [attempt(1, false), attempt(2, true)]));
      }
    }
  }
  for (let i = 0; i < assignments.length; i += 100) await w.db.insertInto("assignments").values(assignments.slice(i, i + 100)).execute();
  for (let i = 0; i < attempts.length; i += 100) await w.db.insertInto("quiz_attempts").values(attempts.slice(i, i + 100)).execute();
}

/** Everything a board row shows. */
const shown = (r: BoardRow) => [r.id, r.rank, r.name, r.title, r.managerName, r.score, r.average, r.streak, r.streakBonus, r.counted, r.onTime, r.firstTry, r.badges];

/** Every page of a board, in order. */
async function everyPage(read: (page: number) => Promise<BoardPage>) {
  const first = await read(1);
  const rows = [...first.rows];
  for (let p = 2; p <= first.pageCount; p++) rows.push(...(await read(p)).rows);
  return { rows: rows.map(shown), total: first.total, pageCount: first.pageCount, stored: first.stored };
}

const org$ = (o: { liveBelow: number }, pageSize = 37) => everyPage((page) => orgBoard(w.db, { catalog: w.catalog, page, pageSize, ...o }, now));
const team$ = (managerId: string, o: { liveBelow: number }, pageSize = 37) =>
  everyPage((page) => teamBoard(w.db, { managerId, catalog: w.catalog, page, pageSize, ...o }, now));

beforeAll(async () => {
  w = await makeWorld();
  now = w.clock();
  await generateOrg();
  const refreshed = await refreshScores(w.db, { catalog: w.catalog, now });
  expect(refreshed.skipped).toBe(false);
  server = await startTestServer(w);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await w?.close();
});

test("HR's board read from the stored scores equals the board scored live: every page, rank and figure", async () => {
  const live = await org$(LIVE);
  const stored = await org$(STORED);
  expect(live.stored).toBe(false);
  expect(stored.stored).toBe(true);
  expect(stored.total).toBeGreaterThan(150);
  expect(stored).toEqual({ ...live, stored: true });
  // Ties are shared across page breaks, and the ranks have gaps after them.
  const ranks = stored.rows.map((r) => r[1] as number);
  expect(new Set(ranks).size).toBeLessThan(ranks.length);
  const liveStats = (await orgBoard(w.db, { catalog: w.catalog, ...LIVE }, now)).stats;
  expect((await orgBoard(w.db, { catalog: w.catalog, ...STORED }, now)).stats).toEqual(liveStats);
  expect(liveStats.optedOut).toBeGreaterThan(0);
});

test("every team board read from the stored scores equals the live one: the whole tree, wide and narrow teams, a loop", async () => {
  for (const managerId of [w.manager.id, ...org.directors, ...org.leads.slice(0, 3), org.staff[0], ...org.loop]) {
    const live = await team$(managerId, LIVE, 20);
    const stored = await team$(managerId, STORED, 20);
    expect(stored.rows, managerId).toEqual(live.rows);
    expect(stored.total, managerId).toBe(live.total);
    // A manager in a loop of reporting lines has no range of the tree: their board stays live.
    expect(stored.stored, managerId).toBe(!org.loop.includes(managerId));
  }
});

test("a person's place on a large board counts the stored scores and equals their live place", async () => {
  const people = await w.db.selectFrom("users").select(["id", "manager_id"]).where("status", "<>", "inactive").where("manager_id", "is not", null).orderBy("id").execute();
  let placed = 0;
  for (const viewer of people) {
    const live = await myStanding(w.db, { viewer, catalog: w.catalog, ...LIVE }, now);
    const stored = await myStanding(w.db, { viewer, catalog: w.catalog, ...STORED }, now);
    expect({ ...stored, placeAsOf: null }, viewer.id).toEqual(live);
    if (stored?.rank !== null && stored?.rank !== undefined) {
      placed++;
      if (!org.loop.includes(viewer.manager_id!)) expect(stored.placeAsOf, viewer.id).toBe(now.toISOString());
    }
  }
  expect(placed).toBeGreaterThan(100);
});

test("pages: page 2 holds the next rows, a page past the end shows the last one", async () => {
  const all = await org$(LIVE, 10_000);
  const page2 = await orgBoard(w.db, { catalog: w.catalog, page: 2, ...STORED }, now);
  expect(page2.rows.map(shown)).toEqual(all.rows.slice(50, 100));
  expect(page2).toMatchObject({ page: 2, pageSize: 50, total: all.total, pageCount: Math.ceil(all.total / 50) });
  const past = await orgBoard(w.db, { catalog: w.catalog, page: 999, ...STORED }, now);
  expect(past.page).toBe(past.pageCount);
  expect(past.rows.map(shown)).toEqual(all.rows.slice((past.pageCount - 1) * 50));
});

test("the refresh is idempotent, runs once at a time, and a failed one leaves the scores in use", async () => {
  const contents = async () =>
    (await w.db.selectFrom("person_scores").selectAll().where("generation", "=", (await currentScoreRun(w.db))!.generation).orderBy("user_id").execute()).map(
      ({ generation: _g, ...row }) => row,
    );
  const before = await contents();
  const [a, b] = await Promise.all([refreshScores(w.db, { catalog: w.catalog, now }), refreshScores(w.db, { catalog: w.catalog, now })]);
  expect([a.skipped, b.skipped].sort()).toEqual([false, true]);
  expect(await contents()).toEqual(before);
  // At most the scores in use and the ones before them are kept.
  const generations = await w.db.selectFrom("person_scores").select("generation").distinct().execute();
  expect(generations.length).toBeLessThanOrEqual(2);

  const inUse = await currentScoreRun(w.db);
  const broken = { ...w.catalog, courses: { get: () => { throw new Error("catalog unavailable"); } } } as unknown as Catalog;
  await expect(refreshScores(w.db, { catalog: broken, now })).rejects.toThrow("catalog unavailable");
  expect(await currentScoreRun(w.db)).toEqual(inUse);
  const failed = await w.db.selectFrom("score_runs").select(["status", "error"]).orderBy("generation", "desc").limit(1).executeTakeFirstOrThrow();
  expect(failed).toEqual({ status: "failed", error: "catalog unavailable" });
  expect(await org$(STORED)).toEqual({ ...(await org$(LIVE)), stored: true });
});

test("readers never see a half-built refresh: each read is the old board or the new one, whole", async () => {
  const old = await org$(STORED, 10_000);
  // Records change (open cycles completed on time, first try), then a refresh runs while pages are read.
  const open = await w.db.selectFrom("assignments").select("id").where("completed_at", "is", null).where("exempted_at", "is", null).where("cancelled_at", "is", null).limit(40).execute();
  for (const a of open) await w.db.updateTable("assignments").set({ completed_at: "2024-06-01T09:00:00.000Z" }).where("id", "=", a.id).execute();
  const next = await org$(LIVE, 10_000);
  expect(next.rows).not.toEqual(old.rows);

  let done = false;
  const refresh = refreshScores(w.db, { catalog: w.catalog, now }).finally(() => (done = true));
  const seen = { old: 0, next: 0 };
  while (!done) {
    const read = await org$(STORED, 10_000);
    if (JSON.stringify(read.rows) === JSON.stringify(old.rows)) seen.old++;
    else {
      expect(read.rows).toEqual(next.rows);
      seen.next++;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect((await refresh).skipped).toBe(false);
  expect(seen.old).toBeGreaterThan(0);
  expect((await org$(STORED, 10_000)).rows).toEqual(next.rows);
});

test("opting out hides a person from stored boards at once, and they still count in HR's figures", async () => {
  const top = (await orgBoard(w.db, { catalog: w.catalog, ...STORED }, now)).rows[0];
  const before = (await orgBoard(w.db, { catalog: w.catalog, ...STORED }, now)).stats;
  await setShownOnBoards(w.db, { userId: top.id, show: false }, w.clock);
  const after = await orgBoard(w.db, { catalog: w.catalog, ...STORED }, now);
  expect(after.rows.map((r) => r.id)).not.toContain(top.id);
  expect(after.stats).toEqual({ ...before, optedOut: before.optedOut + 1 });
  expect(after.total).toBe(before.scored - before.optedOut - 1);
  expect(await org$(STORED)).toEqual({ ...(await org$(LIVE)), stored: true });
  await setShownOnBoards(w.db, { userId: top.id, show: true }, w.clock);
  expect((await orgBoard(w.db, { catalog: w.catalog, ...STORED }, now)).rows[0].id).toBe(top.id);
});

test("someone who moved to another team since the refresh is not shown on their old manager's board", async () => {
  const [from, to] = [org.leads[0], org.leads[5]];
  const board = await teamBoard(w.db, { managerId: org.directors[0], catalog: w.catalog, pageSize: 500, ...STORED }, now);
  const mover = board.rows.find((r) => r.managerName !== null && r.id.startsWith(`${from}s`))!;
  expect(mover).toBeDefined();
  await w.db.updateTable("users").set({ manager_id: to }).where("id", "=", mover.id).execute();
  try {
    const after = await teamBoard(w.db, { managerId: org.directors[0], catalog: w.catalog, pageSize: 500, ...STORED }, now);
    expect(after.rows.map((r) => r.id)).not.toContain(mover.id);
  } finally {
    await w.db.updateTable("users").set({ manager_id: from }).where("id", "=", mover.id).execute();
  }
});

test("over HTTP: HR's board is paginated from the stored scores, with links both ways and the time of the scores", async () => {
  expect(BOARD_LIVE_BELOW).toBeLessThan(330); // this organisation is read from the stored scores by default
  const hr = await server.login("hr@test.example");
  const expected = await orgBoard(w.db, { catalog: w.catalog, page: 2 }, now);
  expect(expected.stored).toBe(true);
  const res = await server.get("/hr/board?page=2", hr);
  expect(res.status).toBe(200);
  const html = await res.text();
  const people = [...html.matchAll(/data-person="([^"]+)"/g)].map((m) => m[1]);
  expect(people).toEqual(expected.rows.map((r) => r.id));
  expect(words(html)).toContain(`Rows 51–100 of ${expected.total}`);
  expect(html).toMatch(/<a[^>]*href="\/hr\/board"[^>]*rel="prev"|<a[^>]*rel="prev"[^>]*href="\/hr\/board"/);
  expect(html).toMatch(/href="\/hr\/board\?page=3"/);
  expect(html).toContain("Scores and figures as of");
  expect(html).toContain('aria-label="Pages of the board"');
  // The first page has no "previous" link, and no ?page= in its own address.
  const first = await (await server.get("/hr/board", hr)).text();
  expect(first).not.toContain('rel="prev"');
  expect(words(first)).toContain(`Rows 1–50 of ${expected.total}`);
});

test("over HTTP: a bad page number is a 400 with a plain message; a page past the end goes to the last", async () => {
  const hr = await server.login("hr@test.example");
  for (const bad of ["abc", "0", "-1", "1.5", "1e3", "99999999"]) {
    const res = await server.get(`/hr/board?page=${encodeURIComponent(bad)}`, hr);
    expect(res.status, bad).toBe(400);
    const body = await res.text();
    expect(body, bad).toContain("That page number is not valid.");
    expect(body, bad).not.toMatch(/at .*\.(ts|js):\d+/);
  }
  const manager = await server.login("manager@test.example");
  expect((await server.get("/team/board?page=x", manager)).status).toBe(400);
  const past = await server.get("/team/board?page=500", manager);
  expect(past.status).toBe(302);
  const last = (await teamBoard(w.db, { managerId: w.manager.id, catalog: w.catalog }, now)).pageCount;
  expect(past.headers.get("location")).toBe(last > 1 ? `/team/board?page=${last}` : "/team/board");
});

test("over HTTP: the manager's large board is paginated; nobody else can read it or HR's", async () => {
  const manager = await server.login("manager@test.example");
  const expected = await teamBoard(w.db, { managerId: w.manager.id, catalog: w.catalog }, now);
  expect(expected.stored).toBe(true);
  const html = await (await server.get("/team/board", manager)).text();
  expect([...html.matchAll(/data-person="([^"]+)"/g)].map((m) => m[1])).toEqual(expected.rows.map((r) => r.id));
  expect(words(html)).toContain(`Rows 1–50 of ${expected.total}`);
  expect(html).toContain("Scores as of");
  const alice = await server.login("alice@test.example");
  for (const path of ["/hr/board?page=2", "/team/board?page=2", "/hr/board.data?page=2"]) expect((await server.get(path, alice)).status, path).toBe(404);
  expect((await server.get("/hr/board?page=2", manager)).status).toBe(404);
});

test("over HTTP: a person's home page gives their own score and place on the large board, and nobody else's", async () => {
  // Someone who reports to the world's manager, whose board (everyone) is read stored.
  let viewer: { id: string; email: string } | null = null;
  let standing: Awaited<ReturnType<typeof myStanding>> = null;
  for (const id of [...org.directors, w.alice.id, w.bob.id]) {
    const u = await w.db.selectFrom("users").select(["id", "email", "manager_id"]).where("id", "=", id).where("status", "=", "active").executeTakeFirst();
    standing = u ? await myStanding(w.db, { viewer: u, catalog: w.catalog }, now) : null;
    if (u && standing?.rank) {
      viewer = u;
      break;
    }
  }
  expect(viewer).not.toBeNull();
  expect(standing!.placeAsOf).not.toBeNull();
  const cookie = await server.login(viewer!.email);
  const html = await (await server.get("/", cookie)).text();
  expect(words(html)).toContain(`You are ${ordinal(standing!.rank!)} of ${standing!.of} on Mark Mendes's team board. (the others' scores as of`);
  // Nobody else's score or name from the board, in the page or its data.
  const others = (await teamBoard(w.db, { managerId: w.manager.id, catalog: w.catalog, pageSize: 500 }, now)).rows.filter((r) => r.id !== viewer!.id);
  const data = await server.get("/_root.data", cookie);
  expect(data.status).toBe(200);
  const dataText = await data.text();
  for (const r of others) {
    expect(html).not.toContain(r.id);
    expect(dataText).not.toContain(r.id);
  }
  expect(html).not.toContain("data-person");
});
