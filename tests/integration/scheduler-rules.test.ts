// Changing a course's rules (`npm run scheduler -- --preview-rules | --apply-rules`): the preview
// says what would move or end before anything does, applying it is audited, and nothing moves
// when no rule changed.
import { afterEach, expect, test } from "vitest";
import { applyRuleChanges, previewRuleChanges } from "../../app/scheduler/rule-changes.server";
import type { Catalog } from "../../app/courses/catalog.server";
import type { User } from "../../db/schema";
import { freshDb, type TestDb } from "../support/db";
import { realCatalog } from "../support/world";
import { assignmentOf, changedCatalog, goOnLeave, hire, MANAGERS, ONBOARDING, returnFromLeave, run } from "../support/org";

const PTS_YAML = `${ONBOARDING}/course.yaml`;

let t: TestDb;
let mark: User, bob: User, cleo: User;
const cleanups: Array<() => void> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await t.close();
});

/** Mark (with the company since 2020) manages Bob and Cleo (a contractor), who start on 11
 * January 2027 (and, if asked for, Zoe, who starts in June). The scheduler ran on 11 January. */
async function world({ futureStarter = false } = {}) {
  t = await freshDb();
  const entered = "2027-01-04T08:00:00.000Z";
  mark = await hire(t.db, { name: "Mark Mendes", startDate: "2020-01-06" }, entered);
  bob = await hire(t.db, { name: "Bob Baker", startDate: "2027-01-11", manager: mark }, entered);
  cleo = await hire(t.db, { name: "Cleo Costa", startDate: "2027-01-11", manager: mark, type: "contractor" }, entered);
  if (futureStarter) await hire(t.db, { name: "Zoe Zhang", startDate: "2027-06-01", manager: mark }, entered);
  await run(t.db, "2027-01-11T09:00:00.000Z");
}

function changed(edits: Parameters<typeof changedCatalog>[0]): Catalog {
  const c = changedCatalog(edits);
  cleanups.push(c.cleanup);
  return c.catalog;
}

const now = new Date("2027-01-20T09:00:00.000Z");

test("with no rule changed, the preview reports nothing and applying moves nothing", async () => {
  await world();
  expect(await previewRuleChanges(t.db, { catalog: realCatalog(), now })).toEqual([]);
  expect(await applyRuleChanges(t.db, { catalog: realCatalog(), now, actorId: null })).toEqual({ dueDatesChanged: 0, cancelled: 0 });
});

test("a longer due period is previewed with the due dates it would move, and applied with an audit entry", async () => {
  await world();
  const catalog = changed([{ file: PTS_YAML, replace: ["duePeriodDays: 30", "duePeriodDays: 45"] }]);
  const [preview, ...others] = await previewRuleChanges(t.db, { catalog, now });
  expect(others).toEqual([]);
  expect(preview).toMatchObject({
    courseId: ONBOARDING,
    changed: [{ field: "duePeriodDays", from: 30, to: 45 }],
    dueDatesToMove: 3, // Mark, Bob and Cleo
    leavingAudience: 0,
    joiningAudience: 0,
    upcomingRenewals: 0,
  });
  // Previewing changed nothing.
  expect((await assignmentOf(t.db, bob.id, ONBOARDING, "onboarding")).due_at).toBe("2027-02-10T23:59:59.000Z");

  expect(await applyRuleChanges(t.db, { catalog, now, actorId: null })).toEqual({ dueDatesChanged: 3, cancelled: 0 });
  // From the start date for a new starter; from the day it was issued for someone already there.
  expect((await assignmentOf(t.db, bob.id, ONBOARDING, "onboarding")).due_at).toBe("2027-02-25T23:59:59.000Z");
  expect((await assignmentOf(t.db, mark.id, ONBOARDING, "onboarding")).due_at).toBe("2027-02-25T09:00:00.000Z");
  // The managers' course did not change.
  expect((await assignmentOf(t.db, mark.id, MANAGERS, "onboarding")).due_at).toBe("2027-02-10T09:00:00.000Z");
  const audit = await t.db.selectFrom("audit_log").select(["subject_id", "data_json"]).where("action", "=", "course.rules_applied").execute();
  expect(audit.map((a) => [a.subject_id, (JSON.parse(a.data_json) as { moved: string[] }).moved.length])).toEqual([[ONBOARDING, 3]]);
  // Once applied, there is nothing left to preview.
  expect(await previewRuleChanges(t.db, { catalog, now })).toEqual([]);
});

test("narrowing the audience ends the open assignments of people no longer in it", async () => {
  await world();
  const catalog = changed([{ file: PTS_YAML, replace: ["audience: both", "audience: employees"] }]);
  const [preview] = await previewRuleChanges(t.db, { catalog, now });
  expect(preview).toMatchObject({ courseId: ONBOARDING, changed: [{ field: "audience", from: "both", to: "employees" }], dueDatesToMove: 0, leavingAudience: 1 });
  expect(await applyRuleChanges(t.db, { catalog, now, actorId: null })).toEqual({ dueDatesChanged: 0, cancelled: 1 });
  const cleos = await assignmentOf(t.db, cleo.id, ONBOARDING, "onboarding");
  expect([cleos.cancelled_at, cleos.note]).toEqual([now.toISOString(), "No longer in the course's audience"]);
  expect((await assignmentOf(t.db, bob.id, ONBOARDING, "onboarding")).cancelled_at).toBeNull();
});

test("a return from leave is not undone: with no rule changed, nothing is previewed and nothing moves", async () => {
  await world();
  await goOnLeave(t.db, bob.id, "2027-01-12T09:00:00.000Z");
  await returnFromLeave(t.db, bob.id, "2027-02-01T09:00:00.000Z");
  expect((await assignmentOf(t.db, bob.id, ONBOARDING, "onboarding")).due_at).toBe("2027-03-02T23:59:59.000Z");
  const at = new Date("2027-02-02T09:00:00.000Z");
  const preview = await previewRuleChanges(t.db, { catalog: realCatalog(), now: at });
  await applyRuleChanges(t.db, { catalog: realCatalog(), now: at, actorId: null });
  expect({ preview, due: (await assignmentOf(t.db, bob.id, ONBOARDING, "onboarding")).due_at }).toEqual({ preview: [], due: "2027-03-02T23:59:59.000Z" });
});

test("someone who has not started yet is not counted as assigned at the next run", async () => {
  await world({ futureStarter: true });
  expect(await previewRuleChanges(t.db, { catalog: realCatalog(), now })).toEqual([]);
  const catalog = changed([{ file: PTS_YAML, replace: ["duePeriodDays: 30", "duePeriodDays: 45"] }]);
  const [preview] = await previewRuleChanges(t.db, { catalog, now });
  expect(preview.joiningAudience).toBe(0);
});
