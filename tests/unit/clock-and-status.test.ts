import { expect, test } from "vitest";
import { addDays, addMonths, fixedClock, isoNow } from "../../app/clock";
import { assignmentStatus, completedOnTime, daysBetween, type StatusInput } from "../../app/assignments/status";
import { normaliseName } from "../../app/attestations/attestations.server";

function assignment(overrides: Partial<StatusInput> = {}): StatusInput {
  return { due_at: "2027-03-31T17:00:00.000Z", completed_at: null, exempted_at: null, cancelled_at: null, started: false, ...overrides };
}

const beforeDue = new Date("2027-03-15T09:00:00.000Z");
const afterDue = new Date("2027-04-01T09:00:00.000Z");

test("adding a month to 31 January gives the last day of February", () => {
  expect(addMonths("2027-01-31T10:00:00.000Z", 1)).toBe("2027-02-28T10:00:00.000Z");
  expect(addMonths("2028-01-31T10:00:00.000Z", 1)).toBe("2028-02-29T10:00:00.000Z");
});

test("a day that does not exist in the target month falls back to its last day", () => {
  expect(addMonths("2027-03-31T00:00:00.000Z", 1)).toBe("2027-04-30T00:00:00.000Z");
  expect(addMonths("2027-08-31T00:00:00.000Z", 1)).toBe("2027-09-30T00:00:00.000Z");
});

test("12 months after 29 February is 28 February the next year", () => {
  expect(addMonths("2028-02-29T12:00:00.000Z", 12)).toBe("2029-02-28T12:00:00.000Z");
  expect(addMonths("2028-02-29T12:00:00.000Z", 48)).toBe("2032-02-29T12:00:00.000Z");
});

test("adding months keeps the day when it exists, and crosses year ends", () => {
  expect(addMonths("2027-01-15T00:00:00.000Z", 1)).toBe("2027-02-15T00:00:00.000Z");
  expect(addMonths("2027-11-30T00:00:00.000Z", 3)).toBe("2028-02-29T00:00:00.000Z");
  expect(addMonths("2027-12-31T00:00:00.000Z", 1)).toBe("2028-01-31T00:00:00.000Z");
  expect(addMonths("2027-03-10T00:00:00.000Z", 12)).toBe("2028-03-10T00:00:00.000Z");
  expect(addMonths("2027-03-10T00:00:00.000Z", 0)).toBe("2027-03-10T00:00:00.000Z");
});

test("adding a negative number of months goes back, with the same month-end rule", () => {
  expect(addMonths("2027-03-31T00:00:00.000Z", -1)).toBe("2027-02-28T00:00:00.000Z");
  expect(addMonths("2027-01-15T00:00:00.000Z", -1)).toBe("2026-12-15T00:00:00.000Z");
});

test("adding months keeps the time of day to the millisecond", () => {
  expect(addMonths("2027-01-31T23:59:59.999Z", 1)).toBe("2027-02-28T23:59:59.999Z");
  expect(addMonths("2027-05-20T08:30:15.250Z", 6)).toBe("2027-11-20T08:30:15.250Z");
});

test("adding months works in UTC whatever the offset the time was written with", () => {
  // 31 Jan 23:30 at -05:00 is 1 Feb 04:30 UTC; one month later is 1 Mar 04:30 UTC.
  expect(addMonths("2027-01-31T23:30:00-05:00", 1)).toBe("2027-03-01T04:30:00.000Z");
});

test("adding days counts whole days of 24 hours", () => {
  expect(addDays("2027-02-27T10:00:00.000Z", 2)).toBe("2027-03-01T10:00:00.000Z");
  expect(addDays("2028-02-27T10:00:00.000Z", 2)).toBe("2028-02-29T10:00:00.000Z");
  expect(addDays("2027-12-31T23:00:00.000Z", 1)).toBe("2028-01-01T23:00:00.000Z");
  expect(addDays("2027-03-10T00:00:00.000Z", -10)).toBe("2027-02-28T00:00:00.000Z");
  expect(addDays("2027-03-10T06:00:00.000Z", 0)).toBe("2027-03-10T06:00:00.000Z");
});

test("a fixed clock always tells the same time, and each call gets its own Date", () => {
  const clock = fixedClock("2027-03-01T09:00:00.000Z");
  const first = clock();
  first.setUTCFullYear(1999);
  expect(isoNow(clock)).toBe("2027-03-01T09:00:00.000Z");
  expect(() => fixedClock("not a time")).toThrow("Not a valid time: not a time");
});

