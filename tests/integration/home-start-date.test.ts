// A new starter who signs in before their start date is told when their courses will arrive
// (onboarding is issued on the start date), not "Nothing is waiting for you".
import { afterAll, beforeAll, expect, test } from "vitest";
import { makePerson } from "../../app/demo/factories.server";
import { makeWorld, passwordHash, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { runScheduler } from "../../app/scheduler/scheduler.server";
import { DEFAULT_REMINDERS } from "../../app/config.server";

let w: World;
let server: TestServer;
beforeAll(async () => {
  w = await makeWorld();
  await makePerson(w.db, { email: "nina@test.example", name: "Nina Novak", startDate: "2027-03-08", passwordHash: await passwordHash() }, w.clock);
  server = await startTestServer(w);
});
afterAll(async () => {
  await server?.close();
  await w?.close();
});

test("before the start date the home page says when the first courses come; afterwards it does not", async () => {
  // The scheduler issues nothing to Nina yet: her start date is a week away.
  await runScheduler(w.db, { catalog: w.catalog, now: w.clock(), rules: DEFAULT_REMINDERS, origin: "http://localhost" });
  expect(await w.db.selectFrom("assignments").select("id").where("user_id", "=", (await w.db.selectFrom("users").select("id").where("email", "=", "nina@test.example").executeTakeFirstOrThrow()).id).execute()).toEqual([]);
  const nina = await server.login("nina@test.example");
  const html = await (await server.get("/", nina)).text();
  expect(html).toContain("Your start date is 8 March 2027: your first courses will be waiting for you here on that day.");
  expect(html).not.toContain("Nothing is waiting for you");

  // Someone whose start date has passed and who has nothing open is simply up to date.
  const manager = await server.login("manager@test.example");
  const mine = await (await server.get("/", manager)).text();
  expect(mine).not.toContain("Your start date is");
});
