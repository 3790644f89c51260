// A year in the life of a small company, against a real SQLite file: the scheduler runs every
// morning at 09:00 UTC "as if it were" that day (like `npm run scheduler -- --once --now …`),
// and people hire, learn, go on leave, leave, and sign a changed agreement in between. The tests
// run in order and share the one database; each names the behaviour it checks.
//
// Every morning three runs are made: a dry run, which must report exactly what the real run
// then does and change nothing; the real run; and the same moment again, which must do nothing.
//
// The cast (created on 4 January 2027, the day Confidant is rolled out):
//   Helen Harper  HR, with the company since 2020
//   Mark Mendes   manages Nora, Alice and Carol; with the company since 2020
//   Nora Novak    a new manager (Bob reports to her), starts 18 January 2027
//   Alice Archer  starts 11 January 2027; finishes her onboarding late
//   Bob Baker     starts 11 January 2027; on leave 1–21 February
//   Carol Chen    a contractor; starts 26 April 2027, last day 14 May 2027
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { addDays, fixedClock } from "../../app/clock";
import type { Catalog } from "../../app/courses/catalog.server";
import type { RunSummary } from "../../app/scheduler/scheduler.server";
import { attestationUnlocked, getCourseState, nextModule, quizUnlocked } from "../../app/learning/progress.server";
import { presentedToken, signAttestation } from "../../app/attestations/attestations.server";
import { createSession } from "../../app/auth/session.server";
import { verifyAuditChain } from "../../app/audit/audit.server";
import type { Assignment, User } from "../../db/schema";
import { freshDb, type TestDb } from "../support/db";
import { PASSWORD, realCatalog, SECRET } from "../support/world";
import {
  AGREEMENT,
  assignmentOf,
  assignmentsOf,
  catalogWithAgreementV2,
  completeCourse,
  counts,
  duplicates,
  EXIT,
  goOnLeave,
  hire,
  mailLog,
  MANAGERS,
  NO_DUPLICATES,
  nothingDone,
  notifications,
  ONBOARDING,
  person,
  REFRESHER,
  returnFromLeave,
  rowCounts,
  run,
  setEndDate,
} from "../support/org";

const PTS = ONBOARDING;
const PTS_TITLE = "Protecting Confidential Information and Trade Secrets";
const POLICY_CYCLE = `policy-${AGREEMENT}-v2`;

let t: TestDb;
let catalog: Catalog;
let minorChange: ReturnType<typeof catalogWithAgreementV2>;
let materialChange: ReturnType<typeof catalogWithAgreementV2>;
let helen: User, mark: User, nora: User, alice: User, bob: User, carol: User;

// --- travelling ------------------------------------------------------------------------------

type Rows = Awaited<ReturnType<typeof rowCounts>>;
interface Morning {
  day: string;
  dry: RunSummary;
  real: RunSummary;
  again: RunSummary;
  beforeDry: Rows;
  afterDry: Rows;
  afterReal: Rows;
  afterAgain: Rows;
}
const mornings: Morning[] = [];
const summaryOn = new Map<string, RunSummary>();

const at9 = (day: string) => `${day}T09:00:00.000Z`;
const nextDay = (day: string) => addDays(`${day}T00:00:00.000Z`, 1).slice(0, 10);

async function morning(day: string) {
  const db = t.db;
  const now = at9(day);
  const beforeDry = await rowCounts(db);
  const dry = await run(db, now, { catalog, dryRun: true });
  const afterDry = await rowCounts(db);
  const real = await run(db, now, { catalog });
  const afterReal = await rowCounts(db);
  const again = await run(db, now, { catalog });
  const afterAgain = await rowCounts(db);
  mornings.push({ day, dry, real, again, beforeDry, afterDry, afterReal, afterAgain });
  summaryOn.set(day, real);
}

/** Every morning from `from` to `to`, both included. */
async function travel(from: string, to: string) {
  for (let day = from; day <= to; day = nextDay(day)) await morning(day);
}

let lastDay = "";
/** Every morning after the last one travelled up to `to`. */
async function travelTo(to: string) {
  await travel(lastDay ? nextDay(lastDay) : "2027-01-04", to);
  lastDay = to;
}

// --- doing things ------------------------------------------------------------------------------

async function complete(user: User, courseId: string, cycle: string, at: string) {
  const a = await assignmentOf(t.db, user.id, courseId, cycle);
  return completeCourse(t.db, catalog, user, a, at);
}

/** Signs the agreement's current version for an assignment, as the attest page does. */
async function sign(user: User, assignment: Assignment, at: string) {
  const course = catalog.courses.get(assignment.course_id)!;
  const policy = catalog.policies.get(AGREEMENT)!;
  const presented = presentedToken(SECRET, { assignmentId: assignment.id, policyId: policy.id, version: policy.current.version, at });
  const result = await signAttestation(
    t.db,
    {
      viewer: user,
      assignment,
      course,
      policy,
      consentPolicy: null,
      form: { intent: "on", name: user.name, password: PASSWORD, presented },
      ip: "127.0.0.1",
      userAgent: "scheduler-year test",
      secret: SECRET,
    },
    fixedClock(at),
  );
  expect(result.ok, JSON.stringify(result)).toBe(true);
}

