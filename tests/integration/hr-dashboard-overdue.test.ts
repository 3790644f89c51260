// HR's overdue list: most days late first, keyset pages of 50 with nothing repeated or lost,
// reminders counted per assignment, the manager shown; "remind selected people now" queues one
// reminder per assignment per day through the outbox, audited; everyone but HR gets a 404.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { addDays, type Clock } from "../../app/clock";
import { assign, makePerson } from "../../app/demo/factories.server";
import { enqueueNotification } from "../../app/notifications/outbox.server";
import { applyAssignmentFilters, type AssignmentFilters } from "../../app/reports/filters.server";
import { decodeOverdueCursor, listOverdue, type OverdueRow } from "../../app/reports/overdue.server";
import { remindOverdue } from "../../app/hr/actions.server";
import type { User } from "../../db/schema";
import { freshDb, type TestDb } from "../support/db";
import { enrolSoftPasskey } from "../support/authenticator";
import { passwordHash, PASSWORD, realCatalog } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

const NOW = "2027-03-01T09:00:00.000Z";
const current = NOW;
const clock: Clock = () => new Date(current);

let t: TestDb;
let server: TestServer;
let hrCookie: string;
let hr: User;
let boss: User;
let lead: User;
const people: User[] = [];
let onLeave: User;

beforeAll(async () => {
  t = await freshDb();
  const catalog = realCatalog();
  const course = catalog.courses.get("protecting-trade-secrets")!;
  const refresher = catalog.courses.get("annual-refresher")!;
  const hash = await passwordHash();
  const at = (iso: string): Clock => () => new Date(iso);
  hr = await makePerson(t.db, { email: "hr@test.example", name: "Helen Harper", startDate: "2025-01-01", isHr: true, passwordHash: hash }, at("2025-01-01T00:00:00.000Z"));
  // HR admins must have a second factor (the sign-in helper uses this passkey).
  await enrolSoftPasskey(t.db, hr, at("2025-01-01T00:00:00.000Z"));
  boss = await makePerson(t.db, { email: "boss@test.example", name: "Bea Boss", startDate: "2025-01-01", department: "Sales", passwordHash: hash }, at("2025-01-01T00:00:00.000Z"));
  lead = await makePerson(t.db, { email: "lead@test.example", name: "Lee Lead", startDate: "2025-01-01", department: "Sales", managerId: boss.id, passwordHash: hash }, at("2025-01-01T00:00:00.000Z"));
  // 60 people, each with two overdue assignments; due dates repeat (several people share a due
  // time), so the id decides among equals.
  for (let i = 0; i < 60; i++) {
    const p = await makePerson(
      t.db,
      {
        email: `p${String(i).padStart(2, "0")}@test.example`,
        name: `Person ${String(i).padStart(2, "0")}`,
        startDate: "2026-01-01",
        department: i % 3 === 0 ? "Engineering" : "Sales",
        type: i % 5 === 0 ? "contractor" : "employee",
        managerId: i % 2 === 0 ? lead.id : boss.id,
        passwordHash: i < 3 ? hash : null,
      },
      at("2026-01-01T00:00:00.000Z"),
    );
    people.push(p);
    const due = addDays("2027-02-27T09:00:00.000Z", -(i % 20));
    await assign(t.db, { userId: p.id, course, dueAt: due }, at("2026-12-01T00:00:00.000Z"));
    await assign(t.db, { userId: p.id, course: refresher, cycle: "renewal-2027-01-15", reason: "annual", dueAt: addDays(due, -3) }, at("2026-12-01T00:00:00.000Z"));
  }
  // Not overdue: completed, exempt, cancelled, not yet due.
  const a = await t.db.selectFrom("assignments").select("id").where("user_id", "=", people[0].id).where("course_id", "=", refresher.id).executeTakeFirstOrThrow();
  await t.db.updateTable("assignments").set({ completed_at: "2027-02-01T00:00:00.000Z" }).where("id", "=", a.id).execute();
  const b = await t.db.selectFrom("assignments").select("id").where("user_id", "=", people[1].id).where("course_id", "=", refresher.id).executeTakeFirstOrThrow();
  await t.db.updateTable("assignments").set({ exempted_at: "2027-02-01T00:00:00.000Z" }).where("id", "=", b.id).execute();
  const c = await t.db.selectFrom("assignments").select("id").where("user_id", "=", people[2].id).where("course_id", "=", refresher.id).executeTakeFirstOrThrow();
  await t.db.updateTable("assignments").set({ cancelled_at: "2027-02-01T00:00:00.000Z" }).where("id", "=", c.id).execute();
  await assign(t.db, { userId: people[3].id, course: refresher, cycle: "renewal-2027-04-01", reason: "annual", dueAt: "2027-04-01T00:00:00.000Z" }, at("2027-02-01T00:00:00.000Z"));
  onLeave = people[4];
  await t.db.updateTable("users").set({ status: "leave", leave_started_at: "2027-02-15T00:00:00.000Z" }).where("id", "=", onLeave.id).execute();

  // Reminders: person 5's onboarding got its "assigned" mail (not a reminder), two overdue notices and a nudge.
  const five = await t.db.selectFrom("assignments").select("id").where("user_id", "=", people[5].id).where("course_id", "=", course.id).executeTakeFirstOrThrow();
  for (const [key, kind] of [["assigned", "assigned"], ["o1", "overdue"], ["o2", "overdue"], ["n1", "nudge"]] as const) {
    await t.db.transaction().execute((trx) =>
      enqueueNotification(trx, { eventKey: `${key}:${five.id}`, kind, userId: people[5].id, toEmail: people[5].email, assignmentId: five.id, why: "test", subject: kind, body: kind }, new Date("2027-02-28T09:00:00.000Z")),
    );
  }

  server = await startTestServer({ db: t.db, catalog, clock });
  hrCookie = await server.login("hr@test.example", PASSWORD);
});

