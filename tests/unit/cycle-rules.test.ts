// The rules of cycles (app/assignments/rules.ts) as pure functions: when a completion expires,
// when a renewal and an onboarding course are due, who a course is for, which reminders an
// assignment has earned at a given moment, and which HR digest period a moment falls in.
import { describe, expect, test } from "vitest";
import {
  anniversary,
  digestPeriod,
  expiryFor,
  inAudience,
  onboardingDueAt,
  reminderEvents,
  renewalDueAt,
  renewalOpensAt,
  type ReminderEvent,
} from "../../app/assignments/rules";
import { DEFAULT_REMINDERS, type ReminderRules } from "../../app/config.server";

const DAY = 86_400_000;
const yearly = { kind: "rolling", months: 12 } as const;
const firstOfApril = (minimumValidityDays: number) => ({ kind: "anniversary", month: 4, day: 1, minimumValidityDays }) as const;

describe("expiryFor: rolling validity", () => {
  test("a first completion is valid for 12 months from the moment of completion", () => {
    expect(expiryFor(yearly, "2027-03-15T10:30:00.000Z", null)).toBe("2028-03-15T10:30:00.000Z");
    expect(expiryFor({ kind: "rolling", months: 6 }, "2027-03-15T10:30:00.000Z", null)).toBe("2027-09-15T10:30:00.000Z");
  });

  test("a renewal completed inside its window extends from the previous expiry, so no days are lost", () => {
    // 24 days early: the new year starts where the old one ends, not at the completion.
    expect(expiryFor(yearly, "2028-02-20T08:00:00.000Z", "2028-03-15T10:30:00.000Z")).toBe("2029-03-15T10:30:00.000Z");
    // At the very moment of expiry it still counts as on time.
    expect(expiryFor(yearly, "2028-03-15T10:30:00.000Z", "2028-03-15T10:30:00.000Z")).toBe("2029-03-15T10:30:00.000Z");
  });

  test("a renewal completed after the previous expiry counts from its completion", () => {
    expect(expiryFor(yearly, "2028-03-15T10:30:00.001Z", "2028-03-15T10:30:00.000Z")).toBe("2029-03-15T10:30:00.001Z");
    expect(expiryFor(yearly, "2028-04-02T16:00:00.000Z", "2028-03-15T10:30:00.000Z")).toBe("2029-04-02T16:00:00.000Z");
  });

  test("a day that does not exist in the target month becomes that month's last day", () => {
    const monthly = { kind: "rolling", months: 1 } as const;
    expect(expiryFor(monthly, "2027-01-31T09:00:00.000Z", null)).toBe("2027-02-28T09:00:00.000Z");
    expect(expiryFor(monthly, "2028-01-31T09:00:00.000Z", null)).toBe("2028-02-29T09:00:00.000Z");
    expect(expiryFor(yearly, "2028-02-29T09:00:00.000Z", null)).toBe("2029-02-28T09:00:00.000Z");
    // Extending from a month-end expiry follows the same rule.
    expect(expiryFor({ kind: "rolling", months: 6 }, "2027-08-20T09:00:00.000Z", "2027-08-31T12:00:00.000Z")).toBe("2028-02-29T12:00:00.000Z");
  });
});