/** Issued counts by day, leaving out the days with nothing issued. */
function issuedByDay() {
  const out: Record<string, Partial<RunSummary["issued"]>> = {};
  for (const [day, s] of summaryOn) {
    const nonZero = Object.fromEntries(Object.entries(s.issued).filter(([, n]) => n > 0));
    if (Object.keys(nonZero).length) out[day] = nonZero;
  }
  return out;
}

/** The first morning run strictly after a moment. */
function firstMorningAfter(iso: string) {
  const day = iso.slice(0, 10);
  return at9(iso < at9(day) ? day : nextDay(day)).slice(0, 10);
}

beforeAll(async () => {
  t = await freshDb();
  catalog = realCatalog();
  minorChange = catalogWithAgreementV2({ material: false });
  materialChange = catalogWithAgreementV2({ material: true });
  const entered = "2027-01-04T08:00:00.000Z";
  helen = await hire(t.db, { name: "Helen Harper", startDate: "2020-01-06", hr: true }, entered);
  mark = await hire(t.db, { name: "Mark Mendes", startDate: "2020-01-06" }, entered);
  nora = await hire(t.db, { name: "Nora Novak", startDate: "2027-01-18", manager: mark }, entered);
  alice = await hire(t.db, { name: "Alice Archer", startDate: "2027-01-11", manager: mark }, entered);
  bob = await hire(t.db, { name: "Bob Baker", startDate: "2027-01-11", manager: nora }, entered);
  carol = await hire(t.db, { name: "Carol Chen", startDate: "2027-04-26", manager: mark, type: "contractor" }, entered);
}, 60_000);

afterAll(async () => {
  minorChange?.cleanup();
  materialChange?.cleanup();
  await t?.close();
});