afterAll(async () => {
  await server?.close();
  await t?.close();
});

/** The expected list, straight from the table: open, past due, by due date then id. */
async function expected(filters: AssignmentFilters = {}) {
  const q = t.db
    .selectFrom("assignments as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .select(["a.id", "a.due_at"])
    .where("a.completed_at", "is", null)
    .where("a.exempted_at", "is", null)
    .where("a.cancelled_at", "is", null)
    .where("a.due_at", "<", current);
  const rows = await applyAssignmentFilters(t.db, q, filters, new Date(current)).execute();
  return rows.sort((x, y) => x.due_at.localeCompare(y.due_at) || x.id.localeCompare(y.id)).map((r) => r.id);
}

async function everyPage(filters: AssignmentFilters = {}, limit = 50) {
  const pages: OverdueRow[][] = [];
  let after: string | null = null;
  for (let i = 0; i < 100; i++) {
    const page: { rows: OverdueRow[]; next: string | null } = await listOverdue(t.db, { filters, now: clock(), after, limit });
    pages.push(page.rows);
    if (!page.next) break;
    after = page.next;
  }
  return pages;
}

describe("the list", () => {
  test("most days late first, then by id; keyset pages hold every overdue assignment exactly once", async () => {
    const want = await expected();
    expect(want.length).toBe(60 * 2 - 3);
    const pages = await everyPage();
    expect(pages.map((p) => p.length)).toEqual([50, 50, want.length - 100]);
    const got = pages.flat();
    expect(got.map((r) => r.assignmentId)).toEqual(want);
    expect(new Set(got.map((r) => r.assignmentId)).size).toBe(got.length);
    for (let i = 1; i < got.length; i++) expect(got[i].daysLate).toBeLessThanOrEqual(got[i - 1].daysLate);
    // Small pages cut through runs of equal due dates without losing or repeating anything.
    expect((await everyPage({}, 7)).flat().map((r) => r.assignmentId)).toEqual(want);
  });

  test("filters apply to every page (department, manager's tree, course, contractors)", async () => {
    for (const filters of [{ department: "Engineering" }, { manager: lead.id }, { manager: boss.id, type: "contractor" as const }, { course: "annual-refresher" }, { status: "overdue" as const }]) {
      const want = await expected(filters);
      expect(want.length, JSON.stringify(filters)).toBeGreaterThan(0);
      expect((await everyPage(filters, 20)).flat().map((r) => r.assignmentId), JSON.stringify(filters)).toEqual(want);
    }
    expect((await everyPage({ status: "on_time" })).flat()).toEqual([]);
  });

  test("each row says who, what, how late, how often reminded and who their manager is", async () => {
    const rows = (await everyPage()).flat();
    const five = rows.find((r) => r.personId === people[5].id && r.courseId === "protecting-trade-secrets")!;
    expect(five).toMatchObject({ personName: "Person 05", personEmail: "p05@test.example", managerId: boss.id, managerName: "Bea Boss", remindersSent: 3, cycle: "onboarding" });
    expect(five.daysLate).toBe(Math.floor((Date.parse(NOW) - Date.parse(five.dueAt)) / 86_400_000));
    expect(five.lastRemindedAt).toBe("2027-02-28T09:00:00.000Z");
    const six = rows.find((r) => r.personId === people[6].id && r.courseId === "protecting-trade-secrets")!;
    expect(six).toMatchObject({ remindersSent: 0, managerName: "Lee Lead", remindedToday: false });
  });

  test("a cursor that the list did not make is refused", async () => {
    expect(decodeOverdueCursor("not a cursor")).toBeNull();
    expect(decodeOverdueCursor(Buffer.from("yesterday|asg_x").toString("base64url"))).toBeNull();
    await expect(listOverdue(t.db, { filters: {}, now: clock(), after: "bogus!", limit: 50 })).rejects.toThrow();
  });
});

describe("remind selected people now", () => {
  async function notificationsFor(ids: string[]) {
    return t.db.selectFrom("notifications").selectAll().where("assignment_id", "in", ids).where("event_key", "like", "hr-reminder:%").orderBy("event_key").execute();
  }

  test("queues one reminder per assignment through the outbox, audited; a second click the same day queues nothing", async () => {
    const page = (await listOverdue(t.db, { filters: {}, now: clock(), limit: 50 })).rows;
    const picked = page.filter((r) => r.personStatus === "active").slice(0, 3);
    const ids = picked.map((r) => r.assignmentId);
    const auditBefore = await t.db.selectFrom("audit_log").select((eb) => eb.fn.countAll<number>().as("n")).where("action", "=", "hr.reminder_sent").executeTakeFirst();
    expect(Number(auditBefore?.n)).toBe(0);

    const res = await server.post("/hr/overdue?department=&status=", ids.map((id) => ["assignment", id] as [string, string]), hrCookie);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/hr/overdue?department=&status=");
    const flashCookie = res.headers.get("set-cookie")!.split(";")[0];
    const after = await server.get("/hr/overdue", `${hrCookie}; ${flashCookie}`);
    expect((await after.text()).replaceAll("<!-- -->", "")).toContain("Reminder queued for 3 people.");

    const sent = await notificationsFor(ids);
    expect(sent.map((n) => n.event_key).sort()).toEqual(ids.map((id) => `hr-reminder:${id}:2027-03-01`).sort());
    for (const n of sent) {
      const row = picked.find((r) => r.assignmentId === n.assignment_id)!;
      expect(n).toMatchObject({ kind: "overdue", user_id: row.personId, to_email: row.personEmail, status: "pending" });
      expect(n.subject).toBe(`Overdue: ${realCatalog().courses.get(row.courseId)!.meta.title}`);
      expect(n.body).toContain(`is now ${row.daysLate} day`);
      expect(n.why).toBe(`Reminded by HR: ${row.daysLate} days overdue`);
    }
    const audit = await t.db.selectFrom("audit_log").selectAll().where("action", "=", "hr.reminder_sent").execute();
    expect(audit.map((a) => a.subject_id).sort()).toEqual([...ids].sort());
    expect(audit.every((a) => a.actor_id === hr.id && a.subject_type === "assignment")).toBe(true);

    // The list now says so, and the boxes cannot be ticked again today.
    const listed = (await listOverdue(t.db, { filters: {}, now: clock(), limit: 50 })).rows.filter((r) => ids.includes(r.assignmentId));
    expect(listed.every((r) => r.remindedToday && r.remindersSent >= 1)).toBe(true);

    const again = await server.post("/hr/overdue", ids.map((id) => ["assignment", id] as [string, string]), hrCookie);
    expect(again.status).toBe(302);
    const againPage = await server.get("/hr/overdue", `${hrCookie}; ${again.headers.get("set-cookie")!.split(";")[0]}`);
    expect((await againPage.text()).replaceAll("<!-- -->", "")).toContain("No new reminders were queued. 3 people had already been reminded today");
    expect((await notificationsFor(ids)).length).toBe(3);
    expect((await t.db.selectFrom("audit_log").selectAll().where("action", "=", "hr.reminder_sent").execute()).length).toBe(3);

    // The next day, one more each.
    const nextDay = await remindOverdue(t.db, { viewer: hr, assignmentIds: ids, catalog: realCatalog(), origin: "http://confidant.test" }, () => new Date("2027-03-02T09:00:00.000Z"));
    expect(nextDay).toEqual({ queued: 3, alreadyToday: 0, notOverdue: 0, notActive: 0 });
    expect((await notificationsFor(ids)).length).toBe(6);
  });

  test("people on leave and assignments that are no longer overdue are not reminded", async () => {
    const leaveRow = await t.db.selectFrom("assignments").select("id").where("user_id", "=", onLeave.id).where("completed_at", "is", null).executeTakeFirstOrThrow();
    const done = await t.db.selectFrom("assignments").select("id").where("user_id", "=", people[0].id).where("completed_at", "is not", null).executeTakeFirstOrThrow();
    const notDue = await t.db.selectFrom("assignments").select("id").where("user_id", "=", people[3].id).where("cycle", "=", "renewal-2027-04-01").executeTakeFirstOrThrow();
    const res = await server.post("/hr/overdue", [["assignment", leaveRow.id], ["assignment", done.id], ["assignment", notDue.id]], hrCookie);
    expect(res.status).toBe(302);
    const page = await server.get("/hr/overdue", `${hrCookie}; ${res.headers.get("set-cookie")!.split(";")[0]}`);
    const html = (await page.text()).replaceAll("<!-- -->", "");
    expect(html).toContain("No new reminders were queued.");
    expect(html).toContain("2 assignments were no longer overdue.");
    expect(html).toContain("1 person on leave or no longer here was not reminded.");
    expect(await notificationsFor([leaveRow.id, done.id, notDue.id])).toEqual([]);
  });

  test("nothing ticked, or something that is not an assignment, gets a 400 and changes nothing", async () => {
    const before = await t.db.selectFrom("notifications").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst();
    const none = await server.post("/hr/overdue", {}, hrCookie);
    expect(none.status).toBe(400);
    expect(await none.text()).toContain("Tick at least one person to remind.");
    const bad = await server.post("/hr/overdue", [["assignment", "'; drop table users; --"]], hrCookie);
    expect(bad.status).toBe(400);
    const after = await t.db.selectFrom("notifications").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst();
    expect(Number(after?.n)).toBe(Number(before?.n));
  });
});

describe("the page", () => {
  test("HR sees 50 rows with boxes to tick, days late, reminders and managers, and a link to the next page", async () => {
    const res = await server.get("/hr/overdue", hrCookie);
    expect(res.status).toBe(200);
    const html = (await res.text()).replaceAll("<!-- -->", "");
    expect(html).toContain("<h1>Overdue</h1>");
    expect((html.match(/name="assignment"/g) ?? []).length).toBe(50);
    expect(html).toContain("Remind selected people now");
    expect(html).toMatch(/href="\/hr\/overdue\?after=[A-Za-z0-9_-]+"/);
    expect(html).toContain("Bea Boss");
    expect(html).not.toMatch(/\sstyle="/);
    const next = /href="(\/hr\/overdue\?after=[A-Za-z0-9_-]+)"/.exec(html)![1];
    const second = (await (await server.get(next, hrCookie)).text()).replaceAll("<!-- -->", "");
    expect((second.match(/name="assignment"/g) ?? []).length).toBe(50);
    expect(second).toContain("First page");
  });

  test("filters and page links that are not valid get a 400 with a plain message", async () => {
    for (const query of ["status=late-ish", "type=x", "after=%%%", `after=${Buffer.from("x|y").toString("base64url")}`]) {
      const res = await server.get(`/hr/overdue?${query}`, hrCookie);
      expect(res.status, query).toBe(400);
      expect(await res.text(), query).not.toMatch(/ZodError|node_modules|\bat \S+ \(|\.ts:\d+/);
    }
  });

  test("employees and managers are told the page does not exist, and cannot remind anyone", async () => {
    const some = (await listOverdue(t.db, { filters: {}, now: clock(), limit: 5 })).rows.map((r) => r.assignmentId);
    const before = await t.db.selectFrom("notifications").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst();
    for (const email of ["p00@test.example", "boss@test.example"]) {
      const cookie = await server.login(email, PASSWORD);
      for (const path of ["/hr/overdue", "/hr/overdue?department=Sales", "/hr/overdue.data"]) {
        const res = await server.get(path, cookie);
        expect(res.status, `${email} ${path}`).toBe(404);
        const body = await res.text();
        expect(body, `${email} ${path}`).not.toContain("p05@test.example");
      }
      for (const path of ["/hr/overdue", "/hr/overdue.data"]) {
        const post = await server.post(path, some.map((id) => ["assignment", id] as [string, string]), cookie);
        expect(post.status, `${email} POST ${path}`).toBe(404);
      }
    }
    const after = await t.db.selectFrom("notifications").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst();
    expect(Number(after?.n)).toBe(Number(before?.n));
  });
});
