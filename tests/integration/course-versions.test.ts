// Content versions never strand anyone (decision 024), on SQLite; the PostgreSQL variant is
// course-versions-postgres.test.ts.
import { afterEach, beforeEach, expect, test } from "vitest";
import { freshDb, type TestDb } from "../support/db";
import { strandingJourney } from "../support/publishing-journey";

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
}, 120_000);
