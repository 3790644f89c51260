// A person's record for HR: who they are, every assignment across cycles, every quiz attempt
// (scores, never answers), every signature with its receipt, every message, every change to their
// profile; a link to their evidence pack; 404 for unknown people and for everyone but HR.
import { afterAll, beforeAll, expect, test } from "vitest";
import { fixedClock } from "../../app/clock";
import { assign, workThroughCourse } from "../../app/demo/factories.server";
import { enqueueNotification } from "../../app/notifications/outbox.server";
import { endLeave, startLeave } from "../../app/people/people.server";
import { getPersonRecord } from "../../app/reports/person-record.server";
import { exemptAssignment, grantExtension } from "../../app/hr/actions.server";
import { makeWorld, PASSWORD, SECRET, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
let server: TestServer;
let hrCookie: string;
let code: string;
let answers: string[];

beforeAll(async () => {
  w = await makeWorld();
  const refresher = w.catalog.courses.get("annual-refresher")!;
  // Alice: onboarding done (one failed attempt, then passed and signed); a renewal extended;
  // a manual cycle she was exempted from; a leave; two messages.
  const onboarding = await assign(w.db, { userId: w.alice.id, course: w.course, dueAt: "2027-03-20T23:59:59.000Z" }, fixedClock("2027-02-20T09:00:00.000Z"));
  code = (await workThroughCourse(
    w.db,
    { user: w.alice, assignment: onboarding, course: w.course, catalog: w.catalog, upTo: "attested", failQuizFirst: true, password: PASSWORD, secret: SECRET, at: "2027-02-25T10:00:00.000Z" },
    w.clock,
  ))!;
  answers = (await w.db.selectFrom("quiz_attempts").select("answers_json").where("user_id", "=", w.alice.id).execute()).map((r) => r.answers_json);
  const renewal = await assign(w.db, { userId: w.alice.id, course: refresher, cycle: "renewal-2027-03-10", reason: "annual", dueAt: "2027-03-10T00:00:00.000Z" }, fixedClock("2027-02-25T09:00:00.000Z"));
  const manual = await assign(w.db, { userId: w.alice.id, course: refresher, cycle: "incident-review", reason: "manual", dueAt: "2027-03-15T23:59:59.000Z" }, w.clock);
  const viewer = { id: w.hr.id, is_hr: 1 };
  expect((await grantExtension(w.db, { viewer, personId: w.alice.id, form: { assignment: renewal.id, due: "2027-04-10", reason: "Back from a long trip" } }, w.clock))?.ok).toBe(true);
  expect((await exemptAssignment(w.db, { viewer, personId: w.alice.id, form: { assignment: manual.id, reason: "Not involved in the incident" } }, w.clock))?.ok).toBe(true);
  await w.db.transaction().execute((trx) => startLeave(trx, { userId: w.alice.id, actorId: w.hr.id }, fixedClock("2027-02-26T09:00:00.000Z")));
  await w.db.transaction().execute((trx) => endLeave(trx, { userId: w.alice.id, actorId: w.hr.id }, fixedClock("2027-02-28T09:00:00.000Z")));
  for (const [key, kind, subject] of [["assigned:alice", "assigned", "Please complete: onboarding"], ["overdue:alice", "overdue", "Overdue: the refresher"]] as const) {
    await w.db.transaction().execute((trx) =>
      enqueueNotification(trx, { eventKey: key, kind, userId: w.alice.id, toEmail: w.alice.email, assignmentId: onboarding.id, why: `Test rule ${kind}`, subject, body: "Hello" }, new Date("2027-02-27T09:00:00.000Z")),
    );
  }
  server = await startTestServer(w);
  hrCookie = await server.login("hr@test.example");
});

afterAll(async () => {
  await server?.close();
  await w?.close();
});

async function page(path: string, cookie = hrCookie) {
  const res = await server.get(path, cookie);
  return { status: res.status, html: (await res.text()).replaceAll("<!-- -->", "") };
}

test("the record holds every assignment, attempt, signature, message and profile change", async () => {
  const r = (await getPersonRecord(w.db, { id: w.alice.id, viewer: w.hr, now: w.clock() }))!;
  expect(r.person).toMatchObject({ name: "Alice Archer", email: "alice@test.example", manager: { id: w.manager.id, name: "Mark Mendes" }, status: "active" });
  expect(r.assignments.map((a) => [a.courseId, a.cycle, a.reason, a.status]).sort()).toEqual(
    [
      ["annual-refresher", "incident-review", "manual", "exempt"],
      ["annual-refresher", "renewal-2027-03-10", "annual", "not_started"],
      ["protecting-trade-secrets", "onboarding", "onboarding", "completed"],
    ].sort(),
  );
  const onboarding = r.assignments.find((a) => a.cycle === "onboarding")!;
  expect(onboarding).toMatchObject({ onTime: true, open: false, completedAt: expect.any(String) });
  // Extended to 10 April, then two days of leave moved it on to the 12th.
  expect(r.assignments.find((a) => a.cycle === "renewal-2027-03-10")).toMatchObject({ dueAt: "2027-04-12T23:59:59.000Z", open: true });
  expect(r.attempts.map((a) => a.passed).sort()).toEqual([false, true]);
  expect(r.attempts.find((a) => a.passed)).toMatchObject({ score: 100, cycle: "onboarding", courseId: "protecting-trade-secrets" });
  expect(r.attestations).toHaveLength(1);
  expect(r.attestations[0]).toMatchObject({ code, printedName: "Alice Archer" });
  expect(r.notifications.map((n) => n.subject)).toEqual(expect.arrayContaining(["Please complete: onboarding", "Overdue: the refresher"]));
  expect(r.notificationCount).toBe(r.notifications.length);
  expect(r.profileChanges.map((c) => c.action)).toEqual(["person.leave_ended", "person.leave_started", "person.created"]);
  expect(r.profileChanges[0]).toMatchObject({ actorName: "Helen Harper", data: { days: 2 } });
  expect(r.assignmentEvents.map((e) => e.action)).toEqual(expect.arrayContaining(["assignment.extended", "assignment.exempted", "assignment.issued"]));
  expect(r.assignmentEvents.find((e) => e.action === "assignment.extended")).toMatchObject({ actorName: "Helen Harper", data: { reason: "Back from a long trip", to: "2027-04-10T23:59:59.000Z" } });
  // Scores, never the answers given.
  const json = JSON.stringify(r);
  for (const a of answers) for (const value of Object.values(JSON.parse(a) as Record<string, unknown>)) expect(json).not.toContain(JSON.stringify(value));
  expect(json).not.toContain("answers");
});

test("HR's page shows it all, with receipt links and the evidence pack", async () => {
  const { status, html } = await page(`/hr/people/${w.alice.id}`);
  expect(status).toBe(200);
  expect(html).toContain("<h1>Alice Archer</h1>");
  for (const text of [
    "Protecting Confidential Information and Trade Secrets",
    "renewal-2027-03-10",
    "incident-review",
    "Exempt: Not involved in the incident",
    "Annual renewal",
    "12 April 2027",
    "100%",
    "Not passed",
    "Please complete: onboarding",
    "Test rule overdue",
    "person.leave_started",
    "assignment.extended",
    "Back from a long trip",
    "Mark Mendes",
    // The audit entries in words, people by name.
    "<td>Leave started</td>",
    "<td>Due date extended</td>",
    "<td>Added to Confidant</td>",
    "<li>Manager: Mark Mendes</li>",
    "<li>HR admin: No</li>",
  ]) {
    expect(html, text).toContain(text);
  }
  // Ids and raw field names appear only inside "As recorded", never as the details themselves.
  expect(html).not.toMatch(/<li>[^<]*(managerId|usr_)/);
  expect(html).toContain(`href="/receipts/${code}"`);
  expect(html).toContain(`href="/hr/people/${w.alice.id}/evidence"`);
  expect(html).toContain(">Evidence pack</a>");
  // Only the open assignment can be extended or exempted.
  expect((html.match(/name="intent" value="extend"/g) ?? []).length).toBe(1);
  expect(html).not.toMatch(/\sstyle="/);
});

test("an unknown or malformed id is a 404", async () => {
  for (const id of ["usr_doesnotexist", "..%2F..%2Fetc", "x".repeat(80)]) {
    const { status, html } = await page(`/hr/people/${id}`);
    expect(status, id).toBe(404);
    expect(html, id).toContain("There is no such person.");
  }
  expect(await getPersonRecord(w.db, { id: "usr_doesnotexist", viewer: w.hr, now: w.clock() })).toBeNull();
});

test("employees and managers are told the record does not exist (page, data and actions)", async () => {
  expect(await getPersonRecord(w.db, { id: w.alice.id, viewer: w.manager, now: w.clock() })).toBeNull();
  const open = (await getPersonRecord(w.db, { id: w.alice.id, viewer: w.hr, now: w.clock() }))!.assignments.find((a) => a.open)!;
  for (const email of ["alice@test.example", "manager@test.example"]) {
    const cookie = await server.login(email);
    for (const path of [`/hr/people/${w.alice.id}`, `/hr/people/${w.alice.id}.data`, `/hr/people/${w.bob.id}`]) {
      const res = await server.get(path, cookie);
      expect(res.status, `${email} ${path}`).toBe(404);
      expect(await res.text(), `${email} ${path}`).not.toContain("renewal-2027-03-10");
    }
    for (const form of <Array<Record<string, string>>>[
      { intent: "extend", assignment: open.id, due: "2027-12-31", reason: "Trying to extend my own" },
      { intent: "exempt", assignment: open.id, reason: "Trying to exempt myself" },
    ]) {
      for (const path of [`/hr/people/${w.alice.id}?index`, `/hr/people/${w.alice.id}`, `/hr/people/${w.alice.id}.data`]) {
        const res = await server.post(path, form, cookie);
        expect(res.status, `${email} POST ${path} ${form.intent}`).toBe(404);
      }
    }
  }
  const after = await w.db.selectFrom("assignments").select(["due_at", "exempted_at"]).where("id", "=", open.id).executeTakeFirstOrThrow();
  expect(after).toEqual({ due_at: "2027-04-12T23:59:59.000Z", exempted_at: null });
});
