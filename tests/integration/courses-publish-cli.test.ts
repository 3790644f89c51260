// `npm run courses:publish -- <course> [--restart-in-progress] [--yes]`: the real script in a child
// process, against a real SQLite file and a courses folder of its own.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, expect, test } from "vitest";
import { makeWorld, SECRET, type World } from "../support/world";
import { addDraftCourse, coursesCopy } from "../support/publishing";
import { recordBaseline } from "../../app/scheduler/publishing.server";

const exec = promisify(execFile);
let w: World;
let folder: ReturnType<typeof coursesCopy>;
let dataDir: string;
beforeEach(async () => {
  w = await makeWorld();
  folder = coursesCopy();
  await recordBaseline(w.db, folder.load(), w.clock());
  addDraftCourse(folder.dir);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-publish-cli-"));
});
afterEach(async () => {
  await w.close();
  folder.remove();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  try {
    const { stdout, stderr } = await exec(path.resolve("node_modules/.bin/tsx"), ["scripts/courses-publish.ts", ...args], {
      env: { ...process.env, NODE_ENV: "test", APP_SECRET: SECRET, DATABASE_URL: w.url, COURSES_DIR: folder.dir, DATA_DIR: dataDir, LOG_LEVEL: "silent", NODE_OPTIONS: "" },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const publications = async () => w.db.selectFrom("course_publications").select(["course_id", "mode"]).where("course_id", "=", "visitor-badges").execute();

test("without --yes and no terminal it prints what publishing does and publishes nothing; with --yes it publishes, audited", async () => {
  // It runs at the real time: everyone whose start date has come is reached.
  const started = await w.db.selectFrom("users").select(["name", "email"]).where("start_date", "<=", new Date().toISOString().slice(0, 10)).orderBy("name").execute();
  const n = started.length;
  const dry = await cli(["visitor-badges"]);
  expect(dry.code).toBe(1);
  expect(dry.stdout).toContain(`Publishing issues ${n} assignments, ${n} emails at the next scheduler run.`);
  for (const p of started) expect(dry.stdout).toContain(`  ${p.name} <${p.email}>`);
  expect(dry.stdout).toContain("Not published: run again with --yes to confirm.");
  expect(await publications()).toEqual([]);

  const done = await cli(["visitor-badges", "--yes"]);
  expect(done.code).toBe(0);
  expect(done.stdout).toMatch(/Published Visitors and Badges \([0-9a-f]{16}\); the scheduler issues it from its next run\./);
  expect(await publications()).toEqual([{ course_id: "visitor-badges", mode: "publish" }]);
  const entry = await w.db.selectFrom("audit_log").select(["actor_id", "data_json"]).where("action", "=", "course.published").executeTakeFirstOrThrow();
  expect(entry.actor_id).toBeNull();
  expect(JSON.parse(entry.data_json)).toMatchObject({ assignments: n, emails: n, mode: "publish" });

  const again = await cli(["visitor-badges", "--yes"]);
  expect(again.code).toBe(1);
  expect(again.stderr).toContain("Not published: already published.");
  const restart = await cli(["visitor-badges", "--yes", "--restart-in-progress"]);
  expect(restart.code).toBe(0);
  expect((await publications()).map((p) => p.mode)).toEqual(["publish", "restart"]);
}, 120_000);

test("an unknown course or a bad option changes nothing and says why", async () => {
  const unknown = await cli(["no-such-course", "--yes"]);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain("There is no course 'no-such-course'");
  const bad = await cli(["visitor-badges", "--publish-everything"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("Usage: npm run courses:publish");
  expect(await publications()).toEqual([]);
}, 120_000);
