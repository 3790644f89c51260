// The scenario outcome rule and the quiz's stored presentation (presented_json, revisit_json) on a
// real PostgreSQL server: the same story as learning-outcomes.test.ts.
import { afterAll, beforeAll, test } from "vitest";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { COURSE_ID, realCatalog } from "../support/world";
import { startPostgres } from "../support/postgres";
import { quizPresentationStory, scenarioOutcomeStory } from "../support/learning-story";

let pg: Awaited<ReturnType<typeof startPostgres>>;
let db: Db;

beforeAll(async () => {
  pg = await startPostgres();
  db = createDb(pg.url);
  await migrateToLatest(db);
}, 120_000);
afterAll(async () => {
  await db?.destroy();
  pg?.stop();
});

test("on PostgreSQL, a poor ending completes its scenario only once the better move was shown", async () => {
  const catalog = realCatalog();
  await scenarioOutcomeStory(db, catalog, catalog.courses.get(COURSE_ID)!, "pat@pg.example");
});

test("on PostgreSQL, each quiz attempt stores what it showed and the modules it named; audit rows still match", async () => {
  const catalog = realCatalog();
  await quizPresentationStory(db, catalog, catalog.courses.get(COURSE_ID)!, "quinn@pg.example");
}, 60_000);
