// npm run courses:check [-- <courses folder>] [--today YYYY-MM-DD]
// Prints "file:line  problem" for everything wrong, and exits 1 if anything is. A review date
// before today (the system's date, or --today) is a problem too.
import path from "node:path";
import { parseArgs } from "node:util";
import { checkCourses } from "../app/courses/check.server";
import { formatProblems } from "../app/courses/catalog.server";
import { exitAfterFlush } from "./support/exit";

const { values: args, positionals } = parseArgs({ options: { today: { type: "string" } }, allowPositionals: true });
if (args.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(args.today)) {
  console.error(`courses:check could not run: --today ${args.today} is not a date written YYYY-MM-DD`);
  await exitAfterFlush(2);
}
const today = args.today ?? new Date().toISOString().slice(0, 10);
const root = path.resolve(positionals[0] ?? process.env.COURSES_DIR ?? "courses");
try {
  const { problems, courses, policies } = await checkCourses(root, { today });
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
