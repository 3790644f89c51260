// The rollup with managers big enough to get rows of their own (a team of SCOPE_MIN_TEAM or
// more): a generated organisation of 1,300 people with 2,600+ assignments in every state. Every
// view — by manager at any level, with any other filter — equals a direct count; small teams and a
// loop in the reporting lines (bad data) are counted live and agree too; the overdue list pages
// the same way whichever plan a team's size chooses.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Insertable, Kysely } from "kysely";
import { applyAssignmentFilters, type AssignmentFilters } from "../../app/reports/filters.server";
import { getOverview, type Counts } from "../../app/reports/overview.server";
import { listOverdue, type OverdueRow } from "../../app/reports/overdue.server";
import { SCOPE_MIN_TEAM } from "../../app/people/tree.server";
import { chartMonths, currentRun, refreshRollup } from "../../app/reports/rollup.server";
import type { DB } from "../../db/schema";
import { freshDb, type TestDb } from "../support/db";

const NOW = "2027-03-01T09:00:00.000Z";
const now = new Date(NOW);
let t: TestDb;
const org = { root: "", vps: [] as string[], leads: [] as string[], loop: [] as string[] };

/** Deterministic pseudo-random numbers, so a failure can be reproduced. */
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const iso = (days: number) => new Date(Date.parse(NOW) + days * 86_400_000).toISOString();

/** People and assignments written straight to the tables: the counting is under test here. */
async function generateOrg(db: Kysely<DB>, { vps = 2, leadsPerVp = 13, staffPerLead = 49, seed = 7 } = {}) {
  const r = rng(seed);
  const users: Insertable<DB["users"]>[] = [];
  const person = (id: string, managerId: string | null, department: string): void => {
    users.push({
      id,
      email: `${id}@big.test`,
      name: `Person ${id}`,
      employee_id: null,
      department: r() < 0.1 ? "Legal" : r() < 0.05 ? null : department,
      title: null,
      manager_id: managerId,
      type: r() < 0.15 ? "contractor" : "employee",
      status: r() < 0.03 ? "leave" : "active",
      is_hr: 0,
      start_date: "2025-01-01",
      end_date: null,
      password_hash: null,
      password_changed_at: null,
      leave_started_at: null,
      board_opt_out: 0,
      created_at: NOW,
      updated_at: NOW,
    });
  };
  const root = "usr_root";
  person(root, null, "Board");
  const vpIds: string[] = [];
  const leadIds: string[] = [];
  for (let v = 0; v < vps; v++) {
    const vp = `usr_vp${v}`;
    vpIds.push(vp);
    person(vp, root, v % 2 ? "Sales" : "Engineering");
    for (let l = 0; l < leadsPerVp; l++) {
      const lead = `usr_l${v}_${l}`;
      leadIds.push(lead);
      person(lead, vp, v % 2 ? "Sales" : "Engineering");
      for (let s = 0; s < staffPerLead; s++) person(`usr_s${v}_${l}_${s}`, lead, v % 2 ? "Sales" : "Engineering");
    }
  }
  // A loop in the reporting lines, with someone below it.
  person("usr_loop_a", "usr_loop_b", "Support");
  person("usr_loop_b", "usr_loop_a", "Support");
  person("usr_loop_c", "usr_loop_a", "Support");
  for (let i = 0; i < users.length; i += 200) await db.insertInto("users").values(users.slice(i, i + 200)).execute();

  const assignments: DB["assignments"][] = [];
  const progress: DB["module_progress"][] = [];
  let n = 0;
  for (const u of users) {
    const cycles: Array<[string, string, number]> = [
      ["protecting-trade-secrets", "onboarding", -200 + Math.floor(r() * 260)],
      ["annual-refresher", `renewal-${iso(-300 + Math.floor(r() * 400)).slice(0, 10)}`, 0],
    ];
    if (r() < 0.3) cycles.push(["annual-refresher", "incident-review", 10]);
    for (const [course, cycle, offset] of cycles) {
      const due = cycle.startsWith("renewal-") ? `${cycle.slice(8)}T00:00:00.000Z` : iso(offset);
      const id = `asg_${String(n++).padStart(6, "0")}`;
      const x = r();
      const pastDue = due < NOW;
      let completed: string | null = null;
      let exempted: string | null = null;
      let cancelled: string | null = null;
      if (x < 0.04) exempted = iso(-5);
      else if (x < 0.07) cancelled = iso(-3);
      else if (x < 0.6) completed = new Date(Math.min(Date.parse(NOW) - 3_600_000, Date.parse(due) - (r() < 0.8 ? 1 : -1) * Math.floor(1 + r() * 20) * 86_400_000)).toISOString();
      if (x >= 0.01 && x < 0.02 && !cancelled) completed = iso(-1); // exempt after completing, or completed then cancelled: rare, but counted exactly
      assignments.push({
        id,
        user_id: u.id,
        course_id: course,
        cycle,
        reason: cycle === "onboarding" ? "onboarding" : cycle.startsWith("renewal") ? "annual" : "manual",
        assigned_at: iso(-400),
        due_at: due,
        completed_at: completed,
        completed_content_hash: null,
        expires_at: null,
        exempted_at: exempted,
        cancelled_at: cancelled,
        note: null,
        family: course,
        previous_expires_at: null,
        renewal_issued_at: null,
        content_hash: null,
        content_since: null,
      });
      if (!completed && !exempted && !cancelled && !pastDue && r() < 0.5) progress.push({ assignment_id: id, module: "01-intro", content_hash: "h", completed_at: iso(-1) });
    }
  }
  for (let i = 0; i < assignments.length; i += 200) await db.insertInto("assignments").values(assignments.slice(i, i + 200)).execute();
  for (let i = 0; i < progress.length; i += 200) await db.insertInto("module_progress").values(progress.slice(i, i + 200)).execute();
  return { root, vps: vpIds, leads: leadIds, loop: ["usr_loop_a", "usr_loop_b"], users: users.length, assignments: assignments.length };
}

