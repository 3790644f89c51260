// Nudges: a manager reminds late people now, with an optional personal line. Once a day per person
// per assignment; audited; queued in the same outbox as the scheduler's mail.
import { afterAll, beforeAll, expect, test } from "vitest";
import { fixedClock } from "../../app/clock";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { assign } from "../../app/demo/factories.server";
import { startLeave } from "../../app/people/people.server";
import { nudge, nudgeEventKey, parseNudgeForm } from "../../app/team/nudge.server";
import type { Assignment } from "../../db/schema";
import { makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
let server: TestServer;
let manager: string;
let aliceLate: Assignment;
let bobLate: Assignment;
let bobDone: Assignment;

const nudges = (assignmentId: string) =>
  w.db.selectFrom("notifications").selectAll().where("kind", "=", "nudge").where("assignment_id", "=", assignmentId).orderBy("created_at").execute();
/** Is the "remind" checkbox for this assignment ticked on the page? */
const ticked = (html: string, id: string) => {
  const input = new RegExp(`<input type="checkbox"[^>]*value="${id}"[^>]*>`).exec(html)?.[0];
  if (!input) throw new Error(`No checkbox for ${id}`);
  return input.includes('checked=""');
};
const audits = (assignmentId: string) =>
  w.db.selectFrom("audit_log").selectAll().where("action", "=", "assignment.nudged").where("subject_id", "=", assignmentId).execute();

beforeAll(async () => {
  w = await makeWorld();
  aliceLate = await assign(w.db, { userId: w.alice.id, course: w.course, dueAt: "2027-02-19T09:00:00.000Z" }, w.clock);
  bobLate = await assign(w.db, { userId: w.bob.id, course: w.course, dueAt: "2027-02-26T09:00:00.000Z" }, w.clock);
  bobDone = await assign(w.db, { userId: w.bob.id, course: w.catalog.courses.get("annual-refresher")!, cycle: "renewal-2027" }, w.clock);
  await w.db.updateTable("assignments").set({ completed_at: "2027-02-20T09:00:00.000Z" }).where("id", "=", bobDone.id).execute();
  server = await startTestServer(w);
  manager = await server.login("manager@test.example");
});

afterAll(async () => {
  await server?.close();
  await w?.close();
});

test("the team page offers the late people, unticked until the manager chooses, with how late they are", async () => {
  const html = await (await server.get("/team", manager)).text();
  expect(html).toContain("Late: remind them");
  expect(ticked(html, aliceLate.id)).toBe(false);
  expect(ticked(html, bobLate.id)).toBe(false);
  expect(html).toContain("10 days");
  expect(html).toContain("3 days");
});

test("a nudge is queued in the outbox, with the personal line and a link to the course, and audited", async () => {
  const res = await server.post(
    "/team?index",
    [
      ["assignment", aliceLate.id],
      ["note", "  Could you finish this before Friday's client visit?  "],
    ],
    manager,
  );
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toContain("Sent 1 reminder.");
  expect(html).toContain("Reminder sent to Alice Archer about Protecting Confidential Information and Trade Secrets.");

  const [mail] = await nudges(aliceLate.id);
  expect(mail).toMatchObject({
    event_key: `nudge:${aliceLate.id}:2027-03-01`,
    kind: "nudge",
    user_id: w.alice.id,
    to_email: "alice@test.example",
    status: "pending",
  });
  expect(mail.subject).toBe("Mark Mendes asks you to finish: Protecting Confidential Information and Trade Secrets");
  expect(mail.body).toContain("Hello Alice,");
  expect(mail.body).toContain("is now 10 days overdue");
  expect(mail.body).toContain("Mark Mendes adds:\n\nCould you finish this before Friday's client visit?\n\n");
  expect(mail.body).toContain(`${server.url}/courses/${w.course.id}`);
  expect(mail.why).toBe("Mark Mendes sent a reminder from their team page");

  const [entry] = await audits(aliceLate.id);
  expect(entry.actor_id).toBe(w.manager.id);
  expect(JSON.parse(entry.data_json)).toMatchObject({ userId: w.alice.id, courseId: w.course.id, daysOverdue: 10, withNote: true });
  expect((await verifyAuditChain(w.db)).ok).toBe(true);

  // The page now says so, and Alice's box cannot be ticked again today; Bob's still can.
  const after = await (await server.get("/team", manager)).text();
  expect(after).toContain("Reminded today");
  const box = (html: string, id: string) => new RegExp(`<input type="checkbox"[^>]*value="${id}"[^>]*>`).exec(html)?.[0] ?? "";
  expect(box(after, aliceLate.id)).toContain('disabled=""');
  expect(box(after, bobLate.id)).not.toContain("disabled");
  expect(ticked(after, bobLate.id)).toBe(false);
});

test("a second nudge the same day sends nothing and says why", async () => {
  const res = await server.post(
    "/team?index",
    [
      ["assignment", aliceLate.id],
      ["assignment", bobLate.id],
    ],
    manager,
  );
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toContain("Sent 1 reminder.");
  expect(html).toContain("Alice Archer was already reminded about Protecting Confidential Information and Trade Secrets today, so nothing was sent.");
  expect(html).toContain("Reminder sent to Bob Baker");
  expect(await nudges(aliceLate.id)).toHaveLength(1);
  expect(await audits(aliceLate.id)).toHaveLength(1);
  expect(await nudges(bobLate.id)).toHaveLength(1);
});

test("the limit is per calendar day (UTC): the next day a nudge goes again", async () => {
  const lateEvening = fixedClock("2027-03-01T23:59:59.000Z");
  const again = await nudge(w.db, { manager: w.manager, assignmentIds: [aliceLate.id], catalog: w.catalog, origin: server.url }, lateEvening);
  expect(again?.map((o) => o.result)).toEqual(["already_today"]);
  const tomorrow = fixedClock("2027-03-02T00:00:01.000Z");
  const next = await nudge(w.db, { manager: w.manager, assignmentIds: [aliceLate.id], catalog: w.catalog, origin: server.url }, tomorrow);
  expect(next?.map((o) => o.result)).toEqual(["sent"]);
  expect((await nudges(aliceLate.id)).map((n) => n.event_key)).toEqual([nudgeEventKey(aliceLate.id, w.clock()), `nudge:${aliceLate.id}:2027-03-02`]);
  expect(await audits(aliceLate.id)).toHaveLength(2);
});

test("completed assignments and people on leave are not nudged", async () => {
  const done = await server.post("/team?index", [["assignment", bobDone.id]], manager);
  expect(done.status).toBe(200);
  const html = await done.text();
  expect(html).toContain("No reminder sent.");
  expect(html).toContain("is no longer open, so nothing was sent.");
  expect(await nudges(bobDone.id)).toHaveLength(0);

  const clock = fixedClock("2027-03-03T09:00:00.000Z");
  await w.db.transaction().execute((trx) => startLeave(trx, { userId: w.bob.id, actorId: w.hr.id }, clock));
  const onLeave = await nudge(w.db, { manager: w.manager, assignmentIds: [bobLate.id], catalog: w.catalog, origin: server.url }, clock);
  expect(onLeave?.map((o) => o.result)).toEqual(["on_leave"]);
  expect(await nudges(bobLate.id)).toHaveLength(1);
});

test("bad input is a 400 with the reason, and sends nothing", async () => {
  const before = (await w.db.selectFrom("notifications").select("id").execute()).length;
  const none = await server.post("/team?index", [["note", "hello"]], manager);
  expect(none.status).toBe(400);
  expect(await none.text()).toContain("Choose at least one person to remind.");
  const long = await server.post(
    "/team?index",
    [
      ["assignment", aliceLate.id],
      ["note", "x".repeat(501)],
    ],
    manager,
  );
  expect(long.status).toBe(400);
  expect(await long.text()).toContain("Keep the personal line to 500 characters.");
  const junk = await server.post("/team?index", [["assignment", "'; drop table users; --"]], manager);
  expect(junk.status).toBe(400);
  expect((await w.db.selectFrom("notifications").select("id").execute()).length).toBe(before);
});

test("the form schema de-duplicates, trims, and drops control characters from the personal line", () => {
  const form = new URLSearchParams([
    ["assignment", "asg_abc"],
    ["assignment", "asg_abc"],
    ["note", " \u0007Thanks!\r\nSee you \u0000soon "],
  ]);
  const parsed = parseNudgeForm(form);
  expect(parsed).toEqual({ ok: true, data: { assignment: ["asg_abc"], note: "Thanks!\nSee you soon" } });
  const exactly = parseNudgeForm(
    new URLSearchParams([
      ["assignment", "asg_abc"],
      ["note", "y".repeat(500)],
    ]),
  );
  expect(exactly.ok).toBe(true);
});
