// `npm run courses:check` as a course author runs it, and the catalog's promise that one broken
// course never takes the others (or the app) down.
import { spawn } from "node:child_process";
import path from "node:path";
import { beforeAll, expect, test } from "vitest";
import { checkCourses } from "../../app/courses/check.server";
import { loadCatalog } from "../../app/courses/catalog.server";

const FIXTURES = "tests/fixtures/broken-courses";
const TODAY = "2027-01-01";
const COURSE = "handling-information";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process, as `npm run courses:check -- <root>` would. */
function spawnCheck(root: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    // A fixed "today", so review dates in the fixtures never expire.
    const child = spawn(path.resolve("node_modules/.bin/tsx"), ["scripts/courses-check.ts", root, "--today", TODAY], {
      cwd: path.resolve("."),
      env: { ...process.env, COURSES_DIR: "", NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

// Each run takes a few seconds (tsx start-up plus MDX compilation): start them all up front,
// a few at a time, and let each test wait for its own.
const runs = new Map<string, Promise<Run>>();
const slots: Array<Promise<unknown>> = [Promise.resolve(), Promise.resolve(), Promise.resolve()];
let next = 0;
function check(root: string): Promise<Run> {
  let run = runs.get(root);
  if (!run) {
    const slot = next++ % slots.length;
    run = slots[slot].then(() => spawnCheck(root));
    slots[slot] = run.catch(() => undefined);
    runs.set(root, run);
  }
  return run;
}

const CASES = [
  "bad-metadata",
  "mdx-syntax-error",
  "question-without-correct-answer",
  "duplicate-question-id",
  "duplicate-scenario-id",
  "unknown-component",
  "choice-to-missing-step",
  "missing-policy",
  "reserved-module-name",
  "unknown-callout-kind",
  "module-without-scenario",
  "yaml-error-line",
] as const;

const fixture = (name: string) => `${FIXTURES}/${name}`;

beforeAll(() => {
  check("courses");
  for (const c of CASES) check(fixture(c));
  check(fixture("one-good-one-broken"));
  check(fixture("past-review-date"));
  check("tests/fixtures/code-in-course");
  check("package.json");
});

/** The "file:line  problem" lines the CLI printed, as [where, message]. */
function problemLines(run: Run): Array<[string, string]> {
  return run.stderr
    .split("\n")
    .filter((l) => /^\S+:\d+ {2}/.test(l))
    .map((l) => {
      const at = l.indexOf("  ");
      return [l.slice(0, at), l.slice(at + 2)];
    });
}

/** What every failed check must look like: exit 1, problems on stderr, nothing a developer would
 * have to decode (stack traces, "SomethingError:" prefixes). */
function expectAuthorFacingFailure(run: Run, problems: Array<[string | RegExp, RegExp]>) {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toBe("");
  const printed = problemLines(run);
  expect(printed.map(([where]) => where)).toEqual(problems.map(([where]) => (typeof where === "string" ? where : expect.stringMatching(where))));
  printed.forEach(([, message], i) => expect(message).toMatch(problems[i][1]));
  expect(run.stderr).toMatch(new RegExp(`\\n${problems.length} problems? found; `));
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toMatch(/\b\w*Error: /);
}

test("the shipped courses pass every check: at least 4 courses and 2 policies, all compiling", async () => {
  const result = await checkCourses(path.resolve("courses"));
  expect(result.problems).toEqual([]);
  expect(result.courses).toBeGreaterThanOrEqual(4);
  expect(result.policies).toBeGreaterThanOrEqual(2);
});

test("the CLI reports the shipped courses as fine and exits 0", async () => {
  const run = await check("courses");
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toBe("");
  expect(run.stdout).toMatch(/^All good: \d+ course\(s\) and \d+ policy\(ies\) in courses\.\n$/);
});

test("bad metadata: an out-of-range passing score and an unknown field are both reported", async () => {
  const run = await check(fixture("bad-metadata"));
  expectAuthorFacingFailure(run, [
    [`bad-metadata/${COURSE}/course.yaml:4`, /^passingScore .*less than or equal to 100/],
    // The line of the unknown field is pinned by the test below.
    [new RegExp(`^bad-metadata/${COURSE}/course\\.yaml:\\d+$`), /^unknown field\(s\) 'colour'$/],
  ]);
});

test("an unknown field is reported at its own line", async () => {
  const run = await check(fixture("bad-metadata"));
  expect(run.stderr).toContain(`bad-metadata/${COURSE}/course.yaml:11  unknown field(s) 'colour'`);
});

test("an MDX syntax error is reported at its line in the module, without a stack trace", async () => {
  const run = await check(fixture("mdx-syntax-error"));
  expectAuthorFacingFailure(run, [
    [`mdx-syntax-error/${COURSE}/01-the-basics.mdx:19`, /^MDX syntax error: Unexpected closing tag `<\/Step>`, expected corresponding closing tag for `<Callout>`/],
  ]);
});

test("a question without a correct answer is reported at that question's options", async () => {
  const run = await check(fixture("question-without-correct-answer"));
  expectAuthorFacingFailure(run, [[`question-without-correct-answer/${COURSE}/quiz.yaml:19`, /^question 'what-is-secret': options has no correct option$/]]);
});

test("a question id used twice is reported at the second question", async () => {
  const run = await check(fixture("duplicate-question-id"));
  expectAuthorFacingFailure(run, [[`duplicate-question-id/${COURSE}/quiz.yaml:14`, /duplicate question id 'what-to-do'/]]);
});

test("a scenario id used by two modules is reported in the second, naming the first", async () => {
  const run = await check(fixture("duplicate-scenario-id"));
  expectAuthorFacingFailure(run, [
    [`duplicate-scenario-id/${COURSE}/02-in-public.mdx:9`, /^scenario id 'overheard-call' is already used in 01-the-basics\.mdx$/],
  ]);
});

test("an unknown component is reported at its line, with the components that exist", async () => {
  const run = await check(fixture("unknown-component"));
  expectAuthorFacingFailure(run, [
    [`unknown-component/${COURSE}/01-the-basics.mdx:9`, /^unknown component <Poll>; available: <Callout>, <Scenario>, <Step>, <Choice>, <BetterMove>, <Figure>, <Video>$/],
  ]);
});

test("a choice leading to a missing step is reported at the choice (and the step it should have reached)", async () => {
  const run = await check(fixture("choice-to-missing-step"));
  expectAuthorFacingFailure(run, [
    [`choice-to-missing-step/${COURSE}/01-the-basics.mdx:14`, /^choice leads to step 'ignored', which does not exist in scenario 'overheard-call'$/],
    [`choice-to-missing-step/${COURSE}/01-the-basics.mdx:19`, /^step 'ignore' cannot be reached from the first step/],
  ]);
});

test("a course naming a policy that does not exist is reported in its course.yaml", async () => {
  const run = await check(fixture("missing-policy"));
  // The line is pinned by the test below.
  expectAuthorFacingFailure(run, [[new RegExp(`^missing-policy/${COURSE}/course\\.yaml:\\d+$`), /^policy 'confidentiality-agreement' does not exist/]]);
  // The policy that does exist is still fine.
  expect(run.stderr).toContain("0 course(s) and 1 policy(ies) are fine.");
});

test("a missing policy is reported at the line of the policy field", async () => {
  const run = await check(fixture("missing-policy"));
  expect(run.stderr).toContain(`missing-policy/${COURSE}/course.yaml:11  policy 'confidentiality-agreement' does not exist`);
});

test("a module named with a reserved word is reported", async () => {
  const run = await check(fixture("reserved-module-name"));
  expectAuthorFacingFailure(run, [[`reserved-module-name/${COURSE}/01-quiz.mdx:1`, /^'quiz' is reserved and cannot be a module name$/]]);
});

test("the CLI checks every course: a good one beside a broken one is counted as fine", async () => {
  const run = await check(fixture("one-good-one-broken"));
  expectAuthorFacingFailure(run, [
    ["one-good-one-broken/broken-course/01-the-basics.mdx:14", /^choice leads to step 'ignored'/],
    ["one-good-one-broken/broken-course/01-the-basics.mdx:19", /^step 'ignore' cannot be reached/],
  ]);
  expect(run.stderr).toContain("1 course(s) and 1 policy(ies) are fine.");
});

test("an unknown Callout kind is reported at the callout, with the kinds that exist", async () => {
  const run = await check(fixture("unknown-callout-kind"));
  expectAuthorFacingFailure(run, [
    [`unknown-callout-kind/${COURSE}/01-the-basics.mdx:9`, /^<Callout kind="danger"> is not a kind of callout; use kind="note", kind="tip", kind="warning", kind="law"/],
  ]);
});

test("a module without a scenario is reported at the start of its body", async () => {
  const run = await check(fixture("module-without-scenario"));
  expectAuthorFacingFailure(run, [[`module-without-scenario/${COURSE}/01-the-basics.mdx:6`, /^a module needs at least one <Scenario/]]);
});

test("a YAML error is reported at the line of the mistake (an unclosed quote), not where the parser gave up", async () => {
  const run = await check(fixture("yaml-error-line"));
  expectAuthorFacingFailure(run, [[`yaml-error-line/${COURSE}/course.yaml:2`, /^not valid YAML: Missing closing 'quote$/]]);
});

test("a review date in the past fails the check with what to do, though the course still loads", async () => {
  const run = await check(fixture("past-review-date"));
  expectAuthorFacingFailure(run, [
    [`past-review-date/${COURSE}/course.yaml:10`, /^reviewDate 2026-06-30 has passed \(today is 2027-01-01\): review the course with its owner, then set the next review date$/],
  ]);
  expect(loadCatalog(path.resolve(fixture("past-review-date"))).courses.has(COURSE)).toBe(true);
});

test("a module with {process.exit(1)} is refused with its line and what to write instead; the CLI itself keeps running", async () => {
  const run = await check("tests/fixtures/code-in-course");
  expectAuthorFacingFailure(run, [["code-in-course/runs-code/01-the-basics.mdx:9", /^\{…\} is a JavaScript expression, which course text may not contain; write the words themselves/]]);
  expect(run.stderr).toContain("1 course(s) and 0 policy(ies) are fine.");
});

test("the CLI exits 2 with a plain message when it cannot read the folder at all", async () => {
  const run = await check("package.json");
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).toMatch(/^courses:check could not run: /);
  expect(run.stderr).not.toMatch(/^\s+at /m);
});

test("a broken course is left out of the catalog while the good course and its policy stay in", () => {
  const root = path.resolve(fixture("one-good-one-broken"));
  const catalog = loadCatalog(root);
  expect([...catalog.courses.keys()]).toEqual(["good-course"]);
  expect(catalog.courses.get("good-course")!.meta.policy).toBe("exit-acknowledgement");
  expect(catalog.courses.get("good-course")!.modules.map((m) => m.slug)).toEqual(["the-basics"]);
  expect([...catalog.policies.keys()]).toEqual(["exit-acknowledgement"]);
  expect(catalog.problems.length).toBeGreaterThan(0);
  for (const p of catalog.problems) expect(p.file).toBe("one-good-one-broken/broken-course/01-the-basics.mdx");
  expect(catalog.problems.map((p) => p.line)).toEqual([14, 19]);
});

test("every broken fixture is left out of the catalog without throwing", () => {
  for (const c of CASES) {
    const catalog = loadCatalog(path.resolve(fixture(c)));
    expect(catalog.courses.has(COURSE), c).toBe(false);
    expect(catalog.problems.length, c).toBeGreaterThan(0);
    for (const p of catalog.problems) expect(p.file.startsWith(`${c}/${COURSE}`), `${c}: ${p.file}`).toBe(true);
  }
});

test("a courses folder that does not exist is a problem, not a crash", () => {
  const root = path.resolve(FIXTURES, "no-such-folder");
  const catalog = loadCatalog(root);
  expect(catalog.courses.size).toBe(0);
  expect(catalog.problems).toEqual([{ file: root, line: 1, message: "courses folder does not exist" }]);
});