describe("expiryFor: anniversary validity", () => {
  test("valid until the next anniversary that leaves at least the minimum validity", () => {
    expect(expiryFor(firstOfApril(180), "2027-06-15T10:00:00.000Z", null)).toBe("2028-04-01T00:00:00.000Z");
    expect(expiryFor(firstOfApril(180), "2027-09-01T10:00:00.000Z", null)).toBe("2028-04-01T00:00:00.000Z");
    // Early in the year the anniversary of the same year leaves enough.
    expect(expiryFor(firstOfApril(60), "2027-01-10T10:00:00.000Z", null)).toBe("2027-04-01T00:00:00.000Z");
  });

  test("a completion 10 days before the anniversary rolls on to the following year", () => {
    expect(expiryFor(firstOfApril(180), "2027-03-22T00:00:00.000Z", null)).toBe("2028-04-01T00:00:00.000Z");
    // Without a minimum, the anniversary 10 days later is the expiry.
    expect(expiryFor(firstOfApril(0), "2027-03-22T00:00:00.000Z", null)).toBe("2027-04-01T00:00:00.000Z");
    // Too close to the next anniversary as well: on to the one after it.
    expect(expiryFor(firstOfApril(180), "2027-12-01T00:00:00.000Z", null)).toBe("2029-04-01T00:00:00.000Z");
  });

  test("exactly the minimum validity is enough; a millisecond less is not", () => {
    const exactly = new Date(Date.parse("2027-04-01T00:00:00.000Z") - 30 * DAY).toISOString();
    expect(expiryFor(firstOfApril(30), exactly, null)).toBe("2027-04-01T00:00:00.000Z");
    const tooLate = new Date(Date.parse(exactly) + 1).toISOString();
    expect(expiryFor(firstOfApril(30), tooLate, null)).toBe("2028-04-01T00:00:00.000Z");
  });

  test("a completion after this year's anniversary is valid until next year's", () => {
    expect(expiryFor(firstOfApril(0), "2027-04-01T00:00:00.001Z", null)).toBe("2028-04-01T00:00:00.000Z");
  });

  test("a 29 February anniversary is 28 February in a year without one", () => {
    const leapDay = { kind: "anniversary", month: 2, day: 29, minimumValidityDays: 30 } as const;
    expect(expiryFor(leapDay, "2027-01-01T00:00:00.000Z", null)).toBe("2027-02-28T00:00:00.000Z");
    expect(expiryFor(leapDay, "2027-06-01T00:00:00.000Z", null)).toBe("2028-02-29T00:00:00.000Z");
    expect(expiryFor(leapDay, "2028-03-01T00:00:00.000Z", null)).toBe("2029-02-28T00:00:00.000Z");
    expect(anniversary(2027, 2, 29)).toBe("2027-02-28T00:00:00.000Z");
    expect(anniversary(2028, 2, 29)).toBe("2028-02-29T00:00:00.000Z");
    expect(anniversary(2027, 4, 31)).toBe("2027-04-30T00:00:00.000Z");
    expect(anniversary(2027, 12, 31)).toBe("2027-12-31T00:00:00.000Z");
  });
});

test("a course without recurrence never expires, whatever came before", () => {
  expect(expiryFor({ kind: "none" }, "2027-03-15T10:30:00.000Z", null)).toBeNull();
  expect(expiryFor({ kind: "none" }, "2027-03-15T10:30:00.000Z", "2027-04-01T00:00:00.000Z")).toBeNull();
});

test("the renewal window opens the given number of days before expiry", () => {
  expect(renewalOpensAt("2028-03-15T10:30:00.000Z", 30)).toBe("2028-02-14T10:30:00.000Z");
  expect(renewalOpensAt("2028-03-15T10:30:00.000Z", 0)).toBe("2028-03-15T10:30:00.000Z");
});

describe("renewalDueAt", () => {
  test("a renewal is due at the expiry it renews", () => {
    expect(renewalDueAt("2028-03-15T10:30:00.000Z", "2028-02-14T10:30:00.000Z")).toBe("2028-03-15T10:30:00.000Z");
  });

  test("but never less than 7 days after it is issued", () => {
    // Issued 2 days before expiry (back from leave): a week from issue.
    expect(renewalDueAt("2028-03-15T10:30:00.000Z", "2028-03-13T09:00:00.000Z")).toBe("2028-03-20T09:00:00.000Z");
    // Issued after the expiry (a first run after a long pause): a week from issue, not in the past.
    expect(renewalDueAt("2028-03-15T10:30:00.000Z", "2028-05-01T09:00:00.000Z")).toBe("2028-05-08T09:00:00.000Z");
    // Exactly 7 days: either reading gives the same moment.
    expect(renewalDueAt("2028-03-15T10:30:00.000Z", "2028-03-08T10:30:00.000Z")).toBe("2028-03-15T10:30:00.000Z");
    // A millisecond more than 7 days ahead: the expiry.
    expect(renewalDueAt("2028-03-15T10:30:00.001Z", "2028-03-08T10:30:00.000Z")).toBe("2028-03-15T10:30:00.001Z");
  });
});

