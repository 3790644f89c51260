// Kudos: a manager thanks someone in their team (HR anyone); stored, audited, mailed through the
// outbox, shown on the person's home page with who sent it; counted in HR's recognition report.
import { afterAll, beforeAll, expect, test } from "vitest";
import { fixedClock } from "../../app/clock";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { makePerson } from "../../app/demo/factories.server";
import { recognitionReport, sendKudos } from "../../app/recognition/kudos.server";
import type { User } from "../../db/schema";
import { makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
let server: TestServer;
let carol: User; // reports to Alice, so Alice is a manager too
let eve: User; // reports to HR
const cookies: Record<string, string> = {};

const kudosRows = () => w.db.selectFrom("kudos").selectAll().orderBy("created_at").execute();

beforeAll(async () => {
  w = await makeWorld();
  const hash = (await w.db.selectFrom("users").select("password_hash").where("id", "=", w.alice.id).executeTakeFirstOrThrow()).password_hash;
  carol = await makePerson(
    w.db,
    { email: "carol@test.example", name: "Carol Carver", startDate: "2027-01-01", managerId: w.alice.id, passwordHash: hash },
    w.clock,
  );
  eve = await makePerson(
    w.db,
    { email: "eve@test.example", name: "Eve Elsewhere", startDate: "2027-01-01", managerId: w.hr.id, passwordHash: hash },
    w.clock,
  );
  server = await startTestServer(w);
  for (const [k, email] of Object.entries({
    manager: "manager@test.example",
    alice: "alice@test.example",
    bob: "bob@test.example",
    hr: "hr@test.example",
    eve: "eve@test.example",
  })) {
    cookies[k] = await server.login(email);
  }
});

afterAll(async () => {
  await server?.close();
  await w?.close();
});

test("the kudos form offers the manager's team and the badges", async () => {
  const res = await server.get(`/team/kudos?to=${w.alice.id}`, cookies.manager);
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toContain("Send kudos to Alice Archer");
  expect(html).toContain("Three years on time");
  expect(html).toContain("First-time pass");
  // Without a person chosen, a list of the team (at any depth), and nobody else.
  const list = await (await server.get("/team/kudos", cookies.manager)).text();
  for (const name of ["Alice Archer", "Bob Baker", "Carol Carver"]) expect(list).toContain(`>${name}</option>`);
  expect(list).not.toContain("Eve Elsewhere");
});

test("kudos are stored, audited, mailed, and shown on the person's home page with who sent them", async () => {
  const res = await server.post(
    "/team/kudos",
    { to: w.alice.id, message: "Thank you for spotting the shared pricing link and reporting it at once.", badge: "first-time-pass" },
    cookies.manager,
  );
  expect(res.status).toBe(200);
  expect(await res.text()).toContain("Kudos sent to Alice Archer.");

  const [k] = await kudosRows();
  expect(k).toMatchObject({ from_user_id: w.manager.id, to_user_id: w.alice.id, badge: "first-time-pass", created_at: "2027-03-01T09:00:00.000Z" });
  expect(k.message).toBe("Thank you for spotting the shared pricing link and reporting it at once.");

  const audit = await w.db.selectFrom("audit_log").selectAll().where("action", "=", "kudos.sent").execute();
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({ actor_id: w.manager.id, subject_type: "kudos", subject_id: k.id });
  expect((await verifyAuditChain(w.db)).ok).toBe(true);

  const mail = await w.db.selectFrom("notifications").selectAll().where("kind", "=", "kudos").execute();
  expect(mail).toHaveLength(1);
  expect(mail[0]).toMatchObject({ event_key: `kudos:${k.id}`, user_id: w.alice.id, to_email: "alice@test.example", status: "pending" });
  expect(mail[0].subject).toBe("Kudos from Mark Mendes: First-time pass");
  expect(mail[0].body).toContain("Thank you for spotting the shared pricing link");
  expect(mail[0].body).toContain(`${server.url}/`);

  const home = await (await server.get("/", cookies.alice)).text();
  expect(home).toContain("Recognition");
  expect(home).toContain("Thank you for spotting the shared pricing link and reporting it at once.");
  expect(home).toMatch(/From <strong>Mark Mendes<\/strong>/);
  expect(home).toContain("First-time pass");
  // Bob sees nothing of Alice's kudos.
  expect(await (await server.get("/", cookies.bob)).text()).not.toContain("shared pricing link");
});

test("a manager of a sub-team can thank their own reports; HR can thank anyone", async () => {
  expect((await server.post("/team/kudos", { to: carol.id, message: "Great access review." }, cookies.alice)).status).toBe(200);
  expect((await server.post("/team/kudos", { to: eve.id, message: "Thanks for the clean-desk audit." }, cookies.hr)).status).toBe(200);
  // HR's form can name someone outside their own team.
  expect((await server.get(`/team/kudos?to=${carol.id}`, cookies.hr)).status).toBe(200);
  const eveHome = await (await server.get("/", cookies.eve)).text();
  expect(eveHome).toContain("Thanks for the clean-desk audit.");
  expect(eveHome).toMatch(/From <strong>Helen Harper<\/strong>/);
});

test("a bad form is a 400 with field errors, and nothing is written", async () => {
  const before = (await kudosRows()).length;
  const empty = await server.post("/team/kudos", { to: w.bob.id, message: "   " }, cookies.manager);
  expect(empty.status).toBe(400);
  expect(await empty.text()).toContain("Write a short message: what did they do well?");
  const long = await server.post("/team/kudos", { to: w.bob.id, message: "a".repeat(501) }, cookies.manager);
  expect(long.status).toBe(400);
  expect(await long.text()).toContain("Keep it to 500 characters.");
  const badge = await server.post("/team/kudos", { to: w.bob.id, message: "Thanks", badge: "employee-of-the-month" }, cookies.manager);
  expect(badge.status).toBe(400);
  expect(await badge.text()).toContain("Choose a badge from the list, or none.");
  const nobody = await server.post("/team/kudos", { message: "Thanks" }, cookies.manager);
  expect(nobody.status).toBe(400);
  expect((await kudosRows()).length).toBe(before);
  // 500 characters exactly is fine.
  expect((await server.post("/team/kudos", { to: w.bob.id, message: "b".repeat(500) }, cookies.manager)).status).toBe(200);
});

test("HR's recognition report: who recognised whom, how often, and who recognised nobody lately", async () => {
  // An older kudos from Alice, outside the 90-day window.
  await sendKudos(
    w.db,
    { sender: w.alice, form: { to: carol.id, message: "Last year's thanks" }, origin: server.url },
    fixedClock("2026-10-01T09:00:00.000Z"),
  );
  const report = await recognitionReport(w.db, w.clock());
  expect(report.totals).toEqual({ ever: 5, inWindow: 4, senders: 3, recipients: 4 });
  expect(report.pairs.find((p) => p.fromName === "Alice Archer" && p.toName === "Carol Carver")).toMatchObject({
    count: 2,
    lastAt: "2027-03-01T09:00:00.000Z",
  });
  const byName = new Map(report.managers.map((m) => [m.name, m]));
  expect(byName.get("Mark Mendes")).toMatchObject({ teamSize: 3, sentInWindow: 2, sentEver: 2, teamReceivedInWindow: 3 });
  expect(byName.get("Alice Archer")).toMatchObject({ teamSize: 1, sentInWindow: 1, sentEver: 2 });
  expect(byName.get("Helen Harper")).toMatchObject({ teamSize: 1, sentInWindow: 1 });
  expect(report.badges).toEqual([{ badge: "first-time-pass", label: "First-time pass", count: 1 }]);

  // Later, with no new kudos, Alice has recognised nobody in 90 days: the page names her.
  const later = await recognitionReport(w.db, new Date("2027-06-15T09:00:00.000Z"));
  expect(later.managers.filter((m) => m.sentInWindow === 0).map((m) => m.name)).toEqual(["Alice Archer", "Helen Harper", "Mark Mendes"]);

  const html = await (await server.get("/hr/recognition", cookies.hr)).text();
  expect(html).toContain("Who recognised whom");
  expect(html).toContain("Alice Archer");
  expect(html).toContain("2 times");
  expect(html).toContain("Every manager has recognised someone in the last 90 days.");
});

test("team sizes in the report stop at someone who has left, and a reporting loop is counted once", async () => {
  const person = (key: string, managerId: string | null) =>
    makePerson(w.db, { email: `${key}@loop.example`, name: `${key[0].toUpperCase()}${key.slice(1)} Tree`, startDate: "2027-01-01", managerId }, w.clock);
  const gina = await person("gina", null);
  const ivan = await person("ivan", gina.id); // leaves: his report is nobody's team any more
  await person("jo", ivan.id);
  await person("kim", gina.id);
  await w.db.updateTable("users").set({ status: "inactive" }).where("id", "=", ivan.id).execute();
  const lou = await person("lou", null);
  const max = await person("max", lou.id);
  await w.db.updateTable("users").set({ manager_id: max.id }).where("id", "=", lou.id).execute();

  const report = await recognitionReport(w.db, w.clock());
  const sizes = Object.fromEntries(report.managers.filter((m) => m.name.endsWith(" Tree")).map((m) => [m.name, m.teamSize]));
  expect(sizes).toEqual({ "Gina Tree": 1, "Lou Tree": 1, "Max Tree": 1 });
});

test("the report's manager lists page 50 at a time: a bad page number is a 400, one past the end shows the last", async () => {
  for (const bad of ["?managersPage=abc", "?quietPage=0", "?managersPage=-2"]) {
    const res = await server.get(`/hr/recognition${bad}`, cookies.hr);
    expect(res.status, bad).toBe(400);
    expect(await res.text(), bad).toContain("That page number is not valid");
  }
  const past = await server.get("/hr/recognition?managersPage=99", cookies.hr);
  expect(past.status).toBe(200);
  expect(await past.text()).toContain("Mark Mendes");
});
