// `npm run roster:import -- file.csv [--dry-run] [--deactivate-missing]` as HR runs it: the real
// script in a child process, against a real SQLite file.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { makeWorld, type World } from "../support/world";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let w: World;
const tempDirs: string[] = [];
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.close();
  for (const d of tempDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function cli(args: string[]): Promise<Run> {
  return run(path.resolve("node_modules/.bin/tsx"), ["scripts/roster-import.ts", ...args]);
}

/** Runs a command against this test's database and collects what it printed. */
function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: path.resolve("."),
      env: { ...process.env, DATABASE_URL: w.url, NODE_OPTIONS: "" },
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

async function counts() {
  const n = async (table: "users" | "audit_log" | "roster_imports") =>
    Number((await w.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
  return { users: await n("users"), audit: await n("audit_log"), imports: await n("roster_imports") };
}

function tempCsv(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-roster-"));
  tempDirs.push(dir);
  const file = path.join(dir, "people.csv");
  fs.writeFileSync(file, text);
  return file;
}

const MESSY = "tests/fixtures/rosters/messy.csv";

test("--dry-run prints the preview, exits 0 and changes nothing", async () => {
  const before = await counts();
  const run = await cli([MESSY, "--dry-run"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`${MESSY}: 6 people.`);
  expect(run.stdout).toContain("Ignored columns: Phone, Notes.");
  expect(run.stdout).toContain("Add (6)");
  expect(run.stdout).toContain("+ morgan.lee@example.com  Lee, Morgan  (line 3, reports to dana.reyes@example.com)");
  expect(run.stdout).toContain("Not in the file (4): left unchanged; --deactivate-missing would deactivate them");
  expect(run.stdout).toContain("Dry run: nothing was changed.");
  expect(await counts()).toEqual(before);
});

test("without --dry-run it applies the file in one go and records the import", async () => {
  const run = await cli([MESSY]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/Applied: 6 added, 0 changed, 0 put on leave, 0 returned from leave, 0 reactivated, 0 deactivated \(import imp_[a-z0-9]+\)\./);
  const sam = await w.db.selectFrom("users").selectAll().where("email", "=", "sam.okafor@example.com").executeTakeFirstOrThrow();
  const priya = await w.db.selectFrom("users").selectAll().where("email", "=", "priya.natarajan@example.com").executeTakeFirstOrThrow();
  expect(priya.manager_id).toBe(sam.id);
  expect(sam.title).toBe("Engineering Manager, Platform");
  const tom = await w.db.selectFrom("users").select(["status", "password_hash"]).where("email", "=", "tom.becker@example.com").executeTakeFirstOrThrow();
  expect(tom).toEqual({ status: "leave", password_hash: null });
  const imports = await w.db.selectFrom("roster_imports").select(["file_name", "applied_at", "uploaded_by"]).execute();
  expect(imports).toEqual([{ file_name: "messy.csv", applied_at: expect.any(String), uploaded_by: null }]);
  const entry = await w.db.selectFrom("audit_log").select(["actor_id", "data_json"]).where("action", "=", "roster.imported").executeTakeFirstOrThrow();
  expect(entry.actor_id).toBeNull();
  expect(JSON.parse(entry.data_json)).toMatchObject({ fileName: "messy.csv", rows: 6, counts: { added: 6 } });

  // Running it again finds nothing to change.
  const again = await cli([MESSY, "--dry-run"]);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain("Unchanged: 6 people.");
  expect(again.stdout).not.toContain("Add (");
});

test("a bad file exits 1 with every problem as file:line  problem, no stack trace, and changes nothing", async () => {
  const before = await counts();
  const file = "tests/fixtures/rosters/bad.csv";
  const run = await cli([file]);
  expect(run.code).toBe(1);
  expect(run.stdout).toBe("");
  const lines = run.stderr.split("\n").filter((l) => l.startsWith(`${file}:`));
  expect(lines).toEqual([
    `${file}:3  email "not-an-email" is not a valid email address`,
    `${file}:4  duplicate email dup@example.com (also on line 5)`,
    `${file}:5  duplicate email dup@example.com (also on line 4)`,
    `${file}:7  unknown manager nobody@example.com: not in the file and not an existing active person`,
    `${file}:8  manager loop: loop-a@example.com → loop-b@example.com → loop-a@example.com`,
    `${file}:9  manager loop: loop-b@example.com → loop-a@example.com → loop-b@example.com`,
    `${file}:11  manager leaver@example.com would be deactivated (status inactive on line 10)`,
    `${file}:12  start_date "2027-02-30" is not accepted: it is not a real date (February 2027 has 28 days)`,
    `${file}:13  start_date "03/04/2027" is not accepted: it is ambiguous (day and month order differ between countries); write it as YYYY-MM-DD, e.g. 2027-03-01`,
    `${file}:14  end_date 2027-04-30 is before start_date 2027-05-01`,
    `${file}:15  type "staff" must be employee or contractor (blank means employee)`,
    `${file}:16  status "on holiday" must be active, leave or inactive (blank means active)`,
    `${file}:17  manager_email self@example.com is this person's own email (nobody can manage themselves)`,
    `${file}:18  email is empty`,
    `${file}:19  name is empty`,
    `${file}:19  start_date is empty`,
  ]);
  expect(run.stderr).toContain("16 problems in tests/fixtures/rosters/bad.csv; nothing was changed.");
  expect(run.stderr).not.toMatch(/\n\s+at |Error:/);
  expect(await counts()).toEqual(before);
});

test("--deactivate-missing deactivates people not in the file; a missing column is one problem at line 1", async () => {
  const file = tempCsv("Email,Name,Start_Date,Manager_Email\nhr@test.example,Helen Harper,2025-01-01,\nmanager@test.example,Mark Mendes,2025-01-01,\n");
  const run = await cli([file, "--deactivate-missing"]);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("Deactivate (2)");
  expect(run.stdout).toContain("- alice@test.example  Alice Archer  (not in the file)");
  const statuses = await w.db.selectFrom("users").select(["email", "status"]).orderBy("email").execute();
  expect(statuses).toEqual([
    { email: "alice@test.example", status: "inactive" },
    { email: "bob@test.example", status: "inactive" },
    { email: "hr@test.example", status: "active" },
    { email: "manager@test.example", status: "active" },
  ]);

  const noStart = tempCsv("email,name\nx@test.example,X\n");
  const bad = await cli([noStart]);
  expect(bad.code).toBe(1);
  expect(bad.stderr.split("\n")[0]).toBe(
    `${noStart}:1  missing required column start_date (the first line must name the columns; email, name and start_date are required; this file's first line names: email, name)`,
  );
});

test("a missing file or a wrong option exits 2 with a plain message", async () => {
  const missing = await cli(["no-such-file.csv"]);
  expect(missing.code).toBe(2);
  expect(missing.stderr.trim()).toBe("Cannot read no-such-file.csv: no such file");
  const wrong = await cli([MESSY, "--deactivate-everyone"]);
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toContain("Usage: npm run roster:import -- <file.csv> [--dry-run] [--deactivate-missing]");
});

test("a long report through a pipe that is read slowly arrives whole, summary included", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "roster-long-"));
  tempDirs.push(dir);
  const file = path.join(dir, "people.csv");
  const rows = Array.from({ length: 1500 }, (_, i) => `person${i}@long.example,Person Number ${i} With A Longish Name,2027-01-04,Engineering`);
  fs.writeFileSync(file, ["email,name,start_date,department", ...rows].join("\n"));
  // A shell pipe to a consumer that reads nothing for a while, as a pager or a slow script does.
  const command = `"${path.resolve("node_modules/.bin/tsx")}" scripts/roster-import.ts "${file}" --dry-run | (sleep 3; cat)`;
  const result = await run("sh", ["-c", command]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  expect(Buffer.byteLength(result.stdout)).toBeGreaterThan(65_536);
  expect(result.stdout).toContain("person1499@long.example");
  expect(result.stdout.trimEnd().endsWith("Dry run: nothing was changed. Run again without --dry-run to apply.")).toBe(true);
});