describe("onboardingDueAt", () => {
  test("due the period after the start date while that is still ahead", () => {
    // Entered before the start date.
    expect(onboardingDueAt("2027-03-01", 30, "2027-02-20T09:00:00.000Z")).toBe("2027-03-31T23:59:59.000Z");
    // Assigned on the start date, or a few days after it.
    expect(onboardingDueAt("2027-03-01", 30, "2027-03-01T09:00:00.000Z")).toBe("2027-03-31T23:59:59.000Z");
    expect(onboardingDueAt("2027-03-01", 30, "2027-03-20T09:00:00.000Z")).toBe("2027-03-31T23:59:59.000Z");
  });

  test("someone whose start date plus the period has passed gets the full period from now", () => {
    expect(onboardingDueAt("2027-03-01", 30, "2027-04-15T09:00:00.000Z")).toBe("2027-05-15T09:00:00.000Z");
    expect(onboardingDueAt("2020-01-06", 30, "2027-01-04T09:00:00.000Z")).toBe("2027-02-03T09:00:00.000Z");
    // The day after the due day: the date has passed.
    expect(onboardingDueAt("2027-03-01", 30, "2027-04-01T00:00:00.000Z")).toBe("2027-05-01T00:00:00.000Z");
  });

  test("the period is the course's", () => {
    expect(onboardingDueAt("2027-03-01", 5, "2027-03-01T09:00:00.000Z")).toBe("2027-03-06T23:59:59.000Z");
  });
});

test("inAudience: employees, contractors, both, and managers (anyone with a report)", () => {
  const people = [
    { type: "employee", hasReports: false },
    { type: "employee", hasReports: true },
    { type: "contractor", hasReports: false },
    { type: "contractor", hasReports: true },
  ] as const;
  const table = Object.fromEntries(
    (["employees", "contractors", "both", "managers"] as const).map((audience) => [audience, people.map((p) => inAudience(audience, p))]),
  );
  expect(table).toEqual({
    employees: [true, true, false, false],
    contractors: [false, false, true, true],
    both: [true, true, true, true],
    managers: [false, true, false, true],
  });
});

