// Assigning to a group is previewed before anything happens — how many, who first, how many
// emails — and two contradictions are refused per person: a second open course asking for the
// same agreement, and a refresher before the course it refreshes. The same answers on SQLite and
// PostgreSQL (the demo organisation seeded into both), and through HR's page.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Db } from "../../db/connection";
import { fixedClock } from "../../app/clock";
import { assignFormSchema } from "../../app/hr/actions.server";
import { assignCourse, planAssignment } from "../../app/hr/assign.server";
import { seedDemo } from "../../scripts/seed";
import { freshDb, type TestDb } from "../support/db";
import { realCatalog, SECRET } from "../support/world";
import { bothDatabases } from "../support/both-databases";
import { startTestServer, type TestServer } from "../support/server";
import { enrolSoftPasskey } from "../support/authenticator";
import { DEMO_PASSWORD } from "../../scripts/seed";
import { makePerson } from "../../app/demo/factories.server";

const clock = fixedClock("2027-03-01T09:00:00.000Z");
const catalog = realCatalog();
const dbs = bothDatabases({
  seed: async (db) => {
    await seedDemo(db, { catalog, secret: SECRET, clock });
    // Joined last year and was never given the onboarding course: nothing open, nothing done.
    await makePerson(db, { email: "nina@example.com", name: "Nina Novak", startDate: "2026-05-01", department: "Engineering" }, clock);
  },
});

const hrOf = async (db: Db) => ({ id: (await db.selectFrom("users").select("id").where("email", "=", "hr@example.com").executeTakeFirstOrThrow()).id, is_hr: 1 });
const rows = async (db: Db) => {
  const n = async (t: "assignments" | "notifications" | "audit_log") => Number((await db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst())?.n ?? 0);
  return { assignments: await n("assignments"), notifications: await n("notifications"), audit: await n("audit_log") };
};
const refresherForEngineering = assignFormSchema.parse({
  course: "annual-refresher",
  cycle: "review-2027-03",
  due: "2027-03-31",
  reason: "Access review after the March incident",
  group: "department",
  department: "Engineering",
});

describe.each(dbs.names)("on %s", (name) => {
  const dbOf = () => dbs.db(name);
  test("the preview counts who gets it and who is left out, and writes nothing", async () => {
    const db = dbOf();
    const before = await rows(db);
    const planned = await planAssignment(db, { viewer: await hrOf(db), catalog, form: refresherForEngineering }, clock);
    if (!planned?.ok) throw new Error("no plan");
    const { plan } = planned;
    const engineers = await db.selectFrom("users").select("name").where("department", "=", "Engineering").where("status", "=", "active").execute();
    expect(plan.people).toBe(engineers.length);
    const refused = plan.refusals.reduce((n, r) => n + r.count, 0);
    expect(plan.newlyAssigned + refused + plan.alreadyHad).toBe(plan.people);
    // Aisha and Erin are still working on the onboarding course, which asks for the same agreement.
    const samePolicy = plan.refusals.find((r) => r.reason.includes("the same agreement (Confidentiality and Trade Secret Agreement)"))!;
    expect(samePolicy.firstNames.slice(0, 2)).toEqual(["Aisha Khan", "Erin Walsh"]);
    // Nina has not done the onboarding course that the refresher follows.
    const notYet = plan.refusals.find((r) => r.reason.startsWith("have not completed Protecting Confidential Information and Trade Secrets yet"))!;
    expect(notYet).toMatchObject({ count: 1, firstNames: ["Nina Novak"] });
    // Priya completed onboarding and has nothing open: she is among the first names to get it.
    expect(plan.firstNames).toContain("Priya Shah");
    expect(plan.newlyAssigned).toBeGreaterThan(0);
    expect(await rows(db)).toEqual(before);
  });

  test("assigning does what the preview said: the refused get nothing, the rest one assignment and one email", async () => {
    const db = dbOf();
    const hr = await hrOf(db);
    const planned = await planAssignment(db, { viewer: hr, catalog, form: refresherForEngineering }, clock);
    if (!planned?.ok) throw new Error("no plan");
    const before = await rows(db);
    const done = await assignCourse(db, { viewer: hr, catalog, origin: "http://confidant.test", form: refresherForEngineering }, clock);
    if (!done?.ok) throw new Error("not assigned");
    expect(done.outcome.assigned).toBe(planned.plan.newlyAssigned);
    expect(done.outcome.refused).toBe(planned.plan.refusals.reduce((n, r) => n + r.count, 0));
    const after = await rows(db);
    expect(after.assignments - before.assignments).toBe(planned.plan.newlyAssigned);
    expect(after.notifications - before.notifications).toBe(planned.plan.newlyAssigned);
    const holders = await db
      .selectFrom("assignments as a")
      .innerJoin("users as u", "u.id", "a.user_id")
      .select("u.name")
      .where("a.cycle", "=", "review-2027-03")
      .execute();
    expect(holders.map((h) => h.name)).not.toContain("Tom Becker");
    expect(holders.map((h) => h.name)).not.toContain("Erin Walsh");
    expect(holders.map((h) => h.name)).not.toContain("Nina Novak");
    expect(holders.map((h) => h.name)).toContain("Priya Shah");
  });

  test("one person: a second open course for the same agreement, or a refresher before onboarding, is refused with the reason", async () => {
    const db = dbOf();
    const before = await rows(db);
    const one = (person: string) => assignFormSchema.parse({ ...refresherForEngineering, cycle: "one-off", group: "person", person });
    const erin = await assignCourse(db, { viewer: await hrOf(db), catalog, origin: "http://confidant.test", form: one("employee@example.com") }, clock);
    expect(erin).toMatchObject({ ok: false, status: 409 });
    expect(erin && !erin.ok && erin.formError).toBe(
      "Nothing was assigned: employee@example.com already has an open course asking them to sign the same agreement (Confidentiality and Trade Secret Agreement); finish, exempt or cancel that one first.",
    );
    const nina = await assignCourse(db, { viewer: await hrOf(db), catalog, origin: "http://confidant.test", form: one("nina@example.com") }, clock);
    expect(nina && !nina.ok && nina.formError).toBe(
      "Nothing was assigned: nina@example.com has not completed Protecting Confidential Information and Trade Secrets yet, which this refresher follows; assign that course instead.",
    );
    expect(await rows(db)).toEqual(before);
  });
});

