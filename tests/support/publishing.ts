// A copy of the shipped courses in a folder of its own, which a test may edit like an author,
// and the edits the "versions never strand anyone" journey makes.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { loadCatalog } from "../../app/courses/catalog.server";

export function coursesCopy(): { dir: string; load: () => ReturnType<typeof loadCatalog>; remove: () => void } {
  const dir = path.join(os.tmpdir(), `confidant-courses-${randomUUID()}`);
  fs.cpSync(path.resolve("courses"), dir, { recursive: true });
  return {
    dir,
    load: () => {
      const c = loadCatalog(dir);
      if (c.problems.length) throw new Error(`The copied courses are broken: ${JSON.stringify(c.problems)}`);
      return c;
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Adds the draft course of tests/fixtures/draft-course to a courses folder. */
export function addDraftCourse(dir: string, id = "visitor-badges") {
  fs.cpSync(path.resolve("tests/fixtures/draft-course/visitor-badges"), path.join(dir, id), { recursive: true });
}

export const RENAMED_FROM = "let-marketing-decide";
export const RENAMED_TO = "let-marketing-choose";

/** What an author does to a live course: renames a step, adds a question, removes a module. */
export function editLiveCourse(dir: string) {
  const course = path.join(dir, "protecting-trade-secrets");
  const first = path.join(course, "01-what-is-a-trade-secret.mdx");
  fs.writeFileSync(first, fs.readFileSync(first, "utf8").replaceAll(`"${RENAMED_FROM}"`, `"${RENAMED_TO}"`));
  fs.rmSync(path.join(course, "07-leaving-the-company.mdx"));
  const quiz = path.join(course, "quiz.yaml");
  const text = fs.readFileSync(quiz, "utf8").replace(/\n\s+module: leaving-the-company/g, "");
  fs.writeFileSync(
    quiz,
    `${text.trimEnd()}\n\n  - id: a-stranger-at-the-door\n    module: handling-and-access\n    prompt: Someone you do not know follows you through a badge door. What do you do?\n    select: one\n    options:\n      - id: a\n        text: Ask them to badge in or wait at reception\n        correct: true\n      - id: b\n        text: Hold the door, since they look busy\n    explanation: >-\n      A door held for a stranger lets them past every other safeguard.\n`,
  );
}
