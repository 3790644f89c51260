// Content versions never strand anyone (decision 024), on SQLite; the PostgreSQL variant is
// course-versions-postgres.test.ts.
import { afterEach, beforeEach, expect, test } from "vitest";
import { freshDb, type TestDb } from "../support/db";
import { strandingJourney } from "../support/publishing-journey";
import { getPersonRecord } from "../../app/reports/person-record.server";
import { commandLineProducer, readEvidence } from "../../app/evidence/pack.server";

let t: TestDb;
beforeEach(async () => {
  t = await freshDb();
});
afterEach(async () => {
  await t.close();
});

test("a live course edited (step renamed, question added, module removed), restarted and published: every learner continues, nothing finished changes, the history is exact", async () => {
  const { assignments, v1, v2, people } = await strandingJourney(t.db);
  const versions = await t.db.selectFrom("assignments").select(["user_id", "content_hash", "content_since"]).execute();
  const of = (id: string) => versions.find((v) => v.user_id === id)!;
  expect(of(people.cal.id)).toEqual({ user_id: people.cal.id, content_hash: v2.contentHash, content_since: null });
  expect(of(people.ann.id)).toEqual({ user_id: people.ann.id, content_hash: v2.contentHash, content_since: "2027-03-03T09:00:00.000Z" });
  expect(Object.keys(assignments)).toHaveLength(4);

  // HR's record of Ann and her evidence pack say which version each module and attempt was on.
  const hr = { id: "usr_hr", is_hr: 1 };
  const now = new Date("2027-03-04T09:00:00.000Z");
  const ann = (await getPersonRecord(t.db, { id: people.ann.id, viewer: hr, now }))!;
  expect(ann.assignments[0].contentHash).toBe(v2.contentHash);
  expect(ann.assignments[0].modules).toEqual([{ module: v1.modules[0].slug, contentHash: v1.contentHash, completedAt: "2027-03-01T09:00:00.000Z" }]);
  const dee = (await getPersonRecord(t.db, { id: people.dee.id, viewer: hr, now }))!;
  expect(dee.attempts.map((q) => q.contentHash)).toEqual([v1.contentHash]);
  expect(dee.assignments[0].modules.map((m) => m.contentHash)).toEqual(v1.modules.map(() => v1.contentHash));
  const pack = (await readEvidence(t.db, { personId: people.ann.id }, { now, generatedBy: commandLineProducer() }))!;
  const cycle = pack.cycles[0] as unknown as { content_hash: string; content_since: string; modules_completed: Array<{ module: string; content_hash: string }> };
  expect(cycle).toMatchObject({ content_hash: v2.contentHash, content_since: "2027-03-03T09:00:00.000Z" });
  expect(cycle.modules_completed).toEqual([{ module: v1.modules[0].slug, content_hash: v1.contentHash, completed_at: "2027-03-01T09:00:00.000Z" }]);
}, 120_000);