// Generous timeouts: the machine running the tests may be busy.
describe.sequential("a year of scheduler runs", { timeout: 120_000 }, () => {
  test("people already there at rollout get the onboarding course (managers also the managers' course), due 30 days from the first run", async () => {
    await travelTo("2027-01-04");
    const due = "2027-02-03T09:00:00.000Z";
    const shape = (a: Assignment) => [a.course_id, a.cycle, a.reason, a.family, a.assigned_at, a.due_at, a.completed_at, a.previous_expires_at];
    expect((await assignmentsOf(t.db, helen.id)).map(shape)).toEqual([[PTS, "onboarding", "onboarding", PTS, at9("2027-01-04"), due, null, null]]);
    expect((await assignmentsOf(t.db, mark.id)).map(shape)).toEqual([
      [MANAGERS, "onboarding", "onboarding", MANAGERS, at9("2027-01-04"), due, null, null],
      [PTS, "onboarding", "onboarding", PTS, at9("2027-01-04"), due, null, null],
    ]);
    // Nobody is assigned anything before their start date.
    for (const p of [nora, alice, bob, carol]) expect(await assignmentsOf(t.db, p.id)).toEqual([]);
    expect(await mailLog(t.db, mark.email)).toEqual([`2027-01-04 assigned ${MANAGERS}/onboarding`, `2027-01-04 assigned ${PTS}/onboarding`]);

    await travelTo("2027-01-05");
    await complete(helen, PTS, "onboarding", "2027-01-05T10:00:00.000Z");
    await travelTo("2027-01-06");
    await complete(mark, PTS, "onboarding", "2027-01-06T10:00:00.000Z");
    await complete(mark, MANAGERS, "onboarding", "2027-01-06T10:00:00.000Z");
    const helenDone = await assignmentOf(t.db, helen.id, PTS, "onboarding");
    expect([helenDone.completed_at, helenDone.expires_at]).toEqual(["2027-01-05T10:00:00.000Z", "2028-01-05T10:00:00.000Z"]);
  });

  test("a hire is assigned the onboarding course on the start date, due 30 days after it, with an 'assigned' mail; the managers' course only for those with reports", async () => {
    await travelTo("2027-01-10");
    expect(await assignmentsOf(t.db, alice.id)).toEqual([]);
    await travelTo("2027-01-11");
    for (const p of [alice, bob]) {
      const rows = await assignmentsOf(t.db, p.id);
      expect(rows.map((a) => [a.course_id, a.cycle, a.reason, a.family, a.assigned_at, a.due_at])).toEqual([
        [PTS, "onboarding", "onboarding", PTS, at9("2027-01-11"), "2027-02-10T23:59:59.000Z"],
      ]);
      const mails = await notifications(t.db, { userId: p.id });
      expect(mails.map((n) => [n.kind, n.to_email, n.event_key, n.assignment_id, n.created_at, n.why])).toEqual([
        ["assigned", p.email, `assigned:${rows[0].id}`, rows[0].id, at9("2027-01-11"), "Assigned (onboarding)"],
      ]);
    }
    const [mail] = await notifications(t.db, { userId: alice.id, kind: "assigned" });
    expect(mail.subject).toBe(`Please complete: ${PTS_TITLE} (due 10 February 2027)`);
    expect(mail.body).toContain("Hello Alice Archer,");
    expect(mail.body).toContain(`complete "${PTS_TITLE}" by 10 February 2027, because it is part of joining the company.`);
    expect(mail.body).toContain(`Start here: http://confidant.test/courses/${PTS}\n`);

    await travelTo("2027-01-17");
    expect(await assignmentsOf(t.db, nora.id)).toEqual([]);
    await travelTo("2027-01-18");
    // Nora has a report (Bob), so she is in the managers' course's audience; Alice and Bob are not.
    expect((await assignmentsOf(t.db, nora.id)).map((a) => [a.course_id, a.cycle, a.reason, a.due_at])).toEqual([
      [MANAGERS, "onboarding", "onboarding", "2027-02-17T23:59:59.000Z"],
      [PTS, "onboarding", "onboarding", "2027-02-17T23:59:59.000Z"],
    ]);
    expect(await mailLog(t.db, nora.email)).toEqual([`2027-01-18 assigned ${MANAGERS}/onboarding`, `2027-01-18 assigned ${PTS}/onboarding`]);
    for (const p of [helen, alice, bob]) expect((await assignmentsOf(t.db, p.id)).map((a) => a.course_id)).toEqual([PTS]);

    await travelTo("2027-01-20");
    await complete(nora, PTS, "onboarding", "2027-01-20T10:00:00.000Z");
    await complete(nora, MANAGERS, "onboarding", "2027-01-20T10:00:00.000Z");
    expect(issuedByDay()).toEqual({
      "2027-01-04": { onboarding: 3 },
      "2027-01-11": { onboarding: 2 },
      "2027-01-18": { onboarding: 2 },
    });
  });

  test("leave pauses the clocks: nothing is sent while away, and on return the due date moves on by the days away", async () => {
    await travelTo("2027-02-01");
    expect(await goOnLeave(t.db, bob.id, "2027-02-01T12:00:00.000Z")).toBe(true);
    // Bob's due date (10 February) passes while he is away; Alice's does too, and she hears about it.
    await travelTo("2027-02-21");
    expect(await mailLog(t.db, bob.email)).toEqual([`2027-01-11 assigned ${PTS}/onboarding`]);
    expect((await notifications(t.db, { toEmail: nora.email, kind: "escalation" })).length).toBe(0);

    const back = await returnFromLeave(t.db, bob.id, "2027-02-21T12:00:00.000Z");
    expect(back).toEqual({ extendedBy: 20, assignments: 1 });
    const [onboarding] = await assignmentsOf(t.db, bob.id);
    expect(onboarding.due_at).toBe("2027-03-02T23:59:59.000Z");
    expect((await person(t.db, bob.id)).status).toBe("active");

    // Reminders resume relative to the new due date: 3 days before it.
    await travelTo("2027-02-26");
    expect(await mailLog(t.db, bob.email)).toEqual([`2027-01-11 assigned ${PTS}/onboarding`]);
    await travelTo("2027-02-27");
    expect(await mailLog(t.db, bob.email)).toEqual([`2027-01-11 assigned ${PTS}/onboarding`, `2027-02-27 reminder_before ${PTS}/onboarding`]);
  });

  test("HR's digest lists who is overdue, with their manager, and leaves out people on leave", async () => {
    const digest = async (day: string) => {
      const rows = (await notifications(t.db, { toEmail: helen.email, kind: "hr_digest" })).filter((n) => n.created_at === at9(day));
      expect(rows.length, `one digest on ${day}`).toBe(1);
      return rows[0];
    };
    const quiet = await digest("2027-02-04");
    expect(quiet.subject).toBe("Confidant digest: nothing is overdue");
    // 18 February: Alice is overdue; Bob's original due date has passed too, but he is on leave.
    const busy = await digest("2027-02-18");
    const [a] = await assignmentsOf(t.db, alice.id);
    const days = Math.floor((Date.parse(at9("2027-02-18")) - Date.parse(a.due_at)) / 86_400_000);
    expect(busy.subject).toBe("Confidant digest: 1 overdue assignment");
    expect(busy.body).toContain(`- Alice Archer <${alice.email}>: ${PTS_TITLE}, ${days} days overdue (manager: Mark Mendes)`);
    expect(busy.body).not.toContain("Bob");
    expect(busy.body).toContain("Dashboard: http://confidant.test/hr");
  });

  test("a reminder 3 days before the due date, once", async () => {
    const before = await notifications(t.db, { userId: alice.id, kind: "reminder_before" });
    const [a] = await assignmentsOf(t.db, alice.id);
    expect(before.map((n) => [n.event_key, n.created_at, n.subject])).toEqual([
      [`reminder-before:${a.id}`, at9("2027-02-07"), `Reminder: ${PTS_TITLE} is due 10 February 2027`],
    ]);
  });

  test("on the due date: 'due today', and not yet 'overdue'", async () => {
    const [a] = await assignmentsOf(t.db, alice.id);
    const onDueDate = (await notifications(t.db, { userId: alice.id })).filter((n) => n.created_at.startsWith("2027-02-10"));
    expect(onDueDate.map((n) => [n.kind, n.event_key])).toEqual([["due_today", `due-today:${a.id}`]]);
  });

  test("overdue: reminded at once and then every 7 days; the manager is told once, after 7 days overdue", async () => {
    await travelTo("2027-03-01");
    const [a] = await assignmentsOf(t.db, alice.id);
    const first = firstMorningAfter(a.due_at);
    const overdue = await notifications(t.db, { userId: alice.id, kind: "overdue" });
    expect(overdue.map((n) => [n.event_key, n.created_at.slice(0, 10)])).toEqual([
      [`overdue:${a.id}:0`, first],
      [`overdue:${a.id}:1`, addDays(`${first}T00:00:00.000Z`, 7).slice(0, 10)],
      [`overdue:${a.id}:2`, addDays(`${first}T00:00:00.000Z`, 14).slice(0, 10)],
    ]);
    expect(overdue[0].subject).toBe(`Overdue: ${PTS_TITLE}`);
    expect(overdue[2].body).toContain("was due on 10 February 2027 and is now");
    expect(overdue[2].body).toContain("Your manager may be told if it stays overdue.");

    const escalations = await notifications(t.db, { kind: "escalation" });
    expect(escalations.map((n) => [n.event_key, n.to_email, n.user_id, n.assignment_id, n.created_at])).toEqual([
      [`escalation:${a.id}`, mark.email, mark.id, a.id, overdue[1].created_at],
    ]);
    expect(escalations[0].subject).toBe(`Alice Archer is 7 days overdue: ${PTS_TITLE}`);
    expect(escalations[0].body).toContain("Hello Mark Mendes,");
    expect(escalations[0].body).toContain(`Alice Archer (${alice.email}), who reports to you`);
    // Everything Alice was sent, apart from what happens on the due date itself (see the test above).
    expect((await mailLog(t.db, alice.email)).filter((l) => !l.startsWith("2027-02-10 "))).toEqual([
      `2027-01-11 assigned ${PTS}/onboarding`,
      `2027-02-07 reminder_before ${PTS}/onboarding`,
      ...overdue.map((n, i) => `${n.created_at.slice(0, 10)} overdue ${PTS}/onboarding #${i}`),
    ]);
    const summaryEscalations = Object.fromEntries([...summaryOn].filter(([, s]) => s.escalations > 0).map(([d, s]) => [d, s.escalations]));
    expect(summaryEscalations).toEqual({ [overdue[1].created_at.slice(0, 10)]: 1 });
  });

  test("a late completion is completed late and valid 12 months from completion; an on-time one after leave is on time", async () => {
    const aliceDone = await complete(alice, PTS, "onboarding", "2027-03-01T10:00:00.000Z");
    expect(aliceDone.completed_at).toBe("2027-03-01T10:00:00.000Z");
    expect(aliceDone.completed_at! > aliceDone.due_at).toBe(true);
    expect(aliceDone.expires_at).toBe("2028-03-01T10:00:00.000Z");
    const bobDone = await complete(bob, PTS, "onboarding", "2027-03-01T10:00:00.000Z");
    expect(bobDone.completed_at! <= bobDone.due_at).toBe(true);
    expect(bobDone.expires_at).toBe("2028-03-01T10:00:00.000Z");
    const onTime = await t.db
      .selectFrom("audit_log")
      .select(["subject_id", "data_json"])
      .where("action", "=", "assignment.completed")
      .where("subject_id", "in", [aliceDone.id, bobDone.id])
      .execute();
    expect(Object.fromEntries(onTime.map((r) => [r.subject_id, (JSON.parse(r.data_json) as { onTime: boolean }).onTime]))).toEqual({
      [aliceDone.id]: false,
      [bobDone.id]: true,
    });
    // Completed: no more reminders for either.
    const mailsBefore = (await rowCounts(t.db)).notifications;
    await travelTo("2027-03-10");
    expect((await notifications(t.db, { userId: alice.id })).filter((n) => n.created_at > "2027-03-01T10:00:00.000Z")).toEqual([]);
    expect((await notifications(t.db, { userId: bob.id })).filter((n) => n.created_at > "2027-03-01T10:00:00.000Z")).toEqual([]);
    // The only mail queued in those days: HR's digest on Thursday 4 March.
    const queued = (await notifications(t.db, {})).slice(mailsBefore);
    expect(queued.map((n) => [n.kind, n.created_at])).toEqual([["hr_digest", at9("2027-03-04")]]);
  });

  test("departure: the exit acknowledgement 5 days before the last day, due that day; afterwards deactivated, open cycles ended, history kept", async () => {
    await travelTo("2027-04-26");
    const [carolsOnboarding] = await assignmentsOf(t.db, carol.id);
    expect([carolsOnboarding.course_id, carolsOnboarding.due_at]).toEqual([PTS, "2027-05-26T23:59:59.000Z"]);
    await travelTo("2027-04-27");
    await createSession(t.db, { userId: carol.id, ip: "127.0.0.1", userAgent: "test" }, fixedClock("2027-04-27T12:00:00.000Z"));
    await travelTo("2027-05-03");
    await setEndDate(t.db, carol.id, "2027-05-14", "2027-05-03T12:00:00.000Z");

    await travelTo("2027-05-08");
    expect((await assignmentsOf(t.db, carol.id)).map((a) => a.course_id)).toEqual([PTS]);
    await travelTo("2027-05-09");
    const exit = await assignmentOf(t.db, carol.id, EXIT, "leaving-2027-05-14");
    expect([exit.reason, exit.family, exit.assigned_at, exit.due_at]).toEqual(["leaving", EXIT, at9("2027-05-09"), "2027-05-14T23:59:59.000Z"]);
    const [exitMail] = await notifications(t.db, { assignmentId: exit.id, kind: "assigned" });
    expect(exitMail.subject).toBe("Please complete: Exit acknowledgement (due 14 May 2027)");
    expect(exitMail.body).toContain("because you are leaving the company");
    expect(exitMail.body).toContain(`http://confidant.test/courses/${EXIT}`);

    await travelTo("2027-05-14");
    expect((await person(t.db, carol.id)).status).toBe("active");
    expect((await t.db.selectFrom("sessions").select("id").where("user_id", "=", carol.id).execute()).length).toBe(1);
    await travelTo("2027-05-15");
    expect(summaryOn.get("2027-05-15")!.departures).toEqual({ deactivated: 1, cancelled: 1, leavingWithdrawn: 0 });
    expect((await person(t.db, carol.id)).status).toBe("inactive");
    expect((await t.db.selectFrom("sessions").select("id").where("user_id", "=", carol.id).execute()).length).toBe(0);
    const after = await assignmentsOf(t.db, carol.id);
    expect(after.map((a) => [a.course_id, a.cycle, a.completed_at, a.cancelled_at, a.note])).toEqual([
      [PTS, "onboarding", null, at9("2027-05-15"), "Ended with the person's last day (2027-05-14)"],
      // The exit acknowledgement stays open: evidence of whether it was given.
      [EXIT, "leaving-2027-05-14", null, null, null],
    ]);
    const deactivated = await t.db.selectFrom("audit_log").select(["at", "data_json"]).where("action", "=", "person.deactivated").where("subject_id", "=", carol.id).execute();
    expect(deactivated.map((r) => [r.at, JSON.parse(r.data_json)])).toEqual([[at9("2027-05-15"), { reason: "End date 2027-05-14 passed" }]]);

    await travelTo("2027-05-31");
    expect(await mailLog(t.db, carol.email)).toEqual([
      `2027-04-26 assigned ${PTS}/onboarding`,
      `2027-05-09 assigned ${EXIT}/leaving-2027-05-14`,
      `2027-05-11 reminder_before ${EXIT}/leaving-2027-05-14`,
      `2027-05-14 due_today ${EXIT}/leaving-2027-05-14`,
    ]);
    expect(await assignmentsOf(t.db, carol.id)).toEqual(after);
    expect(Object.fromEntries([...summaryOn].filter(([, s]) => s.departures.deactivated > 0).map(([d, s]) => [d, s.departures]))).toEqual({
      "2027-05-15": { deactivated: 1, cancelled: 1, leavingWithdrawn: 0 },
    });
  });

  test("a minor (non-material) new version of the agreement issues nothing", async () => {
    catalog = minorChange.catalog;
    expect(catalog.policies.get(AGREEMENT)!.current.version).toBe(2);
    await travelTo("2027-06-01");
    expect(summaryOn.get("2027-06-01")!.issued.policy_change).toBe(0);
    expect(await t.db.selectFrom("assignments").select("id").where("reason", "=", "policy_change").execute()).toEqual([]);
  });

  test("a material new version issues a signature-only cycle to everyone who signed the old one", async () => {
    catalog = materialChange.catalog;
    await travelTo("2027-06-02");
    const issued = await t.db.selectFrom("assignments").selectAll().where("reason", "=", "policy_change").execute();
    // Everyone who signed version 1 and is still here; Carol never signed and has left.
    expect(issued.map((a) => a.user_id).sort()).toEqual([helen.id, mark.id, nora.id, alice.id, bob.id].sort());
    for (const a of issued) {
      expect([a.course_id, a.family, a.cycle, a.assigned_at, a.due_at, a.previous_expires_at]).toEqual([
        PTS,
        PTS,
        POLICY_CYCLE,
        at9("2027-06-02"),
        "2027-07-02T09:00:00.000Z",
        null,
      ]);
      const mails = await notifications(t.db, { assignmentId: a.id });
      expect(mails.map((n) => [n.kind, n.why])).toEqual([["assigned", "Assigned (policy change)"]]);
      expect(mails[0].body).toContain("the agreement has changed in a way that matters, so everyone signs the new version");
    }
    expect(summaryOn.get("2027-06-02")!.issued.policy_change).toBe(5);

    // Only the signature is asked for: no modules, no quiz.
    const alicesCycle = issued.find((a) => a.user_id === alice.id)!;
    const course = catalog.courses.get(PTS)!;
    const state = await getCourseState(t.db, alicesCycle, course);
    expect(state.trainingWaived).toBe(true);
    expect(state.completedModules.size).toBe(0);
    expect(nextModule(course, state)).toBeNull();
    expect(quizUnlocked(course, state)).toBe(false);
    expect(attestationUnlocked(course, state)).toBe(true);
    // Her onboarding cycle, by contrast, needed everything.
    const alicesOnboarding = await assignmentOf(t.db, alice.id, PTS, "onboarding");
    expect((await getCourseState(t.db, alicesOnboarding, course)).trainingWaived).toBe(false);

    await travelTo("2027-06-03");
    for (const p of [helen, mark, nora]) await sign(p, issued.find((a) => a.user_id === p.id)!, "2027-06-03T10:00:00.000Z");
    await travelTo("2027-06-04");
    for (const p of [alice, bob]) await sign(p, issued.find((a) => a.user_id === p.id)!, "2027-06-04T10:00:00.000Z");
    for (const a of issued) {
      const done = await t.db.selectFrom("assignments").selectAll().where("id", "=", a.id).executeTakeFirstOrThrow();
      expect(done.completed_at, a.user_id).not.toBeNull();
      const signatures = await t.db.selectFrom("attestations").select(["policy_version", "quiz_attempt_id"]).where("assignment_id", "=", a.id).execute();
      expect(signatures).toEqual([{ policy_version: 2, quiz_attempt_id: null }]);
      expect(await t.db.selectFrom("quiz_attempts").select("id").where("assignment_id", "=", a.id).execute()).toEqual([]);
      expect(await t.db.selectFrom("module_progress").select("module").where("assignment_id", "=", a.id).execute()).toEqual([]);
    }
    // Signed: nothing more is issued for the new version.
    await travelTo("2027-06-10");
    expect((await t.db.selectFrom("assignments").select("id").where("reason", "=", "policy_change").execute()).length).toBe(5);
  });

  test("the renewal window opens 30 days before expiry: the refresher, due at expiry; finished early, the next year runs from the old expiry", async () => {
    await travelTo("2027-12-06");
    expect(await assignmentsOf(t.db, helen.id, REFRESHER)).toEqual([]);
    const onboardingBefore = await assignmentOf(t.db, helen.id, PTS, "onboarding");
    expect(onboardingBefore.renewal_issued_at).toBeNull();
    await travelTo("2027-12-07");
    const [renewal] = await assignmentsOf(t.db, helen.id, REFRESHER);
    expect(renewal).toMatchObject({
      course_id: REFRESHER,
      family: PTS,
      cycle: "renewal-2028-01-05",
      reason: "annual",
      assigned_at: at9("2027-12-07"),
      due_at: "2028-01-05T10:00:00.000Z",
      previous_expires_at: "2028-01-05T10:00:00.000Z",
      completed_at: null,
    });
    expect((await notifications(t.db, { assignmentId: renewal.id })).map((n) => [n.kind, n.to_email, n.why, n.subject])).toEqual([
      ["assigned", helen.email, "Assigned (annual)", "Please complete: Annual Confidentiality Refresher (due 5 January 2028)"],
    ]);

    // The earlier cycle as it stands once its renewal is issued: completing the renewal must not touch it.
    const previous = await assignmentOf(t.db, helen.id, PTS, "onboarding");
    expect(previous.renewal_issued_at).toBe(at9("2027-12-07"));
    const evidence = async (assignmentId: string) => ({
      assignment: await t.db.selectFrom("assignments").selectAll().where("id", "=", assignmentId).executeTakeFirstOrThrow(),
      attestations: await t.db.selectFrom("attestations").selectAll().where("assignment_id", "=", assignmentId).execute(),
      attempts: await t.db.selectFrom("quiz_attempts").selectAll().where("assignment_id", "=", assignmentId).execute(),
      modules: await t.db.selectFrom("module_progress").selectAll().where("assignment_id", "=", assignmentId).orderBy("module").execute(),
    });
    const policyCycle = await assignmentOf(t.db, helen.id, PTS, POLICY_CYCLE);
    const beforeOnboarding = await evidence(previous.id);
    const beforePolicy = await evidence(policyCycle.id);
    expect(beforeOnboarding.attestations.map((s) => s.policy_version)).toEqual([1]);
    expect(beforeOnboarding.attempts.length).toBe(1);

    await travelTo("2027-12-10");
    const done = await completeCourse(t.db, catalog, helen, renewal, "2027-12-10T10:00:00.000Z");
    expect(done.completed_at).toBe("2027-12-10T10:00:00.000Z");
    // 26 days early: valid until a year after the old expiry, not a year after completion.
    expect(done.expires_at).toBe("2029-01-05T10:00:00.000Z");
    expect((await t.db.selectFrom("attestations").select("policy_version").where("assignment_id", "=", renewal.id).execute())).toEqual([{ policy_version: 2 }]);
    expect(await evidence(previous.id)).toEqual(beforeOnboarding);
    expect(await evidence(policyCycle.id)).toEqual(beforePolicy);
    expect(await mailLog(t.db, helen.email)).toEqual([
      `2027-01-04 assigned ${PTS}/onboarding`,
      `2027-06-02 assigned ${PTS}/${POLICY_CYCLE}`,
      `2027-12-07 assigned ${REFRESHER}/renewal-2028-01-05`,
    ]);
  });

  test("renewals for a manager: the refresher and the managers' course; reminded before, on the day and when overdue, with no escalation for someone without a manager", async () => {
    await travelTo("2028-01-16");
    const renewals = (await assignmentsOf(t.db, mark.id)).filter((a) => a.reason === "annual");
    expect(renewals.map((a) => [a.course_id, a.family, a.cycle, a.assigned_at, a.due_at, a.previous_expires_at])).toEqual([
      [REFRESHER, PTS, "renewal-2028-01-06", at9("2027-12-08"), "2028-01-06T10:00:00.000Z", "2028-01-06T10:00:00.000Z"],
      [MANAGERS, MANAGERS, "renewal-2028-01-06", at9("2027-12-08"), "2028-01-06T10:00:00.000Z", "2028-01-06T10:00:00.000Z"],
    ]);
    const [alicesOnboarding] = await assignmentsOf(t.db, alice.id, PTS);
    const escalated = addDays(`${firstMorningAfter(alicesOnboarding.due_at)}T00:00:00.000Z`, 7).slice(0, 10);
    expect(await mailLog(t.db, mark.email)).toEqual([
      `2027-01-04 assigned ${MANAGERS}/onboarding`,
      `2027-01-04 assigned ${PTS}/onboarding`,
      `${escalated} escalation ${PTS}/onboarding (Alice Archer)`,
      `2027-06-02 assigned ${PTS}/${POLICY_CYCLE}`,
      `2027-12-08 assigned ${REFRESHER}/renewal-2028-01-06`,
      `2027-12-08 assigned ${MANAGERS}/renewal-2028-01-06`,
      `2028-01-03 reminder_before ${REFRESHER}/renewal-2028-01-06`,
      `2028-01-03 reminder_before ${MANAGERS}/renewal-2028-01-06`,
      `2028-01-06 due_today ${REFRESHER}/renewal-2028-01-06`,
      `2028-01-06 due_today ${MANAGERS}/renewal-2028-01-06`,
      // Mark has no manager: overdue reminders, and no escalation.
      `2028-01-07 overdue ${REFRESHER}/renewal-2028-01-06 #0`,
      `2028-01-07 overdue ${MANAGERS}/renewal-2028-01-06 #0`,
      `2028-01-14 overdue ${REFRESHER}/renewal-2028-01-06 #1`,
      `2028-01-14 overdue ${MANAGERS}/renewal-2028-01-06 #1`,
    ]);
    const dueToday = await notifications(t.db, { userId: mark.id, kind: "due_today" });
    expect(dueToday.map((n) => n.subject).sort()).toEqual(["Due today: Annual Confidentiality Refresher", "Due today: Leading a Culture of Confidentiality"]);

    expect((await assignmentsOf(t.db, nora.id)).filter((a) => a.reason === "annual").map((a) => [a.course_id, a.cycle, a.assigned_at, a.due_at])).toEqual([
      [REFRESHER, "renewal-2028-01-20", at9("2027-12-22"), "2028-01-20T10:00:00.000Z"],
      [MANAGERS, "renewal-2028-01-20", at9("2027-12-22"), "2028-01-20T10:00:00.000Z"],
    ]);
    expect(issuedByDay()).toEqual({
      "2027-01-04": { onboarding: 3 },
      "2027-01-11": { onboarding: 2 },
      "2027-01-18": { onboarding: 2 },
      "2027-04-26": { onboarding: 1 },
      "2027-05-09": { leaving: 1 },
      "2027-06-02": { policy_change: 5 },
      "2027-12-07": { annual: 1 },
      "2027-12-08": { annual: 2 },
      "2027-12-22": { annual: 2 },
    });
    // Expiries are reported on the morning after they happen.
    expect(Object.fromEntries([...summaryOn].filter(([, s]) => s.expiries > 0).map(([d, s]) => [d, s.expiries]))).toEqual({
      "2028-01-06": 1,
      "2028-01-07": 2,
    });
  });

  test("HR gets exactly one digest per 7-day period, on the first run of each", async () => {
    const digests = await notifications(t.db, { toEmail: helen.email, kind: "hr_digest" });
    // Periods are counted from Thursday 1 January 1970: they begin on Thursdays.
    const expected = ["2027-01-04"];
    for (let day = "2027-01-07"; day <= lastDay; day = addDays(`${day}T00:00:00.000Z`, 7).slice(0, 10)) expected.push(day);
    expect(digests.map((n) => n.created_at.slice(0, 10))).toEqual(expected);
    expect(new Set(digests.map((n) => n.event_key)).size).toBe(expected.length);
    expect(digests.every((n) => n.event_key.startsWith(`hr-digest:${helen.id}:`))).toBe(true);
    // Only HR gets digests.
    expect((await notifications(t.db, { kind: "hr_digest" })).length).toBe(expected.length);
  });

  test("nothing is ever issued or sent to someone who has left", async () => {
    const departed = "2027-05-15T09:00:00.000Z";
    expect((await assignmentsOf(t.db, carol.id)).filter((a) => a.assigned_at >= departed)).toEqual([]);
    expect((await notifications(t.db, { toEmail: carol.email })).filter((n) => n.created_at >= departed)).toEqual([]);
    expect((await notifications(t.db, { userId: carol.id })).length).toBe(4);
  });

  test("every morning a dry run reported exactly what the run then did and changed nothing; running the same moment again did nothing", async () => {
    const days = mornings.map((m) => m.day);
    expect(days[0]).toBe("2027-01-04");
    expect(days.at(-1)).toBe(lastDay);
    expect(new Set(days).size).toBe(days.length);
    const problems: string[] = [];
    for (const m of mornings) {
      if (JSON.stringify(counts(m.dry)) !== JSON.stringify(counts(m.real))) problems.push(`${m.day}: dry ${JSON.stringify(counts(m.dry))} real ${JSON.stringify(counts(m.real))}`);
      if (!m.dry.dryRun || m.real.dryRun) problems.push(`${m.day}: dryRun flags ${m.dry.dryRun}/${m.real.dryRun}`);
      if (JSON.stringify(m.afterDry) !== JSON.stringify(m.beforeDry)) problems.push(`${m.day}: the dry run changed ${JSON.stringify(m.beforeDry)} → ${JSON.stringify(m.afterDry)}`);
      if (!nothingDone(m.again)) problems.push(`${m.day}: the second run did ${JSON.stringify(counts(m.again))}`);
      const { audit_log: auditAfterAgain, ...restAgain } = m.afterAgain;
      const { audit_log: auditAfterReal, ...restReal } = m.afterReal;
      if (JSON.stringify(restAgain) !== JSON.stringify(restReal)) problems.push(`${m.day}: the second run changed ${JSON.stringify(restReal)} → ${JSON.stringify(restAgain)}`);
      // The real runs each record themselves once in the audit log, the dry run never.
      if (auditAfterAgain !== auditAfterReal + 1) problems.push(`${m.day}: the second run wrote ${auditAfterAgain - auditAfterReal} audit entries`);
    }
    expect(problems).toEqual([]);
    // The comparison meant something: many mornings did real work.
    expect(mornings.filter((m) => !nothingDone(m.real)).length).toBeGreaterThanOrEqual(70);
    expect(await duplicates(t.db)).toEqual(NO_DUPLICATES);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
  });

  test("a policy-change signature does not start a second refresher cycle", async () => {
    for (let day = "2028-01-20"; day <= "2028-07-06"; day = addDays(`${day}T00:00:00.000Z`, 7).slice(0, 10)) {
      await run(t.db, at9(day), { catalog });
    }
    expect((await assignmentsOf(t.db, helen.id, REFRESHER)).map((a) => a.cycle)).toEqual(["renewal-2028-01-05"]);
  });

  test("a year on, the refresher renews itself, in the same family, from the expiry it renews", async () => {
    // Weekly (Thursday) runs to the end of 2028, whatever the previous test left behind.
    for (let day = "2028-07-13"; day <= "2028-12-28"; day = addDays(`${day}T00:00:00.000Z`, 7).slice(0, 10)) {
      await run(t.db, at9(day), { catalog });
    }
    const refresher = await assignmentOf(t.db, helen.id, REFRESHER, "renewal-2029-01-05");
    expect(refresher).toMatchObject({
      family: PTS,
      reason: "annual",
      // The window opened on 6 December 2028 at 10:00; the first weekly run after it.
      assigned_at: at9("2028-12-07"),
      due_at: "2029-01-05T10:00:00.000Z",
      previous_expires_at: "2029-01-05T10:00:00.000Z",
      completed_at: null,
    });
    // The cycle it renews now records that its renewal was issued, and nothing else changed.
    const renewed = await assignmentOf(t.db, helen.id, REFRESHER, "renewal-2028-01-05");
    expect([renewed.completed_at, renewed.expires_at, renewed.renewal_issued_at]).toEqual(["2027-12-10T10:00:00.000Z", "2029-01-05T10:00:00.000Z", at9("2028-12-07")]);
  });
});
