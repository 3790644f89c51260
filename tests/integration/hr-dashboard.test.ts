// HR's organisation overview: its numbers equal a direct count of the assignments (whole
// organisation, by course, cycle, department and month, under every filter), whether they come
// from the rollup or are counted live; the rollup catches up with changes when refreshed; the
// page answers 404 to everyone but HR and 400 to bad filters.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Kysely } from "kysely";
import { fixedClock } from "../../app/clock";
import { applyAssignmentFilters, type AssignmentFilters } from "../../app/reports/filters.server";
import { getOverview, type Counts } from "../../app/reports/overview.server";
import { chartMonths, currentRun, refreshRollup, seriesOf } from "../../app/reports/rollup.server";
import { assign, makePerson } from "../../app/demo/factories.server";
import { exemptAssignment } from "../../app/hr/actions.server";
import type { DB } from "../../db/schema";
import { seedDemo, DEMO_PASSWORD } from "../../scripts/seed";
import { freshDb, type TestDb } from "../support/db";
import { realCatalog, SECRET } from "../support/world";
import { enrolSoftPasskey } from "../support/authenticator";
import { startTestServer, type TestServer } from "../support/server";

const NOW = "2027-03-01T09:00:00.000Z";
const clock = fixedClock(NOW);
const now = new Date(NOW);

let t: TestDb;
let server: TestServer;
let hrCookie: string;
const ids = new Map<string, string>();

interface Direct {
  totals: Omit<Counts, "completionRate" | "onTimeRate" | "inProgress" | "notStarted"> & { notYetDue: number };
  byCourse: Map<string, Direct["totals"]>;
  byDepartment: Map<string, Direct["totals"]>;
  months: Map<string, { onTime: number; late: number }>;
}

function empty(): Direct["totals"] {
  return { assigned: 0, completed: 0, onTime: 0, late: 0, overdue: 0, notYetDue: 0, exempt: 0, cancelled: 0 };
}

/** The oracle: every matching assignment read back and counted in plain code, with the filters
 * applied by the shared filter module — nothing from the rollup or the overview. */
