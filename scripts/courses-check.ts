// npm run courses:check [-- <courses folder>]
// Prints "file:line  problem" for everything wrong, and exits 1 if anything is.
import path from "node:path";
import { checkCourses } from "../app/courses/check.server";
import { formatProblems } from "../app/courses/catalog.server";
import { exitAfterFlush } from "./support/exit";

const root = path.resolve(process.argv[2] ?? process.env.COURSES_DIR ?? "courses");
try {
  const { problems, courses, policies } = await checkCourses(root);
  if (problems.length > 0) {
    console.error(formatProblems(problems));
    console.error(`\n${problems.length} problem${problems.length === 1 ? "" : "s"} found; ${courses} course(s) and ${policies} policy(ies) are fine.`);
    await exitAfterFlush(1);
  }
  console.log(`All good: ${courses} course(s) and ${policies} policy(ies) in ${path.relative(process.cwd(), root) || "."}.`);
} catch (e) {
  console.error(`courses:check could not run: ${e instanceof Error ? e.message : String(e)}`);
  await exitAfterFlush(2);
}
