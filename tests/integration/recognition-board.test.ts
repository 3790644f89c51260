// The boards through the real app: the manager's ranks their tree, HR's the organisation; a person
// sees only their own score and place; opting out hides someone from every board but not from
// HR's figures. Plus the certificate a person keeps.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { formatDate } from "../../app/components/format";
import { afterAll, beforeAll, expect, test } from "vitest";
import { assign, makePerson } from "../../app/demo/factories.server";
import { orgBoard, teamBoard } from "../../app/recognition/board.server";
import type { Assignment, User } from "../../db/schema";
import { makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { words } from "../support/html";

let w: World;
let server: TestServer;
let carol: User;
let dave: User;
let aliceDone: Assignment;
const cookies: Record<string, string> = {};

/** A cycle completed at `completedAt`, its quiz passed first time or after a failed attempt. */
async function completed(user: User, { due, at, firstTry }: { due: string; at: string; firstTry: boolean }) {
  const a = await assign(w.db, { userId: user.id, course: w.course, dueAt: `${due}T09:00:00.000Z` }, w.clock);
  const completedAt = `${at}T09:00:00.000Z`;
  await w.db
    .updateTable("assignments")
    .set({ completed_at: completedAt, completed_content_hash: w.course.contentHash })
    .where("id", "=", a.id)
    .execute();
  const attempt = (n: number, passed: boolean) => ({
    id: `att_${a.id.slice(4)}${n}`,
    assignment_id: a.id,
    user_id: user.id,
    course_id: w.course.id,
    content_hash: w.course.contentHash,
    answers_json: "{}",
    correct_count: passed ? 5 : 1,
    question_count: 5,
    score: passed ? 100 : 20,
    passing_score: 80,
    passed: passed ? 1 : 0,
    submitted_at: completedAt,
  });
  await w.db
    .insertInto("quiz_attempts")
    .values(firstTry ? [attempt(1, true)] : [attempt(1, false), attempt(2, true)])
    .execute();
  return a;
}

/** Names in the order a page lists them. */
function order(html: string, names: string[]) {
  return names.filter((n) => html.includes(n)).sort((a, b) => html.indexOf(a) - html.indexOf(b));
}

beforeAll(async () => {
  w = await makeWorld();
  const hash = (await w.db.selectFrom("users").select("password_hash").where("id", "=", w.alice.id).executeTakeFirstOrThrow()).password_hash;
  carol = await makePerson(
    w.db,
    { email: "carol@test.example", name: "Carol Carver", startDate: "2027-01-01", managerId: w.alice.id, passwordHash: hash },
    w.clock,
  );
  dave = await makePerson(
    w.db,
    { email: "dave@test.example", name: "Dave Newman", startDate: "2027-02-25", managerId: w.manager.id, passwordHash: hash },
    w.clock,
  );
  aliceDone = await completed(w.alice, { due: "2027-02-10", at: "2027-01-30", firstTry: true }); // 20 + 1 streak
  await completed(carol, { due: "2027-02-10", at: "2027-02-05", firstTry: true }); // 20 + 1: tied with Alice
  await completed(w.bob, { due: "2027-02-10", at: "2027-02-12", firstTry: false }); // late, retried: 0
  await assign(w.db, { userId: dave.id, course: w.course }, w.clock); // new joiner, not due yet
  server = await startTestServer(w);
  for (const [k, email] of Object.entries({
    manager: "manager@test.example",
    alice: "alice@test.example",
    bob: "bob@test.example",
    hr: "hr@test.example",
  })) {
    cookies[k] = await server.login(email);
  }
});

afterAll(async () => {
  await server?.close();
  await w?.close();
});

test("the team board ranks everyone below the manager who has completed something; ties share a rank, by name", async () => {
  const board = await teamBoard(w.db, { managerId: w.manager.id, catalog: w.catalog }, w.clock());
  expect(board.rows.map((r) => [r.rank, r.name, r.score])).toEqual([
    [1, "Alice Archer", 21],
    [1, "Carol Carver", 21],
    [3, "Bob Baker", 0],
  ]);
  const html = await (await server.get("/team/board", cookies.manager)).text();
  expect(order(html, ["Alice Archer", "Carol Carver", "Bob Baker"])).toEqual(["Alice Archer", "Carol Carver", "Bob Baker"]);
  expect(html).not.toContain("Dave Newman"); // nothing completed yet: not ranked, not ranked last
  expect(html).toContain("How the score works");
  expect(html).toContain(`/team/kudos?to=${w.alice.id}`);
});

test("a person sees their own score and place, and nobody else's", async () => {
  const alice = await (await server.get("/", cookies.alice)).text();
  expect(words(alice)).toContain("You are 1st of 3 on Mark Mendes's team board.");
  expect(alice).toContain("Early bird");
  for (const other of ["Carol Carver", "Bob Baker", "Dave Newman"]) expect(alice).not.toContain(other);
  const bob = await (await server.get("/", cookies.bob)).text();
  expect(words(bob)).toContain("You are 3rd of 3 on Mark Mendes's team board.");
  for (const other of ["Alice Archer", "Carol Carver"]) expect(bob).not.toContain(other);
  // Someone with nothing completed yet is told how to get a score.
  const daveCookie = await server.login("dave@test.example");
  expect(await (await server.get("/", daveCookie)).text()).toContain(
    "You will get a score, and your first badges, when you complete your first course.",
  );
});

test("opting out hides a person from every board but not from HR's figures", async () => {
  const res = await server.post("/account", { intent: "board-visibility" }, cookies.alice);
  expect(res.status).toBe(200);
  expect(await res.text()).toContain("You are no longer shown on compliance boards.");
  expect(await w.db.selectFrom("audit_log").select("data_json").where("action", "=", "person.board_visibility_changed").execute()).toEqual([
    { data_json: JSON.stringify({ shownOnBoards: false }) },
  ]);

  const team = await (await server.get("/team/board", cookies.manager)).text();
  expect(team).not.toContain("Alice Archer");
  expect(order(team, ["Carol Carver", "Bob Baker"])).toEqual(["Carol Carver", "Bob Baker"]);
  // Nor is her score on her person page.
  const person = await (await server.get(`/team/people/${w.alice.id}`, cookies.manager)).text();
  expect(person).toContain("Not shown: Alice chose not to appear on boards.");

  const org = await orgBoard(w.db, { catalog: w.catalog }, w.clock());
  expect(org.rows.map((r) => r.name)).toEqual(["Carol Carver", "Bob Baker"]);
  expect(org.stats).toMatchObject({ scored: 3, optedOut: 1, completedCycles: 3, onTimeCycles: 2, firstTryCycles: 2 });
  expect(org.stats.averageScore).toBe(14); // (21 + 21 + 0) / 3: Alice still counts
  const hr = await (await server.get("/hr/board", cookies.hr)).text();
  expect(hr).not.toContain(`data-person="${w.alice.id}"`); // (her name is still there, as Carol's manager)
  expect(hr).toContain(`data-person="${carol.id}"`);
  expect(hr).toContain("1 person has chosen not to appear on boards; they are left off the list below but included in the figures above.");

  // She still sees her own score, and why she has no rank.
  const home = await (await server.get("/", cookies.alice)).text();
  expect(home).toContain("You are not shown on boards");
  expect(words(home)).toContain("21 points");
  // The account page remembers the choice.
  expect(await (await server.get("/account", cookies.alice)).text()).not.toMatch(/id="show-on-boards"[^>]*checked/);

  // Opting back in puts her back.
  expect((await server.post("/account", { intent: "board-visibility", show: "on" }, cookies.alice)).status).toBe(200);
  expect(await (await server.get("/team/board", cookies.manager)).text()).toContain("Alice Archer");
  expect(await (await server.get("/account", cookies.alice)).text()).toMatch(/checked=""[^>]*id="show-on-boards"|id="show-on-boards"[^>]*checked=""/);
});

test("the account form refuses what it does not understand", async () => {
  const res = await server.post("/account", { intent: "make-me-hr", show: "on" }, cookies.alice);
  expect(res.status).toBe(400);
  const odd = await server.post("/account", { intent: "board-visibility", show: "yes please" }, cookies.alice);
  expect(odd.status).toBe(400);
  expect(Number((await w.db.selectFrom("users").select("board_opt_out").where("id", "=", w.alice.id).executeTakeFirstOrThrow()).board_opt_out)).toBe(
    0,
  );
});

test("the home page links each completed cycle to its certificate, which names the person, course, cycle and date", async () => {
  const home = await (await server.get("/", cookies.alice)).text();
  expect(home).toContain(`href="/certificates/${aliceDone.id}"`);
  const res = await server.get(`/certificates/${aliceDone.id}`, cookies.alice);
  expect(res.status).toBe(200);
  const bytes = Buffer.from(await res.arrayBuffer());
  const file = path.join(os.tmpdir(), `certificate-${aliceDone.id}.pdf`);
  fs.writeFileSync(file, bytes);
  try {
    const text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
    expect(text).toContain("Certificate of completion");
    expect(text).toContain("Alice Archer");
    expect(text).toContain("Protecting Confidential Information and Trade Secrets");
    // The cycle's name is not repeated when it only says "onboarding"; the expiry is stated.
    expect(text).toContain("Onboarding · Completed 30 January 2027 (UTC)");
    expect(text).not.toContain('cycle "onboarding"');
    const row = await w.db.selectFrom("assignments").select("expires_at").where("id", "=", aliceDone.id).executeTakeFirstOrThrow();
    expect(text).toContain(row.expires_at ? `Valid until ${formatDate(row.expires_at)}, when it is due again` : "This course does not expire");
    expect(text).toContain("Completed 30 January 2027 (UTC)");
    expect(text).toContain("On time (due 10 February 2027)");
    expect(text).toContain("Quiz passed with 100%");
    expect(text).toContain(`Reference: ${aliceDone.id}`);
  } finally {
    fs.rmSync(file, { force: true });
  }
  // The same record renders to the same bytes.
  const again = Buffer.from(await (await server.get(`/certificates/${aliceDone.id}`, cookies.alice)).arrayBuffer());
  expect(again.equals(bytes)).toBe(true);
});