describe("reminderEvents", () => {
  // Due at the end of 31 March; assigned on 1 March.
  const a = { id: "asg_1", assigned_at: "2027-03-01T09:00:00.000Z", due_at: "2027-03-31T23:59:59.000Z" };
  const at = (iso: string, hasManager = true, rules: ReminderRules = DEFAULT_REMINDERS, asg = a) => reminderEvents(asg, new Date(iso), rules, hasManager);
  const kinds = (events: ReminderEvent[]) => events.map((e) => e.kind);

  test("nothing while the due date is far off", () => {
    expect(at("2027-03-01T09:00:00.000Z")).toEqual([]);
    expect(at("2027-03-20T09:00:00.000Z")).toEqual([]);
    // 3 calendar days before the due date is 28 March; until that day begins, still nothing.
    expect(at("2027-03-27T23:59:59.999Z")).toEqual([]);
  });

  test("a reminder 3 days before the due date, with a key of its own", () => {
    expect(at("2027-03-28T00:00:00.000Z")).toEqual([{ key: "reminder-before:asg_1", kind: "reminder_before", daysOverdue: 0 }]);
    expect(at("2027-03-30T09:00:00.000Z")).toEqual([{ key: "reminder-before:asg_1", kind: "reminder_before", daysOverdue: 0 }]);
  });

  test("no 'before' reminder for an assignment issued inside that window", () => {
    const late = { ...a, assigned_at: "2027-03-30T09:00:00.000Z" };
    expect(at("2027-03-30T10:00:00.000Z", true, DEFAULT_REMINDERS, late)).toEqual([]);
    // Issued the day before the window opened: it earns one.
    const justBefore = { ...a, assigned_at: "2027-03-27T23:59:59.000Z" };
    expect(kinds(at("2027-03-29T09:00:00.000Z", true, DEFAULT_REMINDERS, justBefore))).toEqual(["reminder_before"]);
  });

  test("on the due date: 'due today', and not the 'before' reminder with it", () => {
    expect(at("2027-03-31T00:00:00.000Z")).toEqual([{ key: "due-today:asg_1", kind: "due_today", daysOverdue: 0 }]);
    expect(at("2027-03-31T09:00:00.000Z")).toEqual([{ key: "due-today:asg_1", kind: "due_today", daysOverdue: 0 }]);
    expect(at("2027-03-31T23:59:58.999Z")).toEqual([{ key: "due-today:asg_1", kind: "due_today", daysOverdue: 0 }]);
  });

  test("not overdue at the exact due moment; overdue at once after it", () => {
    expect(at("2027-03-31T23:59:59.000Z")).toEqual([]);
    expect(at("2027-03-31T23:59:59.001Z")).toEqual([{ key: "overdue:asg_1:0", kind: "overdue", daysOverdue: 0 }]);
  });

  test("overdue rounds every 7 days, each with a stable key", () => {
    const round = (iso: string) => at(iso, false).map((e) => [e.key, e.daysOverdue]);
    expect(round("2027-04-01T09:00:00.000Z")).toEqual([["overdue:asg_1:0", 0]]);
    expect(round("2027-04-07T23:59:58.999Z")).toEqual([["overdue:asg_1:0", 6]]);
    expect(round("2027-04-07T23:59:59.000Z")).toEqual([["overdue:asg_1:1", 7]]);
    expect(round("2027-04-14T09:00:00.000Z")).toEqual([["overdue:asg_1:1", 13]]);
    expect(round("2027-04-14T23:59:59.000Z")).toEqual([["overdue:asg_1:2", 14]]);
    expect(round("2027-06-30T09:00:00.000Z")).toEqual([["overdue:asg_1:12", 90]]);
    // The same moment, asked twice, earns the same keys.
    expect(at("2027-04-20T09:00:00.000Z")).toEqual(at("2027-04-20T09:00:00.000Z"));
  });

  test("the manager hears once, after 7 days overdue, and only if there is a manager", () => {
    expect(kinds(at("2027-04-07T23:59:58.999Z", true))).toEqual(["overdue"]);
    expect(at("2027-04-07T23:59:59.000Z", true)).toEqual([
      { key: "overdue:asg_1:1", kind: "overdue", daysOverdue: 7 },
      { key: "escalation:asg_1", kind: "escalation", daysOverdue: 7 },
    ]);
    // Later rounds name the same escalation: the outbox keeps one.
    expect(at("2027-04-30T09:00:00.000Z", true).find((e) => e.kind === "escalation")?.key).toBe("escalation:asg_1");
    expect(kinds(at("2027-04-30T09:00:00.000Z", false))).toEqual(["overdue"]);
  });

  test("the cadence follows the configured rules", () => {
    const rules: ReminderRules = { daysBeforeDue: 5, overdueEveryDays: 3, escalateAfterDaysOverdue: 0, hrDigestEveryDays: 7 };
    expect(kinds(at("2027-03-26T23:59:59.000Z", true, rules))).toEqual(["reminder_before"]);
    expect(kinds(at("2027-03-25T23:59:59.000Z", true, rules))).toEqual([]);
    // Escalation after 0 days: with the very first overdue reminder.
    expect(at("2027-04-01T00:00:00.000Z", true, rules).map((e) => e.key)).toEqual(["overdue:asg_1:0", "escalation:asg_1"]);
    expect(at("2027-04-03T23:59:59.000Z", true, rules).map((e) => e.key)).toEqual(["overdue:asg_1:1", "escalation:asg_1"]);
  });

  test("an onboarding course earns 'due today' on its due date, not 'overdue'", () => {
    const due = onboardingDueAt("2027-03-01", 30, "2027-03-01T09:00:00.000Z");
    expect(due.slice(0, 10)).toBe("2027-03-31");
    const onboarding = { id: "asg_2", assigned_at: "2027-03-01T09:00:00.000Z", due_at: due };
    expect(kinds(reminderEvents(onboarding, new Date("2027-03-31T09:00:00.000Z"), DEFAULT_REMINDERS, true))).toEqual(["due_today"]);
  });
});

describe("digestPeriod", () => {
  // 7-day periods are counted from 1 January 1970, a Thursday: they begin on Thursdays at 00:00 UTC.
  const thursday = Date.parse("2027-01-07T00:00:00.000Z");

  test("a period begins at its boundary, to the millisecond", () => {
    expect(digestPeriod(new Date(thursday), 7)).toBe(digestPeriod(new Date(thursday - 1), 7) + 1);
  });

  test("every moment of the 7 days from a boundary is the same period; the next boundary starts the next", () => {
    const p = digestPeriod(new Date(thursday), 7);
    expect(digestPeriod(new Date(thursday + 3 * DAY + 12 * 3_600_000), 7)).toBe(p);
    expect(digestPeriod(new Date(thursday + 7 * DAY - 1), 7)).toBe(p);
    expect(digestPeriod(new Date(thursday + 7 * DAY), 7)).toBe(p + 1);
    expect(digestPeriod(new Date(thursday + 70 * DAY), 7)).toBe(p + 10);
  });

  test("a daily digest changes period at midnight UTC", () => {
    const midnight = Date.parse("2027-03-10T00:00:00.000Z");
    expect(digestPeriod(new Date(midnight - 1), 1)).toBe(digestPeriod(new Date(midnight), 1) - 1);
    expect(digestPeriod(new Date(midnight + DAY - 1), 1)).toBe(digestPeriod(new Date(midnight), 1));
  });
});
