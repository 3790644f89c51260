// Rules the pages follow, as plain functions: who may send kudos, which module a person may
// open, what a certificate download is called, and who a course's audience reaches.
import { describe, expect, test } from "vitest";
import type { Course } from "../../app/courses/catalog.server";
import { maySendKudos } from "../../app/recognition/kudos-page.server";
import { moduleRedirect } from "../../app/learning/module-page.server";
import { certificateFileName } from "../../app/recognition/certificate.server";
import { audienceRule, inAudience } from "../../app/assignments/rules";
import { quietManagers, recognitionPageOf } from "../../app/recognition/recognition-page.server";
import { shownStanding } from "../../app/team/member-page.server";

describe("who may send kudos", () => {
  test("managers and HR may; nobody else", () => {
    expect(maySendKudos({ isHr: false, isManager: true })).toBe(true);
    expect(maySendKudos({ isHr: true, isManager: false })).toBe(true);
    expect(maySendKudos({ isHr: true, isManager: true })).toBe(true);
    expect(maySendKudos({ isHr: false, isManager: false })).toBe(false);
  });
});

describe("modules open in order", () => {
  const course = { id: "privacy", modules: [{ slug: "one" }, { slug: "two" }, { slug: "three" }] } as unknown as Course;
  const done = (...slugs: string[]) => ({ completedModules: new Set(slugs) });

  test("the first module and every module after done ones are open", () => {
    expect(moduleRedirect(course, done(), "one")).toBeNull();
    expect(moduleRedirect(course, done("one"), "two")).toBeNull();
    expect(moduleRedirect(course, done("one", "two", "three"), "one")).toBeNull();
  });

  test("a module not reached yet sends the person to the first one not done", () => {
    expect(moduleRedirect(course, done(), "three")).toBe("/courses/privacy/one");
    expect(moduleRedirect(course, done("one"), "three")).toBe("/courses/privacy/two");
  });

  test("without an assignment (an HR preview) every module is open", () => {
    expect(moduleRedirect(course, null, "three")).toBeNull();
  });
});

test("a certificate's file name is the course and cycle in lower-case words, at most 80 characters", () => {
  expect(certificateFileName({ courseTitle: "Handling Customer Data (2027)", cycle: "renewal-2027-11-30" })).toBe(
    "confidant-certificate-handling-customer-data-2027-renewal-2027-11-30.pdf",
  );
  const long = certificateFileName({ courseTitle: "A".repeat(200), cycle: "annual" });
  expect(long).toBe(`confidant-certificate-${"a".repeat(80)}.pdf`);
});

describe("who a course's audience reaches", () => {
  const employee = { type: "employee" as const, hasReports: false };
  const contractor = { type: "contractor" as const, hasReports: false };
  const manager = { type: "employee" as const, hasReports: true };

  test("employees, contractors, both, or people with reports", () => {
    expect([employee, contractor, manager].map((p) => inAudience("employees", p))).toEqual([true, false, true]);
    expect([employee, contractor, manager].map((p) => inAudience("contractors", p))).toEqual([false, true, false]);
    expect([employee, contractor, manager].map((p) => inAudience("both", p))).toEqual([true, true, true]);
    expect([employee, contractor, manager].map((p) => inAudience("managers", p))).toEqual([false, false, true]);
  });

  test("the rule the SQL filter is built from says the same", () => {
    expect(audienceRule("employees")).toEqual({ type: "employee", managersOnly: false });
    expect(audienceRule("contractors")).toEqual({ type: "contractor", managersOnly: false });
    expect(audienceRule("both")).toEqual({ type: null, managersOnly: false });
    expect(audienceRule("managers")).toEqual({ type: null, managersOnly: true });
  });
});

test("a person who opted out of boards shows no standing on their manager's page", () => {
  const standing = { score: { score: 87, ranked: true }, badges: ["on_time"] } as unknown as Parameters<typeof shownStanding>[1];
  expect(shownStanding(true, standing)).toEqual({ score: 87, ranked: true, badges: ["on_time"] });
  expect(shownStanding(false, standing)).toBeNull();
  expect(shownStanding(true, null)).toBeNull();
});

test("quiet managers are those who sent no kudos in the window; lists page by 50, the last page when asked past the end", () => {
  expect(quietManagers([{ id: "a", sentInWindow: 0 }, { id: "b", sentInWindow: 2 }]).map((m) => m.id)).toEqual(["a"]);
  const all = Array.from({ length: 120 }, (_, i) => i);
  expect(recognitionPageOf(all, 2)).toMatchObject({ total: 120, page: 2, pageCount: 3, pageSize: 50 });
  expect(recognitionPageOf(all, 2).rows[0]).toBe(50);
  expect(recognitionPageOf(all, 9)).toMatchObject({ page: 3, rows: all.slice(100) });
  expect(recognitionPageOf([], 1)).toMatchObject({ total: 0, page: 1, pageCount: 1, rows: [] });
});
