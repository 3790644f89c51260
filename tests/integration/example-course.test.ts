// The worked example in courses/README.md is a real course folder: it passes courses:check, its
// module compiles, and the guide shows its files exactly as they are.
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { checkCourses } from "../../app/courses/check.server";
import { loadCatalog } from "../../app/courses/catalog.server";
import { compileMdx } from "../../app/courses/mdx.server";

const ROOT = path.resolve("tests/fixtures/example-course");
const DIR = path.join(ROOT, "visitors-and-guests");

test("the worked example passes every check", async () => {
  const result = await checkCourses(ROOT, { today: "2027-01-01" });
  expect(result.problems).toEqual([]);
  expect(result.courses).toBe(1);
});

test("the worked example's module compiles, with its scenario, figure and quiz", async () => {
  const course = loadCatalog(ROOT).courses.get("visitors-and-guests")!;
  expect(course.modules.map((m) => m.slug)).toEqual(["hosting-a-visitor"]);
  expect(course.modules[0].scenarios[0].steps.map((s) => [s.id, s.ending])).toEqual([
    ["start", null],
    ["walked-over", "acceptable"],
    ["stayed", "best"],
  ]);
  expect(course.quiz!.questions.map((q) => q.id)).toEqual(["visitor-route"]);
  const compiled = await compileMdx(course.modules[0].source);
  expect(compiled.code).toContain("visitor-route.svg");
});

test("courses/README.md shows each file of the example exactly", () => {
  const guide = fs.readFileSync("courses/README.md", "utf8");
  for (const file of ["course.yaml", "01-hosting-a-visitor.mdx", "quiz.yaml"]) {
    expect(guide, file).toContain(fs.readFileSync(path.join(DIR, file), "utf8"));
  }
});
