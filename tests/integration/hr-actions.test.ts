// HR's manual actions: assign a course to a person or a group (idempotent per person, course and
// cycle, with the "assigned" email), grant an extension (only later), exempt someone — each with a
// required reason, each audited; bad input is a 400 with a field error and writes nothing; and
// nobody but HR can do any of it.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { assign, makePerson } from "../../app/demo/factories.server";
import { assignFormSchema } from "../../app/hr/actions.server";
import { assignCourse } from "../../app/hr/assign.server";
import { refreshRollup } from "../../app/reports/rollup.server";
import type { User } from "../../db/schema";
import { makeWorld, passwordHash, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
let server: TestServer;
let hrCookie: string;
let carol: User;
let research: User[];
let onLeave: User;
let lawyer: User;
let contractor: User;

beforeAll(async () => {
  w = await makeWorld();
  const hash = await passwordHash();
  // manager → alice, bob; alice → carol. Research has two active people and one on leave.
  carol = await makePerson(w.db, { email: "carol@test.example", name: "Carol Chen", startDate: "2026-01-01", managerId: w.alice.id, department: "Research", passwordHash: hash }, w.clock);
  research = [
    carol,
    await makePerson(w.db, { email: "rick@test.example", name: "Rick Rivera", startDate: "2026-01-01", department: "Research" }, w.clock),
  ];
  onLeave = await makePerson(w.db, { email: "lena@test.example", name: "Lena Leave", startDate: "2026-01-01", department: "Research", status: "leave" }, w.clock);
  lawyer = await makePerson(w.db, { email: "lou@test.example", name: "Lou Lawyer", startDate: "2026-01-01", department: "Legal" }, w.clock);
  contractor = await makePerson(w.db, { email: "cass@test.example", name: "Cass Contract", startDate: "2026-01-01", type: "contractor" }, w.clock);
  await makePerson(w.db, { email: "gone@test.example", name: "Gus Gone", startDate: "2025-01-01", department: "Research", status: "inactive" }, w.clock);
  server = await startTestServer(w);
  hrCookie = await server.login("hr@test.example");
});

afterAll(async () => {
  await server?.close();
  await w?.close();
});

async function counts() {
  const n = async (table: "assignments" | "notifications") => Number((await w.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst())?.n ?? 0);
  // Signing in is audited too; only what these actions write is counted here.
  const audit = await w.db.selectFrom("audit_log").select((eb) => eb.fn.countAll<number>().as("n")).where((eb) => eb.or([eb("action", "like", "hr.%"), eb("action", "like", "assignment.%")])).executeTakeFirst();
  return { assignments: await n("assignments"), notifications: await n("notifications"), audit: Number(audit?.n ?? 0) };
}

async function flashAfter(res: Response) {
  expect(res.status).toBe(302);
  const cookie = res.headers.get("set-cookie")!.split(";")[0];
  const page = await server.get(res.headers.get("location")!, `${hrCookie}; ${cookie}`);
  return (await page.text()).replaceAll("<!-- -->", "").replaceAll("&#x27;", "'");
}

const base = { course: "protecting-trade-secrets", cycle: "incident-2027-03", due: "2027-03-31", reason: "Source code shared in a public repository" };
const TITLE = "Protecting Confidential Information and Trade Secrets";

/** A group is previewed first (nothing written), then confirmed with the count it showed. */
async function confirmAssign(form: Record<string, string>): Promise<Response> {
  const before = await counts();
  const preview = await server.post("/hr/assign", form, hrCookie);
  expect(preview.status).toBe(200);
  const html = await preview.text();
  expect(await counts()).toEqual(before);
  const expectCount = /name="expect" value="(\d+)"/.exec(html)?.[1] ?? "0";
  return server.post("/hr/assign", { ...form, intent: "confirm", expect: expectCount }, hrCookie);
}

describe("assign a course", () => {
  test("to a department: active people only, once each; again, nobody twice", async () => {
    const before = await counts();
    const res = await confirmAssign({ ...base, group: "department", department: "Research" });
    const flash = await flashAfter(res);
    expect(flash).toContain(`${TITLE} (incident-2027-03, due 31 March 2027) for everyone active in Research: assigned to 2 people.`);
    const rows = await w.db.selectFrom("assignments").selectAll().where("cycle", "=", "incident-2027-03").execute();
    expect(rows.map((r) => r.user_id).sort()).toEqual(research.map((p) => p.id).sort());
    for (const r of rows) expect(r).toMatchObject({ course_id: "protecting-trade-secrets", reason: "manual", due_at: "2027-03-31T23:59:59.000Z", note: base.reason, assigned_at: "2027-03-01T09:00:00.000Z" });
    const mails = await w.db.selectFrom("notifications").selectAll().where("assignment_id", "in", rows.map((r) => r.id)).execute();
    expect(mails.map((m) => m.kind)).toEqual(["assigned", "assigned"]);
    expect(mails.every((m) => m.event_key === `assigned:${m.assignment_id}` && m.subject.includes(TITLE) && m.body.includes("HR assigned it to you"))).toBe(true);
    const summary = await w.db.selectFrom("audit_log").selectAll().where("action", "=", "hr.course_assigned").orderBy("seq", "desc").executeTakeFirstOrThrow();
    expect(summary.actor_id).toBe(w.hr.id);
    expect(JSON.parse(summary.data_json)).toMatchObject({ courseId: "protecting-trade-secrets", cycle: "incident-2027-03", reason: base.reason, people: 2, assigned: 2, alreadyHad: 0, group: { kind: "department", value: "Research" } });
    const issued = await w.db.selectFrom("audit_log").selectAll().where("action", "=", "assignment.issued").where("subject_id", "in", rows.map((r) => r.id)).execute();
    expect(issued.every((e) => e.actor_id === w.hr.id)).toBe(true);
    const after = await counts();
    expect(after).toEqual({ assignments: before.assignments + 2, notifications: before.notifications + 2, audit: before.audit + 3 });

    const again = await flashAfter(await confirmAssign({ ...base, group: "department", department: "Research" }));
    expect(again).toContain("assigned to 0 people; 2 already had it for this cycle and were left as they were.");
    expect(await counts()).toEqual({ ...after, audit: after.audit + 1 });
  });

  test("to a manager's whole team, at any depth, and then to everyone active", async () => {
    const team = await flashAfter(await confirmAssign({ ...base, group: "team", manager: w.manager.id }));
    // alice, bob and carol (below alice); carol already had it.
    expect(team).toContain("for everyone active in Mark Mendes's team: assigned to 2 people; 1 already had it");
    const everyone = await flashAfter(await confirmAssign({ ...base, group: "everyone" }));
    // hr, manager, lawyer and the contractor are new; alice, bob, carol, rick had it; Lena (on leave) and Gus (left) are not included.
    expect(everyone).toContain("for everyone active: assigned to 4 people; 4 already had it");
    const holders = await w.db.selectFrom("assignments").select("user_id").where("cycle", "=", "incident-2027-03").execute();
    expect(holders).toHaveLength(8);
    expect(holders.map((h) => h.user_id)).not.toContain(onLeave.id);
    const again = await flashAfter(await confirmAssign({ ...base, group: "everyone" }));
    expect(again).toContain("assigned to 0 people; 8 already had it");
  });

  test("to one person by email (even on leave), and to all contractors", async () => {
    const one = await flashAfter(await server.post("/hr/assign", { ...base, cycle: "one-off", group: "person", person: "LENA@test.example" }, hrCookie));
    expect(one).toContain("for LENA@test.example: assigned to 1 person.");
    expect(await w.db.selectFrom("assignments").select("user_id").where("cycle", "=", "one-off").execute()).toEqual([{ user_id: onLeave.id }]);
    const contractors = await flashAfter(await confirmAssign({ ...base, course: "leading-a-culture-of-confidentiality", cycle: "contractors-2027", group: "type", type: "contractor" }));
    expect(contractors).toContain("for every active contractor: assigned to 1 person.");
    expect(await w.db.selectFrom("assignments").select("user_id").where("cycle", "=", "contractors-2027").execute()).toEqual([{ user_id: contractor.id }]);
  });

  test.each([
    ["no reason", { ...base, group: "everyone", reason: "" }, "reason", "Give a reason of at least 5 characters"],
    ["a reason too short", { ...base, group: "everyone", reason: "abc" }, "reason", "Give a reason of at least 5 characters"],
    ["a reason too long", { ...base, group: "everyone", reason: "x".repeat(501) }, "reason", "500 characters or fewer"],
    ["no department", { ...base, group: "department" }, "department", "Choose a department."],
    ["an empty department", { ...base, group: "department", department: "Nowhere" }, "department", "Nobody active works in that department."],
    ["a stranger", { ...base, group: "person", person: "nobody@test.example" }, "person", "There is no current person with that email address."],
    ["someone who left", { ...base, group: "person", person: "gone@test.example" }, "person", "There is no current person with that email address."],
    ["a date in the past", { ...base, group: "everyone", due: "2027-02-01" }, "due", "The due date must be after today."],
    ["a date that does not exist", { ...base, group: "everyone", due: "2027-02-30" }, "due", "That due date does not exist."],
    ["an unknown course", { ...base, group: "everyone", course: "no-such-course" }, "course", "There is no course with that name."],
    ["a cycle with odd characters", { ...base, group: "everyone", cycle: "Spring 2027!" }, "cycle", "lower-case letters, digits and dashes"],
    ["no group", { ...base }, "group", "Choose who should get it."],
  ] as Array<[string, Record<string, string>, string, string]>)("%s is a 400 with a field error, and nothing is written", async (_name, form, field, message) => {
    const before = await counts();
    const res = await server.post("/hr/assign", form, hrCookie);
    expect(res.status).toBe(400);
    const html = (await res.text()).replaceAll("<!-- -->", "");
    expect(html).toContain(`id="${field}-error"`);
    expect(html).toContain(message);
    expect(html).toContain("Nothing was assigned");
    expect(await counts()).toEqual(before);
  });

  test("the form schema and the domain refuse the same things without the HTTP layer", async () => {
    expect(assignFormSchema.safeParse({ ...base, group: "team" }).success).toBe(false);
    const parsed = assignFormSchema.parse({ ...base, group: "everyone" });
    expect(await assignCourse(w.db, { viewer: { id: w.alice.id, is_hr: 0 }, catalog: w.catalog, origin: "http://x", form: parsed }, w.clock)).toBeNull();
  });
});

describe("extension and exemption", () => {
  let open: { id: string; due_at: string };
  beforeEach(async () => {
    const a = await assign(w.db, { userId: w.bob.id, course: w.course, cycle: `ext-${Math.random().toString(36).slice(2, 8)}`, reason: "manual", dueAt: "2027-03-10T23:59:59.000Z" }, w.clock);
    open = { id: a.id, due_at: a.due_at };
  });
  const path = () => `/hr/people/${w.bob.id}?index`;

  test("an extension moves the due date later, with its reason in the audit log", async () => {
    const flash = await flashAfter(await server.post(path(), { intent: "extend", assignment: open.id, due: "2027-04-15", reason: "Parental leave overlap" }, hrCookie));
    expect(flash).toContain("Extended: now due 15 April 2027 (was 10 March 2027).");
    expect((await w.db.selectFrom("assignments").select("due_at").where("id", "=", open.id).executeTakeFirstOrThrow()).due_at).toBe("2027-04-15T23:59:59.000Z");
    const entry = await w.db.selectFrom("audit_log").selectAll().where("action", "=", "assignment.extended").where("subject_id", "=", open.id).executeTakeFirstOrThrow();
    expect(entry.actor_id).toBe(w.hr.id);
    expect(JSON.parse(entry.data_json)).toMatchObject({ from: "2027-03-10T23:59:59.000Z", to: "2027-04-15T23:59:59.000Z", reason: "Parental leave overlap", userId: w.bob.id });
  });

  test.each([
    ["an earlier date", { due: "2027-03-05", reason: "Moving it the wrong way" }, "due", "The new due date must be later than the current one (10 March 2027)."],
    ["the same date", { due: "2027-03-10", reason: "Not really an extension" }, "due", "must be later than the current one"],
    ["no reason", { due: "2027-04-15", reason: "" }, "reason", "Give a reason of at least 5 characters"],
    ["a short reason", { due: "2027-04-15", reason: "pls" }, "reason", "Give a reason of at least 5 characters"],
    ["no date", { due: "", reason: "Forgot the date here" }, "due", "Give the new due date as YYYY-MM-DD."],
  ] as Array<[string, Record<string, string>, string, string]>)("an extension to %s is a 400 with a field error, and nothing changes", async (_n, form, field, message) => {
    const before = await counts();
    const res = await server.post(path(), { intent: "extend", assignment: open.id, ...form }, hrCookie);
    expect(res.status).toBe(400);
    const html = (await res.text()).replaceAll("<!-- -->", "");
    expect(html).toContain(`id="extend-${field}-${open.id}-error"`);
    expect(html).toContain(message);
    expect((await w.db.selectFrom("assignments").select("due_at").where("id", "=", open.id).executeTakeFirstOrThrow()).due_at).toBe(open.due_at);
    expect(await counts()).toEqual(before);
  });

  test("an exemption takes the assignment out of what is required, audited; a second one is refused", async () => {
    const flash = await flashAfter(await server.post(path(), { intent: "exempt", assignment: open.id, reason: "Works on no confidential projects" }, hrCookie));
    expect(flash).toContain("Exempted from Protecting Confidential Information and Trade Secrets");
    const row = await w.db.selectFrom("assignments").select(["exempted_at", "note"]).where("id", "=", open.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ exempted_at: "2027-03-01T09:00:00.000Z", note: "Exempt: Works on no confidential projects" });
    const entry = await w.db.selectFrom("audit_log").selectAll().where("action", "=", "assignment.exempted").where("subject_id", "=", open.id).executeTakeFirstOrThrow();
    expect(entry.actor_id).toBe(w.hr.id);
    expect(JSON.parse(entry.data_json)).toMatchObject({ reason: "Works on no confidential projects", userId: w.bob.id });

    const before = await counts();
    const again = await server.post(path(), { intent: "exempt", assignment: open.id, reason: "Once more for luck" }, hrCookie);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("already exempt");
    const extend = await server.post(path(), { intent: "extend", assignment: open.id, due: "2027-05-01", reason: "Extending an exempt one" }, hrCookie);
    expect(extend.status).toBe(409);
    expect(await counts()).toEqual(before);
  });

  test("a short reason for an exemption is a 400 and changes nothing", async () => {
    const before = await counts();
    const res = await server.post(path(), { intent: "exempt", assignment: open.id, reason: "no" }, hrCookie);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(`id="exempt-reason-${open.id}-error"`);
    expect((await w.db.selectFrom("assignments").select("exempted_at").where("id", "=", open.id).executeTakeFirstOrThrow()).exempted_at).toBeNull();
    expect(await counts()).toEqual(before);
  });

  test("someone else's assignment through this person's page is a 404, and an unknown action a 400", async () => {
    const other = await assign(w.db, { userId: lawyer.id, course: w.course, cycle: "not-bobs", reason: "manual", dueAt: "2027-03-10T23:59:59.000Z" }, w.clock);
    const res = await server.post(path(), { intent: "exempt", assignment: other.id, reason: "Wrong person entirely" }, hrCookie);
    expect(res.status).toBe(404);
    expect((await w.db.selectFrom("assignments").select("exempted_at").where("id", "=", other.id).executeTakeFirstOrThrow()).exempted_at).toBeNull();
    const odd = await server.post(path(), { intent: "delete", assignment: open.id, reason: "Let us try this" }, hrCookie);
    expect(odd.status).toBe(400);
  });
});