test("a cancelled assignment is cancelled, whatever else happened to it", () => {
  const a = assignment({ cancelled_at: "2027-03-20T00:00:00.000Z", exempted_at: "2027-03-19T00:00:00.000Z", completed_at: "2027-03-18T00:00:00.000Z", started: true });
  expect(assignmentStatus(a, afterDue)).toBe("cancelled");
  expect(assignmentStatus(assignment({ cancelled_at: "2027-03-20T00:00:00.000Z" }), afterDue)).toBe("cancelled");
});

test("an exempt assignment is exempt even if it was completed or is past due", () => {
  expect(assignmentStatus(assignment({ exempted_at: "2027-03-19T00:00:00.000Z", completed_at: "2027-03-18T00:00:00.000Z" }), afterDue)).toBe("exempt");
  expect(assignmentStatus(assignment({ exempted_at: "2027-03-19T00:00:00.000Z" }), afterDue)).toBe("exempt");
});

test("a completed assignment stays completed after its due date, even if completed late", () => {
  expect(assignmentStatus(assignment({ completed_at: "2027-03-10T00:00:00.000Z", started: true }), afterDue)).toBe("completed");
  expect(assignmentStatus(assignment({ completed_at: "2027-04-05T00:00:00.000Z", started: true }), new Date("2027-05-01T00:00:00.000Z"))).toBe("completed");
});

test("an unfinished assignment past its due date is overdue, started or not", () => {
  expect(assignmentStatus(assignment({ started: true }), afterDue)).toBe("overdue");
  expect(assignmentStatus(assignment({ started: false }), afterDue)).toBe("overdue");
});

test("before its due date an unfinished assignment is in progress once started, otherwise not started", () => {
  expect(assignmentStatus(assignment({ started: true }), beforeDue)).toBe("in_progress");
  expect(assignmentStatus(assignment({ started: false }), beforeDue)).toBe("not_started");
});

test("an assignment is not overdue at the exact due time, only after it", () => {
  expect(assignmentStatus(assignment(), new Date("2027-03-31T17:00:00.000Z"))).toBe("not_started");
  expect(assignmentStatus(assignment(), new Date("2027-03-31T17:00:00.001Z"))).toBe("overdue");
});

test("completing exactly at the due time is on time; a millisecond later is late", () => {
  expect(completedOnTime(assignment({ completed_at: "2027-03-31T17:00:00.000Z" }))).toBe(true);
  expect(completedOnTime(assignment({ completed_at: "2027-03-31T16:59:59.999Z" }))).toBe(true);
  expect(completedOnTime(assignment({ completed_at: "2027-03-31T17:00:00.001Z" }))).toBe(false);
});

test("on-time is unknown for an assignment that is not completed", () => {
  expect(completedOnTime(assignment())).toBeNull();
});

test("daysBetween counts whole days elapsed, rounding down", () => {
  expect(daysBetween("2027-03-01T09:00:00.000Z", new Date("2027-03-02T08:59:59.999Z"))).toBe(0);
  expect(daysBetween("2027-03-01T09:00:00.000Z", new Date("2027-03-02T09:00:00.000Z"))).toBe(1);
  expect(daysBetween("2027-03-01T09:00:00.000Z", new Date("2027-03-31T09:00:00.000Z"))).toBe(30);
});

test("a typed name matches regardless of letter case", () => {
  expect(normaliseName("ALICE ARCHER")).toBe(normaliseName("alice archer"));
  expect(normaliseName("Alice Archer")).toBe("alice archer");
});

test("a typed name matches regardless of extra spaces inside, before or after", () => {
  expect(normaliseName("  Alice    Archer \t")).toBe("alice archer");
  expect(normaliseName("Alice\u00A0Archer")).toBe("alice archer");
});

test("a name typed with composed or decomposed accents matches", () => {
  const composed = "Zo\u00EB Marchetti";
  const decomposed = "Zoe\u0308 Marchetti";
  expect(composed).not.toBe(decomposed);
  expect(normaliseName(composed)).toBe(normaliseName(decomposed));
  expect(normaliseName("ZO\u00CB MARCHETTI")).toBe(normaliseName(decomposed));
});

test("compatibility characters (full-width letters, ligatures) are normalised", () => {
  expect(normaliseName("\uFF21lice")).toBe("alice");
  expect(normaliseName("\uFB01nn")).toBe("finn");
});

test("different letters do not match, accents included", () => {
  expect(normaliseName("Zoë Marchetti")).not.toBe(normaliseName("Zoe Marchetti"));
  expect(normaliseName("Alice Archer")).not.toBe(normaliseName("Alice Archor"));
  expect(normaliseName("Alice Archer")).not.toBe(normaliseName("AliceArcher"));
});