async function direct(db: Kysely<DB>, filters: AssignmentFilters, at: Date): Promise<Direct> {
  const q = db
    .selectFrom("assignments as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .select(["a.course_id", "u.department", "a.due_at", "a.completed_at", "a.exempted_at", "a.cancelled_at"]);
  const rows = await applyAssignmentFilters(db, q, filters, at).execute();
  const out: Direct = { totals: empty(), byCourse: new Map(), byDepartment: new Map(), months: new Map() };
  const window = new Set(chartMonths(at));
  for (const r of rows) {
    const targets = [out.totals, getOr(out.byCourse, r.course_id), getOr(out.byDepartment, r.department ?? "")];
    for (const c of targets) {
      if (r.cancelled_at) {
        c.cancelled++;
        continue;
      }
      c.assigned++;
      if (r.exempted_at) c.exempt++;
      else if (r.completed_at) {
        c.completed++;
        if (r.completed_at <= r.due_at) c.onTime++;
        else c.late++;
      } else if (Date.parse(r.due_at) < at.getTime()) c.overdue++;
      else c.notYetDue++;
    }
    if (!r.cancelled_at && !r.exempted_at && r.completed_at && window.has(r.completed_at.slice(0, 7))) {
      const m = out.months.get(r.completed_at.slice(0, 7)) ?? { onTime: 0, late: 0 };
      if (r.completed_at <= r.due_at) m.onTime++;
      else m.late++;
      out.months.set(r.completed_at.slice(0, 7), m);
    }
  }
  return out;
}

function getOr(map: Map<string, Direct["totals"]>, key: string) {
  let v = map.get(key);
  if (!v) map.set(key, (v = empty()));
  return v;
}

function plain(c: Counts): Direct["totals"] {
  return {
    assigned: c.assigned,
    completed: c.completed,
    onTime: c.onTime,
    late: c.late,
    overdue: c.overdue,
    notYetDue: c.inProgress + c.notStarted,
    exempt: c.exempt,
    cancelled: c.cancelled,
  };
}

async function expectMatchesDirect(filters: AssignmentFilters, source?: "rollup" | "live") {
  const o = await getOverview(t.db, { filters, now, refresh: "never" });
  const d = await direct(t.db, filters, new Date(o.asOf));
  if (source) expect(o.source, JSON.stringify(filters)).toBe(source);
  expect(plain(o.totals), JSON.stringify(filters)).toEqual(d.totals);
  expect(new Map(o.courses.map((c) => [c.courseId, plain(c.counts)]))).toEqual(new Map([...d.byCourse].filter(([, v]) => v.assigned + v.cancelled > 0)));
  expect(new Map(o.departments.map((x) => [x.department ?? "", plain(x.counts)]))).toEqual(new Map([...d.byDepartment].filter(([, v]) => v.assigned + v.cancelled > 0)));
  for (const m of o.months) expect(m, `${JSON.stringify(filters)} ${m.month}`).toEqual({ month: m.month, ...(d.months.get(m.month) ?? { onTime: 0, late: 0 }) });
  // Each course's cycles add up to the course.
  for (const c of o.courses) {
    const sum = c.cycles.reduce((s, l) => s + l.counts.assigned + l.counts.cancelled, 0);
    expect(sum).toBe(c.counts.assigned + c.counts.cancelled);
  }
  return o;
}

beforeAll(async () => {
  t = await freshDb();
  const catalog = realCatalog();
  await seedDemo(t.db, { catalog, secret: SECRET, clock });
  for (const u of await t.db.selectFrom("users").select(["id", "email"]).execute()) ids.set(u.email.split("@")[0], u.id);

  // More variety than the demo: a dated renewal cycle (some done on time, one late, one open),
  // a manual cycle, an exemption and a cancellation (someone who left).
  const refresher = catalog.courses.get("annual-refresher")!;
  const renewals = ["priya.shah", "li.wei", "grace.okafor", "ravi.patel", "lucas.silva"];
  for (const [i, who] of renewals.entries()) {
    const a = await assign(t.db, { userId: ids.get(who)!, course: refresher, cycle: "renewal-2027-02-10", reason: "annual", dueAt: "2027-02-10T00:00:00.000Z" }, fixedClock("2027-01-11T09:00:00.000Z"));
    // Completion recorded directly: these counts are what is under test, not the course.
    if (i < 3) await t.db.updateTable("assignments").set({ completed_at: `2027-02-0${i + 1}T10:00:00.000Z` }).where("id", "=", a.id).execute();
    if (i === 3) await t.db.updateTable("assignments").set({ completed_at: "2027-02-20T10:00:00.000Z" }).where("id", "=", a.id).execute();
  }
  await assign(t.db, { userId: ids.get("grace.okafor")!, course: refresher, cycle: "renewal-2026-06-30", reason: "annual", dueAt: "2026-06-30T00:00:00.000Z" }, fixedClock("2026-06-01T09:00:00.000Z"));
  const manual = catalog.courses.get("protecting-trade-secrets")!;
  for (const who of ["ben.carter", "yuki.tanaka"]) {
    await assign(t.db, { userId: ids.get(who)!, course: manual, cycle: "incident-review", reason: "manual", dueAt: "2027-03-20T23:59:59.000Z" }, clock);
  }
  const hrId = ids.get("hr")!;
  const yukiOpen = await t.db.selectFrom("assignments").select("id").where("user_id", "=", ids.get("yuki.tanaka")!).where("cycle", "=", "incident-review").executeTakeFirstOrThrow();
  const exempted = await exemptAssignment(t.db, { viewer: { id: hrId, is_hr: 1 }, personId: ids.get("yuki.tanaka")!, form: { assignment: yukiOpen.id, reason: "Already covered by the March workshop" } }, clock);
  expect(exempted?.ok).toBe(true);
  await t.db
    .updateTable("assignments")
    .set({ cancelled_at: NOW, note: "Left" })
    .where("user_id", "=", ids.get("chloe.martin")!)
    .where("completed_at", "is", null)
    .execute();

  await refreshRollup(t.db, now);
  server = await startTestServer({ db: t.db, catalog, clock });
  // HR admins must have a second factor: the demo's HR admin gets a test passkey.
  const demoHr = await t.db.selectFrom("users").select(["id", "email", "name"]).where("email", "=", "hr@example.com").executeTakeFirstOrThrow();
  await enrolSoftPasskey(t.db, demoHr, clock);
  hrCookie = await server.login("hr@example.com", DEMO_PASSWORD);
});

afterAll(async () => {
  await server?.close();
  await t?.close();
});

describe("numbers equal a direct count", () => {
  test("the whole organisation, by course, cycle, department and month", async () => {
    const o = await expectMatchesDirect({}, "rollup");
    expect(o.totals.assigned).toBeGreaterThan(20);
    expect(o.totals.overdue).toBeGreaterThan(0);
    expect(o.totals.late).toBeGreaterThan(0);
    expect(o.totals.exempt).toBe(1);
    expect(o.totals.cancelled).toBeGreaterThan(0);
    // A dated renewal is counted with the renewals of its year; undated cycles stand alone.
    const refresher = o.courses.find((c) => c.courseId === "annual-refresher")!;
    expect(refresher.cycles.map((l) => l.series).sort()).toEqual(["renewal-2026-*", "renewal-2027-*"]);
    expect(refresher.cycles[0]).toMatchObject({ series: "renewal-2027-*", counts: { assigned: 5, completed: 4, onTime: 3, late: 1, overdue: 1 } });
    const pts = o.courses.find((c) => c.courseId === "protecting-trade-secrets")!;
    expect(pts.cycles.map((l) => l.cycle).sort()).toEqual(["incident-review", "onboarding"]);
  });

  test.each([
    ["department", { department: "Engineering" }],
    ["department and type", { department: "Sales", type: "contractor" }],
    ["contractors", { type: "contractor" }],
    ["employees", { type: "employee" }],
    ["course", { course: "annual-refresher" }],
    ["status overdue", { status: "overdue" }],
    ["status completed", { status: "completed" }],
    ["status on time", { status: "on_time" }],
    ["status late", { status: "late" }],
    ["status open", { status: "open" }],
    ["status in progress", { status: "in_progress" }],
    ["status not started", { status: "not_started" }],
    ["status exempt", { status: "exempt" }],
    ["status cancelled", { status: "cancelled" }],
    ["undated cycle", { cycle: "onboarding" }],
    ["course, cycle and status", { course: "protecting-trade-secrets", cycle: "onboarding", status: "overdue" }],
  ] as Array<[string, AssignmentFilters]>)("filtered by %s, from the rollup", async (_name, filters) => {
    await expectMatchesDirect(filters, "rollup");
  });

  test("a manager's whole tree (counted live for a small team), a dated cycle, and a manager who does not exist", async () => {
    const marcus = await expectMatchesDirect({ manager: ids.get("manager")! }, "live");
    // Marcus's tree reaches Priya's reports too, and never Marcus himself.
    expect(marcus.totals.assigned).toBeGreaterThan(await countFor([ids.get("priya.shah")!]));
    await expectMatchesDirect({ manager: ids.get("priya.shah")! }, "live");
    await expectMatchesDirect({ manager: ids.get("manager")!, status: "overdue", type: "contractor" }, "live");
    const dated = await expectMatchesDirect({ cycle: "renewal-2027-02-10" }, "live");
    expect(dated.totals).toMatchObject({ assigned: 5, completed: 4, onTime: 3, late: 1, overdue: 1 });
    expect(dated.courses[0].cycles[0].cycle).toBe("renewal-2027-02-10");
    const nobody = await expectMatchesDirect({ manager: "usr_nobody" }, "live");
    expect(nobody.totals.assigned).toBe(0);
  });

  test("the on-time rate is on-time completions over completions; completion is over what is required", async () => {
    const o = await getOverview(t.db, { filters: {}, now, refresh: "never" });
    expect(o.totals.onTimeRate).toBeCloseTo(o.totals.onTime / o.totals.completed, 10);
    expect(o.totals.completionRate).toBeCloseTo(o.totals.completed / (o.totals.assigned - o.totals.exempt), 10);
    const d = await direct(t.db, { status: "completed" }, now);
    expect(o.totals.onTime).toBe(d.totals.onTime);
    const nothingDone = await getOverview(t.db, { filters: { status: "overdue" }, now, refresh: "never" });
    expect(nothingDone.totals.onTimeRate).toBeNull();
    expect(nothingDone.totals.completionRate).toBe(0);
  });
});

async function countFor(userIds: string[]) {
  const r = await t.db.selectFrom("assignments").select((eb) => eb.fn.countAll<number>().as("n")).where("user_id", "in", userIds).where("cancelled_at", "is", null).executeTakeFirst();
  return Number(r?.n ?? 0);
}

test("the rollup shows its 'as of' numbers until refreshed, then matches a direct count again", async () => {
  const before = await getOverview(t.db, { filters: {}, now, refresh: "never" });
  const catalog = realCatalog();
  // Changes: Tom completes his overdue course, someone new joins and is assigned, and an
  // exemption is granted.
  const tom = await t.db.selectFrom("assignments").select("id").where("user_id", "=", ids.get("tom.becker")!).where("completed_at", "is", null).executeTakeFirstOrThrow();
  await t.db.updateTable("assignments").set({ completed_at: NOW }).where("id", "=", tom.id).execute();
  const newcomer = await makePerson(t.db, { email: "nina.new@example.com", name: "Nina New", department: "Sales", startDate: "2027-02-27", managerId: ids.get("sofia.alvarez")! }, clock);
  await assign(t.db, { userId: newcomer.id, course: catalog.courses.get("protecting-trade-secrets")! }, clock);

  const stale = await getOverview(t.db, { filters: {}, now, refresh: "never" });
  expect(stale.totals).toEqual(before.totals);

  const result = await refreshRollup(t.db, now);
  expect(result.skipped).toBe(false);
  const after = await expectMatchesDirect({}, "rollup");
  expect(after.totals.assigned).toBe(before.totals.assigned + 1);
  expect(after.totals.overdue).toBe(before.totals.overdue - 1);
  expect(after.totals.late).toBe(before.totals.late + 1);
  await expectMatchesDirect({ department: "Sales" }, "rollup");
  await expectMatchesDirect({ status: "not_started" }, "rollup");
});

test("an old rollup is refreshed in the background; the page keeps its 'as of' time meanwhile", async () => {
  const first = (await currentRun(t.db))!;
  const later = new Date(now.getTime() + 15 * 60_000);
  const o = await getOverview(t.db, { filters: {}, now: later });
  expect(o.asOf).toBe(first.asOf);
  expect(o.stale).toBe(true);
  for (let i = 0; i < 100 && (await currentRun(t.db))!.generation === first.generation; i++) await new Promise((r) => setTimeout(r, 50));
  const next = (await currentRun(t.db))!;
  expect(next.generation).toBeGreaterThan(first.generation);
  expect(next.asOf).toBe(later.toISOString());
  const fresh = await getOverview(t.db, { filters: {}, now: later });
  expect(fresh.stale).toBe(false);
  // Back to the test's own time for the tests that follow.
  await refreshRollup(t.db, now);
});

test("series group dated cycles by kind and year only", () => {
  expect(seriesOf("renewal-2027-11-30")).toBe("renewal-2027-*");
  expect(seriesOf("leaving-2027-05-31")).toBe("leaving-2027-*");
  expect(seriesOf("onboarding")).toBe("onboarding");
  expect(seriesOf("policy-confidentiality-agreement-v2")).toBe("policy-confidentiality-agreement-v2");
  expect(seriesOf("manual-2027-03")).toBe("manual-2027-03");
});

describe("the page", () => {
  async function html(path: string, cookie = hrCookie) {
    const res = await server.get(path, cookie);
    return { status: res.status, body: (await res.text()).replaceAll("<!-- -->", "") };
  }

  test("HR sees the overview: as-of time, rates, cycles, departments, the chart, and the filter form", async () => {
    const { status, body } = await html("/hr");
    expect(status).toBe(200);
    const o = await getOverview(t.db, { filters: {}, now, refresh: "never" });
    expect(body).toContain("<h1>Compliance overview</h1>");
    expect(body).toContain("Counts as of <strong>1 March 2027, 09:00:00 UTC</strong>");
    expect(body).toContain(`${Math.round(o.totals.onTimeRate! * 100)}%`);
    for (const text of ["Protecting Confidential Information and Trade Secrets", "incident-review", "renewal-2027-…", "Engineering", "Sales", "People"]) {
      expect(body, text).toContain(text);
    }
    expect(body).toMatch(/<svg class="chart-svg"[^>]*role="img"/);
    expect(body).not.toMatch(/\sstyle="/);
    for (const label of ["Department", "Manager&#x27;s team", "Course", "Cycle", "Status", "Employee or contractor"]) expect(body, label).toContain(`>${label}</label>`);
    expect(body).toContain(`<option value="${ids.get("manager")}">Marcus Lee`);
    expect(body).toContain('<option value="renewal-2027-02-10">renewal-2027-02-10</option>');
  });

  test("filters come from the URL, so a view can be shared", async () => {
    const { status, body } = await html(`/hr?department=Engineering&type=contractor&status=&course=&cycle=&manager=`);
    expect(status).toBe(200);
    expect(body).toContain("Showing: <strong>Engineering · Contractors</strong>");
    expect(body).toContain('<option value="Engineering" selected="">Engineering</option>');
    const o = await getOverview(t.db, { filters: { department: "Engineering", type: "contractor" }, now, refresh: "never" });
    expect(body).toContain(`<span class="hr-tile-count">${o.totals.assigned}</span>`);
  });

  test("a filter value that is not allowed gets a 400 with a plain message", async () => {
    for (const query of ["status=bogus", "type=robot", "course=Not%20A%20Course", `department=${"x".repeat(201)}`, `manager=${"m".repeat(65)}`]) {
      const res = await server.get(`/hr?${query}`, hrCookie);
      expect(res.status, query).toBe(400);
      const body = await res.text();
      expect(body, query).toContain("That filter is not valid");
      expect(body, query).not.toMatch(/ZodError|node_modules|\bat \S+ \(|\.ts:\d+/);
    }
    const res = await server.get("/hr?status=bogus", hrCookie);
    expect(await res.text()).toContain("check the status");
  });

  test("employees and managers are told the page does not exist", async () => {
    for (const email of ["employee@example.com", "manager@example.com"]) {
      const cookie = await server.login(email, DEMO_PASSWORD);
      for (const path of ["/hr", "/hr?department=Sales", "/hr.data", "/hr.data?department=Sales"]) {
        const res = await server.get(path, cookie);
        expect(res.status, `${email} ${path}`).toBe(404);
        expect(await res.text(), `${email} ${path}`).not.toContain("Compliance overview");
      }
      for (const path of ["/hr", "/hr?index", "/hr.data"]) {
        const post = await server.post(path, { department: "Sales" }, cookie);
        expect(post.status, `${email} POST ${path}`).toBe(404);
      }
    }
    const signedOut = await server.get("/hr");
    expect(signedOut.status).toBe(302);
  });
});
