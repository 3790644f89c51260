// Assignments that did not come from the scheduler — the demo seed, and anything else issued
// through issueAssignment — must count as what they are when the scheduler and the rules preview
// ask who already has a course.
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import { fixedClock } from "../../app/clock";
import { issueAssignment } from "../../app/assignments/assignments.server";
import { createPerson } from "../../app/people/people.server";
import { previewRuleChanges } from "../../app/scheduler/rule-changes.server";
import { seedDemo } from "../../scripts/seed";
import { freshDb, type TestDb } from "../support/db";
import { realCatalog, SECRET } from "../support/world";
import { assignmentsOf, duplicates, hire, MANAGERS, nothingDone, ONBOARDING, run } from "../support/org";

const NOW = "2027-03-01T09:00:00.000Z";

describe.sequential("the demo organisation", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDb();
    expect(await seedDemo(t.db, { catalog: realCatalog(), secret: SECRET, clock: fixedClock(NOW) })).toMatchObject({ seeded: true, people: 21 });
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  test("the first scheduler run issues only what is missing, and nothing twice", async () => {
    const first = await run(t.db, "2027-03-01T09:05:00.000Z");
    // Hannah (HR) has two reports but was not given the managers' course by the seed.
    expect(first.issued).toEqual({ onboarding: 1, annual: 0, policy_change: 0, leaving: 0, manual: 0 });
    const hannah = await t.db.selectFrom("users").selectAll().where("email", "=", "hr@example.com").executeTakeFirstOrThrow();
    expect((await assignmentsOf(t.db, hannah.id)).map((a) => [a.course_id, a.cycle])).toEqual([
      [ONBOARDING, "onboarding"],
      [MANAGERS, "onboarding"],
    ]);
    // (The seed's own assignments were never mailed; what the scheduler issued was, once.)
    const d = await duplicates(t.db);
    expect([d.assignments, d.onboardingTwice, d.orphanMails, d.eventKeys]).toEqual([[], [], [], []]);
    const mgr = (await assignmentsOf(t.db, hannah.id, MANAGERS))[0];
    expect(d.assignmentsWithoutOneAssignedMail).not.toContain(mgr.id);
    // Each person has the onboarding course once.
    const perPerson = await t.db
      .selectFrom("assignments")
      .select((eb) => ["user_id", eb.fn.countAll<number>().as("n")])
      .where("course_id", "=", ONBOARDING)
      .groupBy("user_id")
      .execute();
    expect(perPerson.length).toBe(21);
    expect(perPerson.every((r) => Number(r.n) === 1)).toBe(true);
    expect(nothingDone(await run(t.db, "2027-03-01T09:05:00.000Z"))).toBe(true);
  });

  test("with no rule changed, the rules preview reports nothing", async () => {
    expect(await previewRuleChanges(t.db, { catalog: realCatalog(), now: new Date("2027-03-01T09:10:00.000Z") })).toEqual([]);
  });
});

// BUG (same cause): onboarding() selects, 500 at a time and always from the start (ordered by id,
// no cursor), the people with no assignment in the course's family, and stops when a batch issues
// nothing. People whose onboarding assignment has family NULL are selected every time and never
// issued (the insert conflicts), so once there are 500 of them ahead of a new hire in id order,
// every run stops at that first batch and the new hire is never assigned. Fix as above; also
// page with a cursor (`u.id > last`) rather than re-reading from the start.
test("500 people assigned outside the scheduler do not stop a new hire from being assigned", async () => {
  const t = await freshDb();
  onTestFinished(() => t.close());
  const catalog = realCatalog();
  const course = catalog.courses.get(ONBOARDING)!;
  const clock = fixedClock("2027-02-01T09:00:00.000Z");
  await t.db.transaction().execute(async (trx) => {
    for (let i = 0; i < 500; i++) {
      const p = await createPerson(trx, { name: `Early ${i}`, email: `early${i}@org.test`, startDate: "2027-01-04", type: "employee" }, null, clock);
      await issueAssignment(trx, { userId: p.id, course, cycle: "onboarding", reason: "onboarding", actorId: null }, clock);
    }
  });
  const hired = await hire(t.db, { name: "Nadia Newcomer", startDate: "2027-03-01", canSign: false }, "2027-02-01T09:00:00.000Z");
  // Last in id order (ids are random; this makes the case certain rather than likely).
  await t.db.updateTable("users").set({ id: "usr_zzzzzzzzzzzzzzzzzzzzzzzz" }).where("id", "=", hired.id).execute();
  await run(t.db, NOW);
  await run(t.db, "2027-03-02T09:00:00.000Z");
  expect((await assignmentsOf(t.db, "usr_zzzzzzzzzzzzzzzzzzzzzzzz")).map((a) => a.course_id)).toEqual([ONBOARDING]);
});
