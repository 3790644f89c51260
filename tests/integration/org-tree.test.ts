import { afterEach, beforeEach, expect, test } from "vitest";
import { hasReports, isInTeam, teamIds } from "../../app/people/org.server";
import { makePerson } from "../../app/demo/factories.server";
import { makeWorld, type World } from "../support/world";

let w: World;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.close();
});

test("a manager's team is everyone below them at any depth, and no one else", async () => {
  // manager → alice, bob; alice → carol → dave
  const carol = await makePerson(w.db, { email: "carol@test.example", name: "Carol", startDate: "2027-01-01", managerId: w.alice.id }, w.clock);
  const dave = await makePerson(w.db, { email: "dave@test.example", name: "Dave", startDate: "2027-01-01", managerId: carol.id }, w.clock);
  const ids = async (m: string) => (await teamIds(w.db, m).execute()).map((r) => r.id).sort();
  expect(await ids(w.manager.id)).toEqual([w.alice.id, w.bob.id, carol.id, dave.id].sort());
  expect(await ids(w.alice.id)).toEqual([carol.id, dave.id].sort());
  expect(await ids(dave.id)).toEqual([]);
  expect(await isInTeam(w.db, w.manager.id, dave.id)).toBe(true);
  expect(await isInTeam(w.db, w.alice.id, w.bob.id)).toBe(false);
  expect(await isInTeam(w.db, w.alice.id, w.manager.id)).toBe(false);
  expect(await isInTeam(w.db, w.alice.id, w.alice.id)).toBe(false);
  expect(await hasReports(w.db, w.alice.id)).toBe(true);
  expect(await hasReports(w.db, dave.id)).toBe(false);
});

test("a loop in the reporting lines (bad data) does not hang the query", async () => {
  await w.db.updateTable("users").set({ manager_id: w.alice.id }).where("id", "=", w.manager.id).execute();
  const rows = await teamIds(w.db, w.manager.id).execute();
  expect(new Set(rows.map((r) => r.id))).toEqual(new Set([w.alice.id, w.bob.id, w.manager.id]));
});
