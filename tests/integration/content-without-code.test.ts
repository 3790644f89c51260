// Course content can never run code on the server: a module with `{process.exit(1)}` is left
// out of the catalog at start, and, if some path hands it to the compiler anyway (a preview, a
// publish, a reload), the compiler refuses it and the page says the module is unavailable.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { loadCatalog, type Catalog } from "../../app/courses/catalog.server";
import { mdxHash } from "../../app/courses/mdx.server";
import { makePerson } from "../../app/demo/factories.server";
import { createDb } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { fixedClock } from "../../app/clock";
import { serverBuild, startTestServer, type TestServer } from "../support/server";
import { assignCourse, makeWorld, passwordHash, PASSWORD, SECRET, type World } from "../support/world";
import { words } from "../support/html";
import { spawnInstance } from "../support/spawn-instance";

const FIXTURE = path.resolve("tests/fixtures/code-in-course");
const EXIT_SOURCE = fs.readFileSync(path.join(FIXTURE, "runs-code/01-the-basics.mdx"), "utf8");

test("the start-up catalog leaves the course out, naming the file and line", () => {
  const catalog = loadCatalog(FIXTURE);
  expect([...catalog.courses.keys()]).toEqual(["still-fine"]);
  expect(catalog.problems).toEqual([
    { file: "code-in-course/runs-code/01-the-basics.mdx", line: 9, message: expect.stringMatching(/^\{…\} is a JavaScript expression/) },
  ]);
});

// ---- the built app in process, with the code smuggled past the catalog -------------------

let w: World;
let server: TestServer;
let smuggled: Catalog;

beforeAll(async () => {
  w = await makeWorld();
  // As if a path that compiles content (preview, publishing, reload) skipped the catalog's check.
  const course = { ...w.course, modules: w.course.modules.map((m, i) => (i === 0 ? { ...m, source: EXIT_SOURCE, scenarios: [] } : m)) };
  smuggled = { ...w.catalog, courses: new Map([...w.catalog.courses, [course.id, course]]) };
  await assignCourse(w, w.alice, course);
  server = await startTestServer({ ...w, catalog: smuggled });
});
afterAll(async () => {
  await server?.close();
  await w?.close();
});

test("warming up a catalog with the smuggled module completes instead of running it", async () => {
  const build = await serverBuild();
  await expect((build.entry.module as unknown as { warmUp: (c: Catalog) => Promise<void> }).warmUp(smuggled)).resolves.toBeUndefined();
});

test("a learner opening the module sees 'temporarily unavailable', the server stays up", async () => {
  const cookie = await server.login(w.alice.email);
  const res = await server.get(`/courses/${w.course.id}/${w.course.modules[0].slug}`, cookie);
  expect(res.status).toBe(200);
  const text = words(await res.text());
  expect(text).toContain("This module is temporarily unavailable.");
  expect(text).not.toContain("JavaScript expression");
  expect(text).not.toContain("tries to stop the server");
  // The compiled module the browser would import does not exist either.
  expect((await server.get(`/mdx/${mdxHash(EXIT_SOURCE)}.js`, cookie)).status).toBe(404);
  expect((await server.get("/healthz")).status).toBe(200);
});

test("HR previewing the module sees an error box saying what is wrong", async () => {
  const cookie = await server.login(w.hr.email);
  const res = await server.get(`/courses/${w.course.id}/${w.course.modules[0].slug}`, cookie);
  expect(res.status).toBe(200);
  const text = words(await res.text());
  expect(text).toContain("This content cannot be shown.");
  expect(text).toContain("is a JavaScript expression");
  expect((await server.get("/healthz")).status).toBe(200);
});

// ---- the production server in its own process, started on the fixture folder ------------

let child: ChildProcess | null = null;
let dir = "";
afterEach(() => {
  child?.kill("SIGTERM");
  child = null;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("the production server started on the folder answers the module with 404 and /healthz with 200", async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-code-"));
  const url = `file:${path.join(dir, "confidant.sqlite")}`;
  const db = createDb(url);
  await migrateToLatest(db);
  await makePerson(db, { email: "alice@test.example", name: "Alice Archer", startDate: "2027-02-20", passwordHash: await passwordHash() }, fixedClock("2027-03-01T09:00:00Z"));
  await db.destroy();
  const port = 20000 + Math.floor(Math.random() * 20000);
  const origin = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: "production", DATABASE_URL: url, APP_SECRET: SECRET, APP_ORIGIN: origin, DATA_DIR: dir, COURSES_DIR: FIXTURE, HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", SCHEDULER_EVERY_MINUTES: "0", MAIL_EVERY_SECONDS: "0" };
  const { child: proc } = await spawnInstance(env);
  child = proc;
  const login = await fetch(`${origin}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin },
    body: new URLSearchParams({ email: "alice@test.example", password: PASSWORD }).toString(),
  });
  expect(login.status).toBe(302);
  const cookie = login.headers.get("set-cookie")!.split(";")[0];
  const page = await fetch(`${origin}/courses/runs-code/the-basics`, { headers: { Cookie: cookie }, redirect: "manual" });
  expect(page.status).toBe(404);
  expect((await fetch(`${origin}/mdx/${mdxHash(EXIT_SOURCE)}.js`, { headers: { Cookie: cookie } })).status).toBe(404);
  // The course beside it is still served (it is simply not assigned to Alice).
  const health = await fetch(`${origin}/healthz`);
  expect(health.status).toBe(200);
  expect(proc.exitCode).toBeNull();
}, 90_000);