type Plain = Omit<Counts, "completionRate" | "onTimeRate" | "inProgress" | "notStarted"> & { notYetDue: number };

function zero(): Plain {
  return { assigned: 0, completed: 0, onTime: 0, late: 0, overdue: 0, notYetDue: 0, exempt: 0, cancelled: 0 };
}

async function direct(db: Kysely<DB>, filters: AssignmentFilters, at: Date) {
  const q = db
    .selectFrom("assignments as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .select(["a.course_id", "u.department", "a.due_at", "a.completed_at", "a.exempted_at", "a.cancelled_at"]);
  const rows = await applyAssignmentFilters(db, q, filters, at).execute();
  const totals = zero();
  const byDept = new Map<string, Plain>();
  const byCourse = new Map<string, Plain>();
  const months = new Map<string, { onTime: number; late: number }>();
  const window = new Set(chartMonths(at));
  for (const r of rows) {
    for (const c of [totals, byDept.get(r.department ?? "") ?? byDept.set(r.department ?? "", zero()).get(r.department ?? "")!, byCourse.get(r.course_id) ?? byCourse.set(r.course_id, zero()).get(r.course_id)!]) {
      if (r.cancelled_at) c.cancelled++;
      else {
        c.assigned++;
        if (r.exempted_at) c.exempt++;
        else if (r.completed_at) {
          c.completed++;
          if (r.completed_at <= r.due_at) c.onTime++;
          else c.late++;
        } else if (r.due_at < at.toISOString()) c.overdue++;
        else c.notYetDue++;
      }
    }
    if (!r.cancelled_at && !r.exempted_at && r.completed_at && window.has(r.completed_at.slice(0, 7))) {
      const m = months.get(r.completed_at.slice(0, 7)) ?? { onTime: 0, late: 0 };
      if (r.completed_at <= r.due_at) m.onTime++;
      else m.late++;
      months.set(r.completed_at.slice(0, 7), m);
    }
  }
  return { totals, byDept, byCourse, months };
}

const plain = (c: Counts): Plain => ({ assigned: c.assigned, completed: c.completed, onTime: c.onTime, late: c.late, overdue: c.overdue, notYetDue: c.inProgress + c.notStarted, exempt: c.exempt, cancelled: c.cancelled });

async function check(filters: AssignmentFilters, source: "rollup" | "live") {
  const o = await getOverview(t.db, { filters, now, refresh: "never" });
  expect(o.source, JSON.stringify(filters)).toBe(source);
  const d = await direct(t.db, filters, now);
  expect(plain(o.totals), JSON.stringify(filters)).toEqual(d.totals);
  expect(new Map(o.departments.map((x) => [x.department ?? "", plain(x.counts)])), JSON.stringify(filters)).toEqual(new Map([...d.byDept].filter(([, v]) => v.assigned + v.cancelled > 0)));
  expect(new Map(o.courses.map((x) => [x.courseId, plain(x.counts)])), JSON.stringify(filters)).toEqual(new Map([...d.byCourse].filter(([, v]) => v.assigned + v.cancelled > 0)));
  for (const m of o.months) expect(m, `${JSON.stringify(filters)} ${m.month}`).toEqual({ month: m.month, ...(d.months.get(m.month) ?? { onTime: 0, late: 0 }) });
  return o;
}

beforeAll(async () => {
  t = await freshDb();
  Object.assign(org, await generateOrg(t.db));
  const result = await refreshRollup(t.db, now);
  expect(result.skipped).toBe(false);
});

afterAll(async () => {
  await t?.close();
});

test("large teams get rows of their own; small teams and loops do not", async () => {
  const run = (await currentRun(t.db))!;
  const managers = await t.db.selectFrom("report_managers").selectAll().where("generation", "=", run.generation).execute();
  const byId = new Map(managers.map((m) => [m.manager_id, m]));
  expect(byId.get(org.root)).toMatchObject({ team_size: 2 + 2 * 13 * 50, scoped: 1 });
  for (const vp of org.vps) expect(byId.get(vp)).toMatchObject({ team_size: 13 * 50, scoped: 1 });
  for (const lead of org.leads) expect(byId.get(lead)).toMatchObject({ team_size: 49, scoped: 0 });
  expect(byId.get("usr_loop_a")?.scoped).toBe(0);
  expect(SCOPE_MIN_TEAM).toBeLessThanOrEqual(13 * 50);
  const scopes = await t.db.selectFrom("report_rollup").select("scope").distinct().where("generation", "=", run.generation).execute();
  expect(scopes.map((s) => s.scope).sort()).toEqual(["", org.root, ...org.vps].sort());
});

describe("every view equals a direct count", () => {
  test("the organisation under each filter", async () => {
    for (const f of [{}, { department: "Legal" }, { type: "contractor" }, { status: "overdue" }, { status: "in_progress" }, { status: "not_started" }, { status: "completed" }, { status: "exempt" }, { status: "cancelled" }, { cycle: "incident-review" }, { course: "annual-refresher", status: "late" }] as AssignmentFilters[]) {
      await check(f, "rollup");
    }
  });

  test("a large team (from its rows), alone and with every other filter", async () => {
    for (const manager of [org.root, ...org.vps]) {
      await check({ manager }, "rollup");
      await check({ manager, department: "Legal" }, "rollup");
      await check({ manager, type: "contractor", status: "overdue" }, "rollup");
      await check({ manager, course: "protecting-trade-secrets", cycle: "onboarding" }, "rollup");
      await check({ manager, status: "on_time" }, "rollup");
    }
  });

  test("a small team, a dated cycle, and a manager caught in a loop are counted live", async () => {
    await check({ manager: org.leads[3] }, "live");
    await check({ manager: org.leads[3], status: "open" }, "live");
    const someRenewal = await t.db.selectFrom("assignments").select("cycle").where("cycle", "like", "renewal-%").limit(1).executeTakeFirstOrThrow();
    await check({ cycle: someRenewal.cycle }, "live");
    await check({ manager: org.vps[0], cycle: someRenewal.cycle }, "live");
    const loop = await check({ manager: "usr_loop_a" }, "live");
    expect(loop.totals.assigned + loop.totals.cancelled).toBeGreaterThan(0);
  });
});

test("the overdue list pages identically whichever way in it takes (team, cycle, due date; membership listed or walked up)", async () => {
  const cases: AssignmentFilters[] = [
    {},
    { manager: org.root },
    { manager: org.vps[1] },
    { manager: org.leads[0] },
    { cycle: "onboarding" },
    { cycle: "onboarding", manager: org.vps[0], status: "overdue" },
    { cycle: "onboarding", manager: org.root, type: "employee" },
    { cycle: "onboarding", manager: org.leads[1], course: "protecting-trade-secrets" },
    { course: "annual-refresher", department: "Sales", manager: org.root },
    { manager: "usr_loop_a" },
  ];
  const dated = await t.db
    .selectFrom("assignments")
    .select("cycle")
    .where("cycle", "like", "renewal-%")
    .where("completed_at", "is", null)
    .where("exempted_at", "is", null)
    .where("cancelled_at", "is", null)
    .where("due_at", "<", NOW)
    .limit(1)
    .executeTakeFirstOrThrow();
  cases.push({ cycle: dated.cycle }, { cycle: dated.cycle, manager: org.root });
  for (const filters of cases) {
    const manager = JSON.stringify(filters);
    const q = t.db
      .selectFrom("assignments as a")
      .innerJoin("users as u", "u.id", "a.user_id")
      .select(["a.id", "a.due_at"])
      .where("a.completed_at", "is", null)
      .where("a.exempted_at", "is", null)
      .where("a.cancelled_at", "is", null)
      .where("a.due_at", "<", NOW);
    const want = (await applyAssignmentFilters(t.db, q, filters, now).execute()).sort((a, b) => a.due_at.localeCompare(b.due_at) || a.id.localeCompare(b.id)).map((r) => r.id);
    const got: OverdueRow[] = [];
    let after: string | null = null;
    for (let i = 0; i < 200; i++) {
      const page: { rows: OverdueRow[]; next: string | null } = await listOverdue(t.db, { filters, now, after, limit: 50 });
      got.push(...page.rows);
      if (!page.next) break;
      after = page.next;
    }
    expect(got.map((r) => r.assignmentId), manager).toEqual(want);
    if (filters.manager !== "usr_loop_a") expect(want.length, manager).toBeGreaterThan(0);
  }
});

test("a refresh switches to a new generation whole, and keeps the previous one until the next", async () => {
  const first = (await currentRun(t.db))!;
  await t.db.updateTable("assignments").set({ completed_at: NOW }).where("completed_at", "is", null).where("cancelled_at", "is", null).where("exempted_at", "is", null).where("user_id", "like", "usr_s0_0_%").execute();
  const second = await refreshRollup(t.db, now);
  expect(second.skipped).toBe(false);
  const run = (await currentRun(t.db))!;
  expect(run.generation).toBe(first.generation + 1);
  const generations = async () => {
    const found: Record<string, number[]> = {};
    for (const table of ["report_rollup", "report_months", "report_cycles", "report_managers"] as const) {
      const gens = await t.db.selectFrom(table).select("generation").distinct().orderBy("generation").execute();
      found[table] = gens.map((g) => Number(g.generation));
    }
    return found;
  };
  // A page that started reading the previous counts when the switch happened can finish them.
  const both = [first.generation, run.generation];
  expect(await generations()).toEqual({ report_rollup: both, report_months: both, report_cycles: both, report_managers: both });
  await check({ manager: org.vps[0] }, "rollup");
  await check({}, "rollup");
  // The next refresh removes them.
  await refreshRollup(t.db, now);
  const third = (await currentRun(t.db))!;
  const kept = [run.generation, third.generation];
  expect(await generations()).toEqual({ report_rollup: kept, report_months: kept, report_cycles: kept, report_managers: kept });
  await check({}, "rollup");
});

test("two refreshes at once: one runs, the other says so", async () => {
  const [a, b] = await Promise.all([refreshRollup(t.db, now), refreshRollup(t.db, now)]);
  expect([a.skipped, b.skipped].sort()).toEqual([false, true]);
  await check({}, "rollup");
});