describe("through HR's page", () => {
  let t: TestDb;
  let server: TestServer;
  let hr: string;
  beforeAll(async () => {
    t = await freshDb();
    await seedDemo(t.db, { catalog, secret: SECRET, clock });
    const demoHr = await t.db.selectFrom("users").select(["id", "email", "name"]).where("email", "=", "hr@example.com").executeTakeFirstOrThrow();
    await enrolSoftPasskey(t.db, demoHr, clock);
    server = await startTestServer({ db: t.db, catalog, clock });
    hr = await server.login("hr@example.com", DEMO_PASSWORD);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });
  const form = { course: "leading-a-culture-of-confidentiality", cycle: "leaders-2027", due: "2027-04-30", reason: "New leadership programme", group: "everyone" };
  const text = async (res: Response) => (await res.text()).replaceAll("<!-- -->", "").replaceAll("&#x27;", "'");

  test("a group shows the count, the first names and the emails, and asks to confirm; a stale confirmation is shown again", async () => {
    const before = await rows(t.db);
    const preview = await server.post("/hr/assign", form, hr);
    expect(preview.status).toBe(200);
    const html = await text(preview);
    const active = Number((await t.db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n")).where("status", "=", "active").executeTakeFirst())?.n);
    expect(html).toContain(`Issues ${active} assignments and sends ${active} emails`);
    expect(html).toMatch(/Aisha Khan, [A-Z]/);
    expect(html).toContain(`Assign to ${active} people`);
    expect(await rows(t.db)).toEqual(before);

    // Confirming numbers that are no longer true assigns nothing and shows the preview again.
    const stale = await server.post("/hr/assign", { ...form, intent: "confirm", expect: String(active + 3) }, hr);
    expect(stale.status).toBe(200);
    expect(await text(stale)).toContain("The numbers changed since the preview");
    expect(await rows(t.db)).toEqual(before);

    const done = await server.post("/hr/assign", { ...form, intent: "confirm", expect: String(active) }, hr);
    expect(done.status).toBe(302);
    // The form opens again on the same course, cycle, due date and group.
    const again = new URL(done.headers.get("location")!, server.url).searchParams;
    expect(Object.fromEntries(again)).toMatchObject({ course: form.course, cycle: form.cycle, due: form.due, group: "everyone" });
    const page = await text(await server.get(done.headers.get("location")!, hr));
    expect(page).toContain('value="leaders-2027"');
    expect(page).toContain('value="2027-04-30"');
    expect((await rows(t.db)).assignments).toBe(before.assignments + active);
  });
});
