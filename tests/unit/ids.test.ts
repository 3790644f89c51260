import { expect, test } from "vitest";
import { randomId, timeOrderedId, timeOrderedPrefix, timePart } from "../../app/ids.server";

test("time-ordered ids sort by their time and keep to randomId()'s characters", () => {
  const times = ["1970-01-01T00:00:00.001Z", "2026-12-04T21:59:59.999Z", "2026-12-04T22:00:00.000Z", "2027-01-01T00:00:00.000Z", "2100-06-30T12:00:00.000Z"];
  const ids = times.map((t) => timeOrderedId(new Date(t)));
  expect([...ids].sort()).toEqual(ids);
  expect(times.map((t) => timePart(new Date(t))).every((p) => p.length === 10)).toBe(true);
  for (const id of [...ids, randomId(), timeOrderedPrefix()]) expect(id).toMatch(/^[a-z2-7]+$/);
  expect(ids[0]).toHaveLength(26);
  // Two ids of one millisecond differ (80 random bits).
  const at = new Date("2027-01-01T00:00:00.000Z");
  expect(timeOrderedId(at)).not.toBe(timeOrderedId(at));
  expect(timeOrderedId(at).slice(0, 10)).toBe(timePart(at));
});
