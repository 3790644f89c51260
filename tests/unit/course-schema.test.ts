import { expect, test } from "vitest";
import type { z } from "zod";
import { courseMetaSchema, policyMetaSchema, quizSchema, recurrenceSchema } from "../../app/courses/schema";

const minimalCourse = () => ({
  title: "Protecting trade secrets",
  summary: "What they are and how we keep them.",
  owner: "Legal & Compliance <compliance@example.com>",
  reviewDate: "2027-06-30",
});

function option(id: string, correct = false) {
  return { id, text: `Option ${id}`, ...(correct ? { correct: true } : {}) };
}

function question(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    prompt: `Prompt ${id}`,
    select: "one",
    options: [option("a", true), option("b")],
    explanation: "Because.",
    ...overrides,
  };
}

function version(v: number) {
  return { version: v, file: `v${v}.mdx`, published: "2026-01-05", material: true, changes: `Version ${v}.` };
}

function policy(versions: unknown[]) {
  return { title: "Agreement", statement: "I agree to version {version}.", versions };
}

/** The messages of a failed parse, as "path: message". */
function issues(result: z.SafeParseReturnType<unknown, unknown>): string[] {
  expect(result.success).toBe(false);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

test("a course.yaml with only the required fields gets the documented defaults", () => {
  const meta = courseMetaSchema.parse(minimalCourse());
  expect(meta).toEqual({
    ...minimalCourse(),
    audience: "both",
    assign: "onboarding",
    passingScore: 80,
    duePeriodDays: 30,
    recurrence: { kind: "none" },
    renewalWindowDays: 30,
  });
  expect(meta.policy).toBeUndefined();
});

test("every field a course author sets is kept", () => {
  const meta = courseMetaSchema.parse({
    ...minimalCourse(),
    audience: "contractors",
    passingScore: 100,
    duePeriodDays: 5,
    recurrence: { kind: "rolling", months: 12 },
    renewalWindowDays: 0,
    policy: "confidentiality-agreement",
  });
  expect(meta).toMatchObject({
    audience: "contractors",
    passingScore: 100,
    duePeriodDays: 5,
    recurrence: { kind: "rolling", months: 12 },
    renewalWindowDays: 0,
    policy: "confidentiality-agreement",
  });
});

test("a title, summary or owner that is only spaces is rejected", () => {
  expect(issues(courseMetaSchema.safeParse({ ...minimalCourse(), title: "   " }))).toEqual(["title: must not be empty"]);
  expect(issues(courseMetaSchema.safeParse({ ...minimalCourse(), owner: "" }))).toEqual(["owner: must not be empty"]);
});

test("a missing required field is reported by name", () => {
  const { summary: _omit, ...rest } = minimalCourse();
  const result = courseMetaSchema.safeParse(rest);
  expect(result.success).toBe(false);
  if (result.success) return;
  expect(result.error.issues.map((i) => i.path.join("."))).toEqual(["summary"]);
});

test("an unknown field in course.yaml is rejected (a typo is not silently ignored)", () => {
  const result = courseMetaSchema.safeParse({ ...minimalCourse(), passingscore: 90 });
  expect(result.success).toBe(false);
  if (result.success) return;
  expect(result.error.issues).toEqual([expect.objectContaining({ code: "unrecognized_keys", keys: ["passingscore"] })]);
});

test("audience must be employees, contractors, both or managers", () => {
  for (const audience of ["employees", "contractors", "both", "managers"]) {
    expect(courseMetaSchema.safeParse({ ...minimalCourse(), audience }).success).toBe(true);
  }
  expect(issues(courseMetaSchema.safeParse({ ...minimalCourse(), audience: "everyone" }))).toHaveLength(1);
  expect(courseMetaSchema.safeParse({ ...minimalCourse(), audience: "Employees" }).success).toBe(false);
});

test("passing score is a whole percentage from 1 to 100", () => {
  for (const passingScore of [1, 100]) expect(courseMetaSchema.safeParse({ ...minimalCourse(), passingScore }).success).toBe(true);
  for (const passingScore of [0, 101, 150, 79.5, "80"]) {
    expect(courseMetaSchema.safeParse({ ...minimalCourse(), passingScore }).success, String(passingScore)).toBe(false);
  }
});

test("reviewDate must be a real calendar date written YYYY-MM-DD", () => {
  expect(courseMetaSchema.parse({ ...minimalCourse(), reviewDate: "2028-02-29" }).reviewDate).toBe("2028-02-29");
  expect(issues(courseMetaSchema.safeParse({ ...minimalCourse(), reviewDate: "2027-02-30" }))).toEqual(["reviewDate: is not a real calendar date"]);
  expect(issues(courseMetaSchema.safeParse({ ...minimalCourse(), reviewDate: "2027-02-29" }))).toEqual(["reviewDate: is not a real calendar date"]);
  expect(issues(courseMetaSchema.safeParse({ ...minimalCourse(), reviewDate: "2027-13-01" }))).toEqual(["reviewDate: is not a real calendar date"]);
  expect(issues(courseMetaSchema.safeParse({ ...minimalCourse(), reviewDate: "30/06/2027" }))).toContain("reviewDate: must be a date written YYYY-MM-DD");
});

test("a reviewDate that YAML already read as a date is kept as YYYY-MM-DD", () => {
  const meta = courseMetaSchema.parse({ ...minimalCourse(), reviewDate: new Date("2027-06-30T00:00:00Z") });
  expect(meta.reviewDate).toBe("2027-06-30");
});

test("a policy reference must be a folder name", () => {
  expect(issues(courseMetaSchema.safeParse({ ...minimalCourse(), policy: "Confidentiality Agreement" }))).toEqual([
    "policy: must be a policy folder name (lower-case letters, digits, hyphens)",
  ]);
});

test("recurrence none, rolling and anniversary are accepted, with the anniversary's default minimum validity", () => {
  expect(recurrenceSchema.parse({ kind: "none" })).toEqual({ kind: "none" });
  expect(recurrenceSchema.parse({ kind: "rolling", months: 12 })).toEqual({ kind: "rolling", months: 12 });
  expect(recurrenceSchema.parse({ kind: "anniversary", month: 1, day: 31 })).toEqual({
    kind: "anniversary",
    month: 1,
    day: 31,
    minimumValidityDays: 180,
  });
  expect(recurrenceSchema.parse({ kind: "anniversary", month: 6, day: 1, minimumValidityDays: 90 })).toMatchObject({ minimumValidityDays: 90 });
});

test("an unknown recurrence kind is rejected with a message that lists the kinds", () => {
  expect(issues(recurrenceSchema.safeParse({ kind: "weekly" }))).toEqual(["kind: kind must be none, rolling or anniversary"]);
  expect(courseMetaSchema.safeParse({ ...minimalCourse(), recurrence: { kind: "yearly" } }).success).toBe(false);
});

test("each recurrence kind requires its own fields and no others", () => {
  expect(issues(recurrenceSchema.safeParse({ kind: "rolling" }))).toEqual(["months: Required"]);
  expect(recurrenceSchema.safeParse({ kind: "rolling", months: 0 }).success).toBe(false);
  expect(recurrenceSchema.safeParse({ kind: "none", months: 12 }).success).toBe(false);
  expect(recurrenceSchema.safeParse({ kind: "anniversary", month: 13, day: 1 }).success).toBe(false);
  expect(recurrenceSchema.safeParse({ kind: "anniversary", month: 1, day: 32 }).success).toBe(false);
  expect(recurrenceSchema.safeParse({ kind: "anniversary", month: 1 }).success).toBe(false);
});

test("a quiz with well-formed questions is accepted, options defaulting to not correct", () => {
  const parsed = quizSchema.parse({ questions: [question("q1"), question("q2", { select: "many", options: [option("a", true), option("b", true), option("c")] })] });
  expect(parsed.questions.map((q) => q.id)).toEqual(["q1", "q2"]);
  expect(parsed.questions[0].options[1].correct).toBe(false);
});

test("a question with no correct option is rejected", () => {
  const result = quizSchema.safeParse({ questions: [question("q1", { options: [option("a"), option("b")] })] });
  expect(issues(result)).toEqual(["questions.0.options: has no correct option"]);
});

test("a select-many question with no correct option is rejected too", () => {
  const result = quizSchema.safeParse({ questions: [question("q1", { select: "many", options: [option("a"), option("b")] })] });
  expect(issues(result)).toEqual(["questions.0.options: has no correct option"]);
});

test("a select-one question with two correct options is rejected", () => {
  const result = quizSchema.safeParse({ questions: [question("q1", { options: [option("a", true), option("b", true)] })] });
  expect(issues(result)).toEqual(["questions.0.options: is 'select: one' but has 2 correct options"]);
});

test("duplicate option ids within a question are rejected, pointing at the duplicate", () => {
  const result = quizSchema.safeParse({ questions: [question("q1", { options: [option("a", true), option("b"), option("a")] })] });
  expect(issues(result)).toEqual(["questions.0.options.2.id: duplicate option id 'a'"]);
});

test("the same option id in different questions is fine", () => {
  expect(quizSchema.safeParse({ questions: [question("q1"), question("q2")] }).success).toBe(true);
});

test("duplicate question ids are rejected, pointing at the second one", () => {
  const result = quizSchema.safeParse({ questions: [question("q1"), question("q2"), question("q1")] });
  expect(issues(result)).toEqual(["questions.2.id: duplicate question id 'q1'"]);
});

test("a question needs an explanation and at least two options", () => {
  const { explanation: _omit, ...noExplanation } = question("q1");
  expect(quizSchema.safeParse({ questions: [noExplanation] }).success).toBe(false);
  expect(issues(quizSchema.safeParse({ questions: [question("q1", { options: [option("a", true)] })] }))).toEqual([
    "questions.0.options: needs at least two options",
  ]);
});

test("an empty quiz is rejected", () => {
  expect(issues(quizSchema.safeParse({ questions: [] }))).toEqual(["questions: needs at least one question"]);
});

test("a policy with increasing versions is accepted", () => {
  const parsed = policyMetaSchema.parse(policy([version(1), version(2), version(5)]));
  expect(parsed.versions.map((v) => v.version)).toEqual([1, 2, 5]);
});

test("policy versions must increase, newest last", () => {
  expect(issues(policyMetaSchema.safeParse(policy([version(2), version(1)])))).toEqual(["versions.1.version: versions must increase, newest last"]);
  expect(issues(policyMetaSchema.safeParse(policy([version(1), version(1)])))).toEqual(["versions.1.version: versions must increase, newest last"]);
});

test("a policy needs at least one version, each naming an .mdx file", () => {
  expect(issues(policyMetaSchema.safeParse(policy([])))).toEqual(["versions: needs at least one version"]);
  expect(issues(policyMetaSchema.safeParse(policy([{ ...version(1), file: "v1.md" }])))).toEqual([
    "versions.0.file: must be an .mdx file name in the policy folder",
  ]);
  expect(policyMetaSchema.safeParse(policy([{ ...version(1), file: "../secret.mdx" }])).success).toBe(false);
});
