// Who sees what on the manager pages: a manager sees their whole tree (at any depth) and nobody
// else, by any URL — page, loader data, filters, actions. HR's pages are HR's alone. Refusals are
// 404s that reveal nothing, and a refused action writes nothing.
import { afterAll, beforeAll, expect, test } from "vitest";
import { assign, makePerson, workThroughCourse } from "../../app/demo/factories.server";
import type { Assignment, User } from "../../db/schema";
import { makeWorld, PASSWORD, SECRET, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
let server: TestServer;
let carol: User; // alice → carol → dave: below the manager at depth 2 and 3
let dave: User;
let eve: User; // reports to HR: outside the manager's tree
let eveOverdue: Assignment;
let aliceOverdue: Assignment;
let daveOverdue: Assignment;
let aliceDone: Assignment;
let aliceAttempt: string;
const cookies: Record<string, string> = {};

async function counts() {
  const n = async (t: "notifications" | "kudos" | "audit_log") =>
    Number(
      (
        await w.db
          .selectFrom(t)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { notifications: await n("notifications"), kudos: await n("kudos"), audit: await n("audit_log") };
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
    { email: "dave@test.example", name: "Dave Deepest", startDate: "2027-01-01", managerId: carol.id, passwordHash: hash },
    w.clock,
  );
  eve = await makePerson(
    w.db,
    { email: "eve@test.example", name: "Eve Elsewhere", startDate: "2027-01-01", managerId: w.hr.id, passwordHash: hash },
    w.clock,
  );
  const past = "2027-02-01T09:00:00.000Z";
  eveOverdue = await assign(w.db, { userId: eve.id, course: w.course, dueAt: past }, w.clock);
  aliceOverdue = await assign(w.db, { userId: w.alice.id, course: w.course, dueAt: past }, w.clock);
  daveOverdue = await assign(w.db, { userId: dave.id, course: w.course, dueAt: past }, w.clock);
  const other = w.catalog.courses.get("annual-refresher")!;
  aliceDone = await assign(w.db, { userId: w.alice.id, course: other, cycle: "renewal-2027" }, w.clock);
  await workThroughCourse(
    w.db,
    {
      user: w.alice,
      assignment: aliceDone,
      course: other,
      catalog: w.catalog,
      upTo: "attested",
      failQuizFirst: true,
      password: PASSWORD,
      secret: SECRET,
    },
    w.clock,
  );
  aliceAttempt = (await w.db.selectFrom("quiz_attempts").select("id").where("assignment_id", "=", aliceDone.id).executeTakeFirstOrThrow()).id;
  server = await startTestServer(w);
  for (const [k, email] of Object.entries({
    manager: "manager@test.example",
    alice: "alice@test.example",
    bob: "bob@test.example",
    carol: "carol@test.example",
    hr: "hr@test.example",
  })) {
    cookies[k] = await server.login(email);
  }
}, 60_000);

afterAll(async () => {
  await server?.close();
  await w?.close();
});

test("a manager's team page lists everyone below them at any depth, and nobody else", async () => {
  const res = await server.get("/team", cookies.manager);
  expect(res.status).toBe(200);
  const html = await res.text();
  for (const name of ["Alice Archer", "Bob Baker", "Carol Carver", "Dave Deepest"]) expect(html).toContain(name);
  expect(html).not.toContain("Eve Elsewhere");
  expect(html).not.toContain("Helen Harper");
  // Dave is three levels down and overdue: he is in the list to remind.
  expect(html).toContain(`value="${daveOverdue.id}"`);
  expect(html).not.toContain(eveOverdue.id);
});

test("a person page opens for anyone in the tree, at any depth", async () => {
  for (const p of [w.alice, carol, dave]) {
    const res = await server.get(`/team/people/${p.id}`, cookies.manager);
    expect(res.status, p.name).toBe(200);
    expect(await res.text()).toContain(p.name);
  }
  // Alice manages Carol (and so Dave).
  expect((await server.get(`/team/people/${dave.id}`, cookies.alice)).status).toBe(200);
});

test("nobody outside the tree is reachable: not by page, loader data, kudos form or filter", async () => {
  const refused: Array<[string, string, string]> = [
    ["manager", `/team/people/${eve.id}`, "Eve Elsewhere"],
    ["manager", `/team/people/${eve.id}.data`, "Eve Elsewhere"],
    ["manager", `/team/people/${w.hr.id}`, "Helen Harper"],
    ["manager", `/team/people/${w.manager.id}`, ""], // not below themselves
    ["manager", `/team/kudos?to=${eve.id}`, "Eve Elsewhere"],
    ["manager", `/team/kudos.data?to=${eve.id}`, "Eve Elsewhere"],
    ["manager", `/team?manager=${w.hr.id}`, "Eve Elsewhere"],
    ["manager", `/team.data?manager=${w.hr.id}`, "Eve Elsewhere"],
    ["manager", `/team/people/usr_doesnotexist`, ""],
    ["manager", `/team/people/not-an-id`, ""],
    // Alice manages Carol and Dave only: not her peer Bob, nor her own manager.
    ["alice", `/team/people/${w.bob.id}`, "Bob Baker"],
    ["alice", `/team/people/${w.bob.id}.data`, "Bob Baker"],
    ["alice", `/team/people/${w.manager.id}`, "manager@test.example"],
    ["alice", `/team/kudos?to=${w.bob.id}`, "Bob Baker"],
    ["alice", `/team?manager=${w.manager.id}`, "Bob Baker"],
    // Carol manages Dave only.
    ["carol", `/team/people/${w.alice.id}`, "Alice Archer"],
  ];
  for (const [who, path, name] of refused) {
    const res = await server.get(path, cookies[who]);
    expect(res.status, `${who} ${path}`).toBe(404);
    if (name) expect(await res.text(), `${who} ${path}`).not.toContain(name);
  }
  // Their own sub-team is a filter they may use.
  expect((await server.get(`/team?manager=${carol.id}`, cookies.manager)).status).toBe(200);
  const filtered = await (await server.get(`/team?manager=${carol.id}`, cookies.manager)).text();
  expect(filtered).toContain("Dave Deepest");
});

test("a manager's board and team page never show anyone outside the tree", async () => {
  const board = await (await server.get("/team/board", cookies.alice)).text();
  expect(board).not.toContain("Bob Baker");
  expect(board).not.toContain("Eve Elsewhere");
  const team = await (await server.get("/team", cookies.carol)).text();
  expect(team).toContain("Dave Deepest");
  for (const name of ["Alice Archer", "Bob Baker", "Eve Elsewhere"]) expect(team).not.toContain(name);
});

test("a filter the team page does not understand is a 400, not an empty list", async () => {
  for (const q of ["status=bogus", "course=Not%20A%20Course", "type=robot"]) {
    expect((await server.get(`/team?${q}`, cookies.manager)).status, q).toBe(400);
  }
  expect((await server.get("/team?status=overdue&type=employee", cookies.manager)).status).toBe(200);
});

test("a nudge naming anyone outside the tree is refused, and nothing at all is sent", async () => {
  const before = await counts();
  const alone = await server.post("/team?index", [["assignment", eveOverdue.id]], cookies.manager);
  expect(alone.status).toBe(404);
  // Mixed with someone who is in the team: still refused, and the team member is not reminded either.
  const mixed = await server.post(
    "/team?index",
    [
      ["assignment", aliceOverdue.id],
      ["assignment", eveOverdue.id],
    ],
    cookies.manager,
  );
  expect(mixed.status).toBe(404);
  // Alice may not nudge about her own peer.
  const peer = await server.post("/team?index", [["assignment", aliceOverdue.id]], cookies.carol);
  expect(peer.status).toBe(404);
  expect(await counts()).toEqual(before);
});

test("kudos to someone outside the tree (or to oneself) is a 404 and writes nothing", async () => {
  const before = await counts();
  for (const [who, to] of [
    ["manager", eve.id],
    ["manager", w.hr.id],
    ["manager", w.manager.id],
    ["alice", w.bob.id],
    ["alice", w.manager.id],
    ["manager", "usr_doesnotexist"],
  ]) {
    const res = await server.post("/team/kudos", { to, message: "Well done" }, cookies[who]);
    expect(res.status, `${who} → ${to}`).toBe(404);
  }
  expect(await counts()).toEqual(before);
});

test("people with no reports get 404 from every manager page and action", async () => {
  for (const path of [
    "/team",
    "/team.data",
    "/team/board",
    "/team/board.data",
    `/team/people/${w.alice.id}`,
    "/team/kudos",
    `/team/kudos?to=${w.alice.id}`,
  ]) {
    expect((await server.get(path, cookies.bob)).status, path).toBe(404);
  }
  const before = await counts();
  expect((await server.post("/team?index", [["assignment", aliceOverdue.id]], cookies.bob)).status).toBe(404);
  expect((await server.post("/team/kudos", { to: w.alice.id, message: "Hi" }, cookies.bob)).status).toBe(404);
  expect(await counts()).toEqual(before);
});

test("signed-out visitors are sent to sign in", async () => {
  for (const path of [
    "/team",
    "/team/board",
    `/team/people/${w.alice.id}`,
    "/team/kudos",
    "/hr/board",
    "/hr/recognition",
    `/certificates/${aliceDone.id}`,
  ]) {
    const res = await server.get(path);
    expect(res.status, path).toBe(302);
    expect(res.headers.get("location"), path).toMatch(/^\/login/);
  }
});

test("HR's board and recognition report are HR's alone", async () => {
  for (const path of ["/hr/board", "/hr/board.data", "/hr/recognition", "/hr/recognition.data"]) {
    for (const who of ["manager", "alice", "bob"]) {
      expect((await server.get(path, cookies[who])).status, `${who} ${path}`).toBe(404);
    }
    expect((await server.get(path, cookies.hr)).status, `hr ${path}`).toBe(200);
  }
});

test("a manager sees course results, never the quiz answers", async () => {
  const html = await (await server.get(`/team/people/${w.alice.id}`, cookies.manager)).text();
  expect(html).toContain("2 attempts");
  expect(html).toMatch(/Passed, best 100%/);
  expect(html).not.toContain(aliceAttempt);
  expect(html).not.toContain("answers_json");
  // The attempt page itself (with the answers) stays the learner's own.
  expect((await server.get(`/courses/annual-refresher/quiz/${aliceAttempt}`, cookies.manager)).status).toBe(404);
  // The certificate is theirs to download from the person's page (a receipt is not: it holds
  // the signature's network details).
  expect(html).toContain(`href="/certificates/${aliceDone.id}"`);
  const { verification_code: code } = await w.db.selectFrom("attestations").select("verification_code").where("assignment_id", "=", aliceDone.id).executeTakeFirstOrThrow();
  expect((await server.get(`/receipts/${code}`, cookies.manager)).status).toBe(404);
  expect((await server.get(`/receipts/${code}`, cookies.alice)).status).toBe(200);
});

test("a certificate is for its person, the managers above them and HR, and only for a completed cycle", async () => {
  const own = await server.get(`/certificates/${aliceDone.id}`, cookies.alice);
  expect(own.status).toBe(200);
  expect(own.headers.get("content-type")).toBe("application/pdf");
  expect(own.headers.get("content-disposition")).toMatch(/^attachment; filename="confidant-certificate-[a-z0-9-]+\.pdf"$/);
  expect(
    Buffer.from(await own.arrayBuffer())
      .subarray(0, 5)
      .toString(),
  ).toBe("%PDF-");
  expect((await server.get(`/certificates/${aliceDone.id}`, cookies.hr)).status).toBe(200);
  expect((await server.get(`/certificates/${aliceDone.id}`, cookies.manager)).status).toBe(200);
  expect((await server.get(`/certificates/${aliceDone.id}`, cookies.bob)).status).toBe(404);
  // Carol reports to Alice: someone below a person never sees their certificate.
  expect((await server.get(`/certificates/${aliceDone.id}`, cookies.carol)).status).toBe(404);
  // Not completed yet: no certificate, even for the person.
  expect((await server.get(`/certificates/${aliceOverdue.id}`, cookies.alice)).status).toBe(404);
  expect((await server.get(`/certificates/not-an-id`, cookies.alice)).status).toBe(404);
});

test("a manager exports their own tree's assignments as CSV, with the page's filters; nobody else's, and it is audited", async () => {
  const csv = async (cookie: string, query = "") => {
    const res = await server.post(`/team/export.csv${query}`, {}, cookie);
    return { status: res.status, text: await res.text(), type: res.headers.get("content-type") };
  };
  const mine = await csv(cookies.manager);
  expect(mine.status).toBe(200);
  expect(mine.type).toBe("text/csv; charset=utf-8");
  const emails = (text: string) => [...new Set(text.split("\n").slice(1).filter(Boolean).map((l) => l.split(",")[0]))].sort();
  expect(emails(mine.text)).toEqual(["alice@test.example", "dave@test.example"]);
  // Alice manages Carol (and Dave below her): her export has only them, never herself or Eve.
  expect(emails((await csv(cookies.alice)).text)).toEqual(["dave@test.example"]);
  expect(emails((await csv(cookies.manager, "?status=completed")).text)).toEqual(["alice@test.example"]);
  // Bob has no reports; HR's filter naming someone outside the tree does not widen it.
  expect((await csv(cookies.bob)).status).toBe(404);
  expect(emails((await csv(cookies.alice, `?manager=${w.manager.id}`)).text)).toEqual(["dave@test.example"]);
  expect((await csv(cookies.manager, "?status=nonsense")).status).toBe(400);
  const audit = await w.db.selectFrom("audit_log").select(["actor_id", "data_json"]).where("action", "=", "export.assignments").orderBy("seq", "desc").executeTakeFirstOrThrow();
  expect(audit.actor_id).toBe(w.alice.id);
  expect(JSON.parse(audit.data_json)).toMatchObject({ team: w.alice.id, via: "web" });
});