test("employees and managers are told /hr/assign does not exist, and can change nothing anywhere", async () => {
  const target = await assign(w.db, { userId: w.bob.id, course: w.course, cycle: "guarded", reason: "manual", dueAt: "2027-03-10T23:59:59.000Z" }, w.clock);
  const before = await counts();
  for (const email of ["alice@test.example", "manager@test.example"]) {
    const cookie = await server.login(email);
    for (const path of ["/hr/assign", "/hr/assign?group=person&person=bob%40test.example", "/hr/assign.data"]) {
      const res = await server.get(path, cookie);
      expect(res.status, `${email} ${path}`).toBe(404);
      expect(await res.text(), `${email} ${path}`).not.toContain("Assign a course");
    }
    for (const path of ["/hr/assign", "/hr/assign.data"]) {
      const res = await server.post(path, { ...base, group: "everyone" }, cookie);
      expect(res.status, `${email} POST ${path}`).toBe(404);
    }
    for (const form of <Array<Record<string, string>>>[
      { intent: "extend", assignment: target.id, due: "2027-12-31", reason: "Give me more time" },
      { intent: "exempt", assignment: target.id, reason: "Let me off the hook" },
    ]) {
      const res = await server.post(`/hr/people/${w.bob.id}?index`, form, cookie);
      expect(res.status, `${email} ${form.intent}`).toBe(404);
    }
  }
  expect(await counts()).toEqual(before);
});

test("HR's form lists courses, departments and managers, and can start from a person", async () => {
  // The choices come from the reporting rollup: count it now (the previews above wrote nothing,
  // and the test clock never lets it age into a refresh by itself).
  await refreshRollup(w.db, w.clock());
  const res = await server.get("/hr/assign?group=person&person=bob%40test.example", hrCookie);
  expect(res.status).toBe(200);
  const html = (await res.text()).replaceAll("<!-- -->", "");
  expect(html).toContain("<h1>Assign a course</h1>");
  expect(html).toContain('value="bob@test.example"');
  expect(html).toContain('<option value="Research">Research</option>');
  expect(html).toContain("Mark Mendes");
  expect(html).toContain('name="reason"');
  expect(html).not.toMatch(/\sstyle="/);
});
