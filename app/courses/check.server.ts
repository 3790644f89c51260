// Everything `npm run courses:check` verifies: the catalog rules (schemas, scenario graphs,
// quiz keys, ids, policies) and that every module and policy text compiles.
import path from "node:path";
import { loadCatalog, type CatalogProblem } from "./catalog.server";
import { mediaFileProblems } from "./media.server";
import { compileFailureLine as compileErrorLine, compileFailureText as compileErrorText, analyzeMdx, compileMdx } from "./mdx.server";

/** `today` (YYYY-MM-DD) also checks review dates: a course whose review date has passed fails
 * the check, while the running app only shows HR that its review is overdue. */
export async function checkCourses(root: string, { today }: { today?: string } = {}): Promise<{ problems: CatalogProblem[]; courses: number; policies: number }> {
  const catalog = loadCatalog(root);
  const problems = [...catalog.problems];
  const rel = (file: string) => path.relative(path.dirname(root), file);
  for (const course of catalog.courses.values()) {
    if (today && course.meta.reviewDate < today)
      problems.push({
        file: rel(path.join(course.dir, "course.yaml")),
        line: course.lineOf(["reviewDate"]),
        message: `reviewDate ${course.meta.reviewDate} has passed (today is ${today}): review the course with its owner, then set the next review date`,
      });
  }
  for (const course of catalog.courses.values()) {
    for (const m of course.modules) {
      const refs = analyzeMdx(m.source).media;
      for (const p of mediaFileProblems(course.dir, path.join(course.dir, m.file), refs)) problems.push({ ...p, file: rel(p.file) });
      try {
        await compileMdx(m.source);
      } catch (e) {
        problems.push({ file: rel(path.join(course.dir, m.file)), line: compileErrorLine(e), message: `does not compile: ${compileErrorText(e)}` });
      }
    }
  }
  for (const policy of catalog.policies.values()) {
    for (const v of policy.versions) {
      try {
        await compileMdx(v.body);
      } catch (e) {
        problems.push({ file: rel(path.join(root, "policies", policy.id, v.file)), line: compileErrorLine(e), message: `does not compile: ${compileErrorText(e)}` });
      }
    }
  }
  return { problems, courses: catalog.courses.size, policies: catalog.policies.size };
}
