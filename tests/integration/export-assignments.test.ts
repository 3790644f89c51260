// The assignments export through the real app and the command line: exact columns, every kind
// of outcome (people who left included), safe quoting, the dashboard's filters, HR only, and
// streamed page by page.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, test } from "vitest";
import { fixedClock } from "../../app/clock";
import { assign, makePerson, workThroughCourse, wrongAnswers } from "../../app/demo/factories.server";
import { completeModule, recordScenarioChoice } from "../../app/learning/progress.server";
import { submitQuizAttempt } from "../../app/learning/quiz.server";
import { deactivatePerson } from "../../app/people/people.server";
import { pathToEnding } from "../../app/demo/factories.server";
import { ASSIGNMENT_CSV_COLUMNS, assignmentExportPages, assignmentsCsv } from "../../app/reports/export.server";
import { textStream } from "../../app/http/download.server";
import type { Assignment, User } from "../../db/schema";
import { makeWorld, PASSWORD, passwordHash, SECRET, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

const NOW = "2027-06-01T09:00:00.000Z";
const HEADER = "email,name,employee_id,department,manager_email,course,cycle,reason,status,assigned_at,due_at,completed_at,on_time,score,attested_at,policy_version";

let w: World;
let server: TestServer;
let hr: string;
const people: Record<string, User> = {};
const assignments: Record<string, Assignment> = {};

async function person(key: string, input: { name: string; department?: string; employeeId?: string; managerId?: string }) {
  people[key] = await makePerson(
    w.db,
    { email: `${key}@test.example`, name: input.name, startDate: "2027-01-01", department: input.department ?? "Engineering", employeeId: input.employeeId ?? null, managerId: input.managerId ?? null, passwordHash: await passwordHash() },
    fixedClock("2027-01-01T09:00:00.000Z"),
  );
  return people[key];
}

async function assignAt(key: string, at: string) {
  assignments[key] = await assign(w.db, { userId: people[key].id, course: w.course }, fixedClock(at));
  return assignments[key];
}

async function finish(key: string, at: string, failQuizFirst = false) {
  return workThroughCourse(
    w.db,
    { user: people[key], assignment: assignments[key], course: w.course, catalog: w.catalog, upTo: "attested", failQuizFirst, password: PASSWORD, secret: SECRET, at },
    w.clock,
  );
}

beforeAll(async () => {
  w = await makeWorld(NOW);
  await person("ontime", { name: "Olive Ontime", department: "Sales", employeeId: "E100", managerId: w.manager.id });
  await assignAt("ontime", "2027-03-01T09:00:00.000Z"); // due 31 March
  await finish("ontime", "2027-03-10T10:00:00.000Z");

  await person("late", { name: "Larry Late", employeeId: "E101", managerId: w.manager.id });
  await assignAt("late", "2027-03-01T09:00:00.000Z");
  await finish("late", "2027-04-15T10:00:00.000Z", true);

  // Failed the quiz once, then stopped: overdue, with the last (failed) score.
  await person("overdue", { name: "Oscar Overdue", employeeId: "E102" });
  await assignAt("overdue", "2027-03-01T09:00:00.000Z");
  await workThroughCourse(
    w.db,
    { user: people.overdue, assignment: assignments.overdue, course: w.course, catalog: w.catalog, upTo: "modules", password: PASSWORD, secret: SECRET, at: "2027-03-20T09:00:00.000Z" },
    w.clock,
  );
  await submitQuizAttempt(w.db, { assignment: assignments.overdue, course: w.course, entries: wrongAnswers(w.course), actorId: people.overdue.id }, fixedClock("2027-03-20T10:00:00.000Z"));

  await person("exempt", { name: "Eve Exempt" });
  await assignAt("exempt", "2027-03-01T09:00:00.000Z");
  await w.db.updateTable("assignments").set({ exempted_at: "2027-03-05T09:00:00.000Z", note: "Exempted by HR" }).where("id", "=", assignments.exempt.id).execute();

  await person("cancelled", { name: "Carl Cancelled" });
  await assignAt("cancelled", "2027-03-01T09:00:00.000Z");
  await w.db.updateTable("assignments").set({ cancelled_at: "2027-03-06T09:00:00.000Z" }).where("id", "=", assignments.cancelled.id).execute();

  // Completed and signed, then left the company.
  await person("leaver", { name: "Lena Leaver", department: "Sales", employeeId: "E105" });
  await assignAt("leaver", "2027-03-01T09:00:00.000Z");
  await finish("leaver", "2027-03-02T09:00:00.000Z");
  await w.db.transaction().execute((trx) => deactivatePerson(trx, { userId: people.leaver.id, actorId: w.hr.id, reason: "Left" }, fixedClock("2027-04-30T17:00:00.000Z")));

  await person("started", { name: "Ian Progress" });
  await assignAt("started", "2027-05-20T09:00:00.000Z"); // due 19 June
  const first = w.course.modules[0];
  for (const sc of first.scenarios) {
    for (const step of pathToEnding(sc)) {
      await recordScenarioChoice(w.db, { assignment: assignments.started, course: w.course, module: first.slug, scenarioId: sc.id, from: step.from, to: step.to }, fixedClock("2027-05-21T09:00:00.000Z"));
    }
  }
  await completeModule(w.db, { assignment: assignments.started, course: w.course, module: first.slug, actorId: people.started.id }, fixedClock("2027-05-21T09:00:00.000Z"));

  // Someone whose roster data would break a naive CSV or run as a spreadsheet formula.
  await person("tricky", { name: '=HYPERLINK("http://evil.example","click")', department: 'R&D, "Labs"\nWest', employeeId: "-42" });
  await assignAt("tricky", "2027-05-25T09:00:00.000Z");

  server = await startTestServer(w);
  hr = await server.login("hr@test.example");
});
afterAll(async () => {
  await server?.close();
  await w?.close();
});

/** Runs a command without blocking the event loop (the test server lives in this process). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") return reject(error);
      resolve({ status: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

async function download(query = "") {
  const res = await server.post(`/hr/export/assignments.csv${query}`, {}, hr);
  // Keep the byte order mark: Response.text() would drop it.
  return { res, text: new TextDecoder("utf-8", { ignoreBOM: true }).decode(await res.arrayBuffer()) };
}

function rows(text: string): Array<Record<string, string>> {
  return parse(text, { bom: true, columns: true, skip_empty_lines: false }) as Array<Record<string, string>>;
}

function rowFor(all: Array<Record<string, string>>, key: string) {
  const row = all.find((r) => r.email === `${key}@test.example`);
  expect(row, key).toBeDefined();
  return row!;
}

test("the header has exactly the agreed columns in order, after a UTF-8 byte order mark", async () => {
  const { res, text } = await download();
  expect(res.status).toBe(200);
  expect(text.startsWith("\uFEFF")).toBe(true);
  expect(text.slice(1).split("\n")[0]).toBe(HEADER);
  expect(ASSIGNMENT_CSV_COLUMNS.join(",")).toBe(HEADER);
  // One row per assignment: the eight people above, nobody else has any.
  expect(rows(text)).toHaveLength(8);
});

test("each outcome is exported with the right status, dates, on-time flag, score and signature", async () => {
  const all = rows((await download()).text);
  const ontime = rowFor(all, "ontime");
  expect(ontime).toEqual({
    email: "ontime@test.example",
    name: "Olive Ontime",
    employee_id: "E100",
    department: "Sales",
    manager_email: "manager@test.example",
    course: w.course.id,
    cycle: "onboarding",
    reason: "onboarding",
    status: "completed",
    assigned_at: "2027-03-01T09:00:00.000Z",
    due_at: "2027-03-31T09:00:00.000Z",
    completed_at: "2027-03-10T10:00:00.000Z",
    on_time: "true",
    score: "100",
    attested_at: "2027-03-10T10:00:00.000Z",
    policy_version: "1",
  });

  // Failed once then passed: the best passing score, not the first.
  expect(rowFor(all, "late")).toMatchObject({ status: "completed", completed_at: "2027-04-15T10:00:00.000Z", on_time: "false", score: "100", attested_at: "2027-04-15T10:00:00.000Z", policy_version: "1" });
  const failed = await w.db.selectFrom("quiz_attempts").select("score").where("assignment_id", "=", assignments.overdue.id).executeTakeFirstOrThrow();
  expect(failed.score).toBeLessThan(80);
  expect(rowFor(all, "overdue")).toMatchObject({ status: "overdue", completed_at: "", on_time: "", score: String(failed.score), attested_at: "", policy_version: "" });
  expect(rowFor(all, "exempt")).toMatchObject({ status: "exempt", completed_at: "", on_time: "", score: "" });
  expect(rowFor(all, "cancelled")).toMatchObject({ status: "cancelled", on_time: "", score: "" });
  expect(rowFor(all, "started")).toMatchObject({ status: "in_progress", due_at: "2027-06-19T09:00:00.000Z" });
  expect(rowFor(all, "tricky")).toMatchObject({ status: "not_started" });
});

test("people who have left are included, with their completed training and signature", async () => {
  const leaver = await w.db.selectFrom("users").select("status").where("id", "=", people.leaver.id).executeTakeFirstOrThrow();
  expect(leaver.status).toBe("inactive");
  const all = rows((await download()).text);
  expect(rowFor(all, "leaver")).toMatchObject({ name: "Lena Leaver", employee_id: "E105", status: "completed", on_time: "true", score: "100", attested_at: "2027-03-02T09:00:00.000Z", policy_version: "1" });
});

test("commas, quotes and newlines are quoted, and formula-like cells are defused with a single quote", async () => {
  const { text } = await download();
  const line = text.split("\n").find((l) => l.startsWith("tricky@test.example"))!;
  expect(line).toBe(`tricky@test.example,"'=HYPERLINK(""http://evil.example"",""click"")",'-42,"R&D, ""Labs""`);
  const tricky = rowFor(rows(text), "tricky");
  expect(tricky.name).toBe(`'=HYPERLINK("http://evil.example","click")`);
  expect(tricky.department).toBe('R&D, "Labs"\nWest');
  expect(tricky.employee_id).toBe("'-42");
  // Every row still has exactly the header's columns.
  const parsed = parse(text, { bom: true }) as string[][];
  expect(parsed.every((r) => r.length === ASSIGNMENT_CSV_COLUMNS.length)).toBe(true);
  // No cell anywhere starts with a formula character.
  expect(parsed.flat().filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
});

test("the dashboard's filters narrow the export", async () => {
  const emails = async (query: string) => rows((await download(query)).text).map((r) => r.email).sort();
  expect(await emails("?status=overdue")).toEqual(["overdue@test.example"]);
  expect(await emails("?status=completed")).toEqual(["late@test.example", "leaver@test.example", "ontime@test.example"]);
  expect(await emails("?status=late")).toEqual(["late@test.example"]);
  expect(await emails("?department=Sales")).toEqual(["leaver@test.example", "ontime@test.example"]);
  expect(await emails(`?manager=${w.manager.id}&status=on_time`)).toEqual(["ontime@test.example"]);
  expect(await emails(`?course=${w.course.id}&status=exempt`)).toEqual(["exempt@test.example"]);
  expect(await emails("?course=no-such-course")).toEqual([]);
  // The form's empty fields mean "any".
  expect(await emails("?status=&department=&course=")).toHaveLength(8);
});

test("a filter that is not allowed gets a 400 with a plain message, and nothing is exported", async () => {
  for (const query of ["status=bogus", "type=robot", "course=Not%20An%20Id", `department=${"x".repeat(201)}`]) {
    const { res, text } = await download(`?${query}`);
    expect(res.status, query).toBe(400);
    expect(text, query).toContain("That filter is not valid");
    expect(text, query).not.toMatch(/ZodError|node_modules|\bat \S+ \(|\.ts:\d+/);
    expect(text, query).not.toContain("@test.example");
  }
});

test("employees and managers are told the export does not exist; signed-out people are sent to sign in", async () => {
  for (const email of ["ontime@test.example", "manager@test.example"]) {
    const cookie = await server.login(email);
    for (const query of ["", "?status=overdue", "?status=bogus"]) {
      const res = await server.post(`/hr/export/assignments.csv${query}`, {}, cookie);
      expect(res.status, `${email} ${query}`).toBe(404);
      const body = await res.text();
      expect(body).not.toContain("@test.example,");
      expect(res.headers.get("content-disposition")).toBeNull();
    }
  }
  const signedOut = await server.post("/hr/export/assignments.csv", {});
  expect(signedOut.status).toBe(302);
  expect(signedOut.headers.get("location")).toMatch(/^\/login/);
});

test("the route streams the CSV as an attachment with a dated name, and records the export", async () => {
  const before = await w.db.selectFrom("audit_log").select((eb) => eb.fn.max("seq").as("seq")).executeTakeFirstOrThrow();
  const res = await server.post("/hr/export/assignments.csv?status=completed&department=Sales", {}, hr);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(res.headers.get("content-disposition")).toBe('attachment; filename="confidant-assignments-2027-06-01.csv"');
  expect(res.headers.get("cache-control")).toContain("no-store");
  // No length up front: the body is sent in chunks as pages are read.
  expect(res.headers.get("transfer-encoding")).toBe("chunked");
  expect(res.headers.get("content-length")).toBeNull();
  let chunks = 0;
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    chunks++;
    text += decoder.decode(chunk, { stream: true });
  }
  expect(chunks).toBeGreaterThanOrEqual(1);
  expect(rows(text).map((r) => r.email).sort()).toEqual(["leaver@test.example", "ontime@test.example"]);

  const entries = await w.db.selectFrom("audit_log").selectAll().where("seq", ">", Number(before.seq)).execute();
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({ action: "export.assignments", actor_id: w.hr.id, at: NOW });
  expect(JSON.parse(entries[0].data_json)).toMatchObject({ filters: { status: "completed", department: "Sales" }, via: "web", format: "csv", asOf: NOW });
});

test("the export reads assignments in keyset pages and yields them one page at a time", async () => {
  const pages = assignmentExportPages(w.db, { filters: {}, now: new Date(NOW), pageSize: 3 });
  expect(typeof pages[Symbol.asyncIterator]).toBe("function");
  const sizes: number[] = [];
  const ids: string[] = [];
  for await (const page of pages) {
    sizes.push(page.length);
    ids.push(...page.map((r) => r.id));
  }
  expect(sizes).toEqual([3, 3, 2]);
  // Every assignment exactly once, in storage order (the order SQLite reads the table fastest).
  const stored = await sql<{ id: string }>`select id from assignments order by rowid`.execute(w.db);
  expect(ids).toEqual(stored.rows.map((r) => r.id));

  // Page boundaries do not change the file: small pages give the same bytes as the route.
  let small = "";
  let chunks = 0;
  for await (const chunk of assignmentsCsv(w.db, { filters: {}, now: new Date(NOW), pageSize: 3 })) {
    small += chunk;
    chunks++;
  }
  expect(chunks).toBe(4); // the header, then one chunk per page
  expect(small).toBe((await download()).text);
});

test("the export waits for a write in progress rather than reading what it has not committed", async () => {
  // The export reads on SQLite's handle directly for speed; it must still take its turn on the
  // connection, or it would read another request's half-done transaction.
  let rollBack!: () => void;
  const held = new Promise<void>((resolve) => (rollBack = resolve));
  let written!: () => void;
  const wrote = new Promise<void>((resolve) => (written = resolve));
  const writer = w.db
    .transaction()
    .execute(async (tx) => {
      await tx.updateTable("users").set({ name: "Never Committed" }).where("id", "=", people.ontime.id).execute();
      written();
      await held;
      throw new Error("changed my mind");
    })
    .catch((e: Error) => e.message);
  await wrote;
  const exported = (async () => {
    let csv = "";
    for await (const chunk of assignmentsCsv(w.db, { filters: {}, now: new Date(NOW) })) csv += chunk;
    return csv;
  })();
  await new Promise((resolve) => setTimeout(resolve, 20));
  rollBack();
  expect(await writer).toBe("changed my mind");
  const csv = await exported;
  expect(csv).not.toContain("Never Committed");
  expect(rowFor(rows(csv), "ontime").name).toBe("Olive Ontime");
});

test("the byte stream pulls one chunk at a time and stops reading when the client goes away", async () => {
  let produced = 0;
  let closed = false;
  async function* endless() {
    try {
      for (;;) yield `chunk ${produced++}\n`;
    } finally {
      closed = true;
    }
  }
  const client = new AbortController();
  const reader = textStream(endless(), { signal: client.signal }).getReader();
  expect(new TextDecoder().decode((await reader.read()).value)).toBe("chunk 0\n");
  expect(produced).toBeLessThanOrEqual(2); // nothing is read ahead beyond the next chunk
  client.abort();
  let reads = 0;
  while (!(await reader.read()).done) reads++;
  expect(reads).toBeLessThanOrEqual(1);
  expect(closed).toBe(true);
  expect(produced).toBeLessThanOrEqual(3);
});

test("npm run export:assignments writes the same CSV to a file or to stdout, and is audited", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-export-"));
  try {
    const env = { ...process.env, DATABASE_URL: w.url, APP_SECRET: SECRET, LOG_LEVEL: "silent" };
    const out = path.join(dir, "all.csv");
    const cli = await run("node_modules/.bin/tsx", ["scripts/export-assignments.ts", "--now", NOW, "--out", out], env);
    expect(cli.stderr).toContain("Exported 8 assignments");
    expect(cli.status).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toBe((await download()).text);

    const filtered = await run("node_modules/.bin/tsx", ["scripts/export-assignments.ts", "--now", NOW, "--status", "overdue"], env);
    expect(filtered.status).toBe(0);
    expect(filtered.stdout).toBe((await download("?status=overdue")).text);

    const last = await w.db.selectFrom("audit_log").selectAll().where("action", "=", "export.assignments").orderBy("seq", "desc").limit(2).execute();
    expect(last.map((e) => JSON.parse(e.data_json).via)).toEqual(["web", "command line"]);

    const bad = await run("node_modules/.bin/tsx", ["scripts/export-assignments.ts", "--status", "bogus"], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("That filter is not valid");
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
