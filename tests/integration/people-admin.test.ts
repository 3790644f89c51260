// People administration by hand, through the real app: HR finds, adds, edits, puts on leave,
// deactivates and reactivates people, every change audited; nobody else can reach any of it.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createSession } from "../../app/auth/session.server";
import { assign, makePerson } from "../../app/demo/factories.server";
import { squash } from "../support/browser";
import { readRosterBytes, storeImport } from "../../app/roster/import.server";
import { makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
let server: TestServer;
let hr: string;
let importId: string;

beforeAll(async () => {
  w = await makeWorld();
  // Enough people for two pages, in two departments, one of them a contractor on leave.
  for (let i = 0; i < 55; i++) {
    await makePerson(
      w.db,
      {
        email: `person${String(i).padStart(2, "0")}@test.example`,
        name: `Person ${String(i).padStart(2, "0")}`,
        startDate: "2026-01-01",
        department: i % 2 === 0 ? "Sales" : "Support",
        type: i === 7 ? "contractor" : "employee",
        status: i === 7 ? "leave" : "active",
      },
      w.clock,
    );
  }
  const read = readRosterBytes(new TextEncoder().encode("email,name,start_date\nnew@test.example,New,2027-04-01\n"));
  if (!read.ok) throw new Error(read.message);
  importId = await storeImport(w.db, { fileName: "people.csv", text: read.text, sha256: read.sha256, uploadedBy: w.hr.id }, w.clock);
  server = await startTestServer(w);
  hr = await server.login("hr@test.example");
});
afterAll(async () => {
  await server?.close();
  await w?.close();
});

async function page(path: string, cookie = hr) {
  const res = await server.get(path, cookie);
  return { status: res.status, html: (await res.text()).replaceAll("<!-- -->", "") };
}

async function user(email: string) {
  return w.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
}

async function auditOf(subjectId: string, action: string) {
  const rows = await w.db.selectFrom("audit_log").select(["actor_id", "data_json"]).where("subject_id", "=", subjectId).where("action", "=", action).orderBy("seq").execute();
  return rows.map((r) => ({ actorId: r.actor_id, data: JSON.parse(r.data_json) as Record<string, unknown> }));
}

function rowCount(html: string) {
  return (html.match(/>Edit<span class="visually-hidden">/g) ?? []).length;
}

const PERSON_FORM = {
  email: "",
  name: "",
  employeeId: "",
  department: "",
  title: "",
  managerEmail: "",
  startDate: "",
  endDate: "",
  type: "employee",
};

test("employees and managers get 404 from every people and import page and action, and nothing changes", async () => {
  const alice = await server.login("alice@test.example");
  const manager = await server.login("manager@test.example");
  const before = await w.db.selectFrom("users").selectAll().orderBy("id").execute();
  for (const cookie of [alice, manager]) {
    for (const path of [
      "/hr/import",
      `/hr/import/${importId}`,
      `/hr/import/${importId}.data`,
      "/hr/import.data",
      "/hr/people",
      "/hr/people?q=person",
      "/hr/people.data",
      "/hr/people/new",
      `/hr/people/${w.bob.id}/edit`,
      `/hr/people/${w.bob.id}/edit.data`,
    ]) {
      const res = await server.get(path, cookie);
      expect(res.status, path).toBe(404);
      const body = await res.text();
      expect(body, path).not.toContain("bob@test.example");
      expect(body, path).not.toContain("person01@test.example");
    }
    const form = new FormData();
    form.append("roster", new Blob(["email,name,start_date\nsneaky@test.example,Sneaky,2027-01-01\n"]), "x.csv");
    const uploadRes = await fetch(`${server.url}/hr/import`, { method: "POST", body: form, redirect: "manual", headers: { Origin: server.url, Cookie: cookie } });
    expect(uploadRes.status).toBe(404);
    expect((await server.post(`/hr/import/${importId}`, { intent: "confirm", digest: "" }, cookie)).status).toBe(404);
    expect((await server.post("/hr/people/new", { ...PERSON_FORM, email: "sneaky@test.example", name: "Sneaky", startDate: "2027-01-01" }, cookie)).status).toBe(404);
    for (const intent of ["details", "leave", "return", "deactivate", "reactivate"]) {
      const res = await server.post(`/hr/people/${w.bob.id}/edit`, { ...PERSON_FORM, intent, email: "bob@test.example", name: "Hacked", startDate: "2027-01-01", reason: "because" }, cookie);
      expect(res.status, intent).toBe(404);
    }
  }
  expect(await w.db.selectFrom("users").selectAll().orderBy("id").execute()).toEqual(before);
  expect(await w.db.selectFrom("roster_imports").select("id").execute()).toHaveLength(1);
  expect((await w.db.selectFrom("roster_imports").select("applied_at").executeTakeFirstOrThrow()).applied_at).toBeNull();

  for (const path of ["/hr/people", "/hr/people/new", "/hr/import"]) {
    const signedOut = await server.get(path);
    expect(signedOut.status, path).toBe(302);
    expect(signedOut.headers.get("location"), path).toMatch(/^\/login/);
  }
});

test("HR pages through everyone 50 at a time, each linking to their record and their edit page", async () => {
  const first = await page("/hr/people");
  expect(first.status).toBe(200);
  expect(first.html).toContain("Showing 1–50 of 59 people, by name.");
  expect(rowCount(first.html)).toBe(50);
  expect(first.html).toContain(`href="/hr/people/${w.alice.id}"`);
  expect(first.html).toContain(`href="/hr/people/${w.alice.id}/edit"`);
  expect(first.html).toContain('href="/hr/people?page=2"');
  const second = await page("/hr/people?page=2");
  expect(rowCount(second.html)).toBe(9);
});

test("HR searches by name or email, and filters by department, status and type", async () => {
  const byName = await page("/hr/people?q=ALICE");
  expect(rowCount(byName.html)).toBe(1);
  expect(byName.html).toContain("Alice Archer");
  const byEmail = await page("/hr/people?q=person0");
  expect(rowCount(byEmail.html)).toBe(10);
  // % and _ are characters to look for, not wildcards.
  expect(rowCount((await page("/hr/people?q=%25")).html)).toBe(0);
  const sales = await page("/hr/people?department=Sales&q=&status=&type=");
  expect(rowCount(sales.html)).toBe(28);
  expect(sales.html).toContain('<option value="Support">Support</option>');
  const leave = await page("/hr/people?status=leave");
  expect(rowCount(leave.html)).toBe(1);
  expect(leave.html).toContain("Person 07");
  expect(rowCount((await page("/hr/people?type=contractor")).html)).toBe(1);
  // A page past the end shows the last one.
  expect((await page("/hr/people?department=Support&page=2")).html).toContain("Showing 1–27 of 27 people matching these filters");
  expect((await page("/hr/people?status=retired")).status).toBe(400);
});

test("the search also finds an employee ID or a department, and each row says where the person's training stands", async () => {
  const dana = await makePerson(w.db, { email: "dana@test.example", name: "Dana Duarte", startDate: "2026-01-01", department: "Treasury", employeeId: "EMP-4417" }, w.clock);
  const erik = await makePerson(w.db, { email: "erik@test.example", name: "Erik Eng", startDate: "2026-01-01", department: "Treasury" }, w.clock);
  await assign(w.db, { userId: dana.id, course: w.course, dueAt: "2027-02-20T09:00:00.000Z" }, w.clock);
  await assign(w.db, { userId: erik.id, course: w.course, dueAt: "2027-03-20T09:00:00.000Z" }, w.clock);
  const byId = await page("/hr/people?q=emp-4417");
  expect(rowCount(byId.html)).toBe(1);
  expect(byId.html).toContain("Dana Duarte");
  const byDepartment = await page("/hr/people?q=treas");
  expect(rowCount(byDepartment.html)).toBe(2);
  const cell = (html: string, name: string) => squash(new RegExp(`${name}[\\s\\S]*?data-label="Training">([\\s\\S]*?)</td>`).exec(html)?.[1].replace(/<[^>]+>/g, "") ?? "");
  expect(cell(byDepartment.html, "Dana Duarte")).toBe("1 overdue");
  expect(cell(byDepartment.html, "Erik Eng")).toBe("1 to do");
  expect(cell((await page("/hr/people?q=person01")).html, "Person 01")).toBe("Nothing assigned");
});

test("adding a person: field errors with a 400, then the person exists, cannot sign in, and it is audited", async () => {
  const empty = await server.post("/hr/people/new", PERSON_FORM, hr);
  expect(empty.status).toBe(400);
  const emptyHtml = (await empty.text()).replaceAll("<!-- -->", "");
  expect(emptyHtml).toContain('aria-describedby="p-name-hint p-name-error"');
  expect(emptyHtml).toContain('<p id="p-name-error" class="field-error">Enter their full name.</p>');
  expect(emptyHtml).toContain('<p id="p-email-error" class="field-error">Enter their work email address.</p>');
  expect(emptyHtml).toContain('<p id="p-startDate-error" class="field-error">Enter their start date.</p>');

  const clash = await server.post(
    "/hr/people/new",
    { ...PERSON_FORM, email: "ALICE@test.example", name: "Another Alice", startDate: "2027-05-01", managerEmail: "nobody@test.example", endDate: "2027-04-01" },
    hr,
  );
  expect(clash.status).toBe(400);
  const clashHtml = await clash.text();
  expect(clashHtml).toContain("The end date must be on or after the start date.");
  expect(clashHtml).not.toContain("Someone already has the email"); // schema errors come first: nothing else is checked yet

  const taken = await server.post("/hr/people/new", { ...PERSON_FORM, email: "ALICE@test.example", name: "Another Alice", startDate: "2027-05-01", managerEmail: "nobody@test.example" }, hr);
  expect(taken.status).toBe(400);
  const takenHtml = await taken.text();
  expect(takenHtml).toContain("Someone already has the email alice@test.example.");
  expect(takenHtml).toContain("Nobody has the email nobody@test.example.");
  expect(takenHtml).toContain('value="Another Alice"');

  const ok = await server.post(
    "/hr/people/new",
    { ...PERSON_FORM, email: " Dana.Diaz@Test.example ", name: "Dana  Diaz", startDate: "2027-05-01", department: "Legal", managerEmail: "manager@test.example", type: "contractor" },
    hr,
  );
  expect(ok.status).toBe(302);
  const dana = await user("dana.diaz@test.example");
  expect(ok.headers.get("location")).toBe(`/hr/people/${dana.id}/edit`);
  expect(dana).toMatchObject({ name: "Dana Diaz", department: "Legal", manager_id: w.manager.id, type: "contractor", status: "active", password_hash: null, start_date: "2027-05-01" });
  expect(await auditOf(dana.id, "person.created")).toEqual([
    { actorId: w.hr.id, data: { email: "dana.diaz@test.example", name: "Dana Diaz", type: "contractor", managerId: w.manager.id, isHr: false } },
  ]);
  const edit = await page(`/hr/people/${dana.id}/edit`, `${hr}; ${ok.headers.get("set-cookie")!.split(";")[0]}`);
  expect(edit.html).toContain("Added Dana Diaz. They cannot sign in until they have a password.");
  expect(edit.html).toContain("Cannot sign in yet: no password has been set");
});

test("editing details and the manager is audited field by field; loops and unknown managers are refused", async () => {
  const carol = await makePerson(w.db, { email: "carol@test.example", name: "Carol Cho", startDate: "2026-01-01", managerId: w.alice.id }, w.clock);
  const edit = (id: string, fields: Record<string, string>) => server.post(`/hr/people/${id}/edit`, { ...PERSON_FORM, intent: "details", ...fields }, hr);
  const mark = { email: "manager@test.example", name: "Mark Mendes", startDate: "2025-01-01" };

  // Mark manages Alice, who manages Carol: Mark cannot report to Carol.
  const loop = await edit(w.manager.id, { ...mark, managerEmail: "carol@test.example" });
  expect(loop.status).toBe(400);
  expect(await loop.text()).toContain("That would make a loop: manager@test.example → carol@test.example → alice@test.example → manager@test.example.");
  const self = await edit(w.manager.id, { ...mark, managerEmail: "manager@test.example" });
  expect(await self.text()).toContain("Nobody can manage themselves.");
  const unknown = await edit(w.manager.id, { ...mark, managerEmail: "ghost@test.example" });
  expect(unknown.status).toBe(400);
  expect(await auditOf(w.manager.id, "person.updated")).toEqual([]);

  const ok = await edit(carol.id, { email: "carol@test.example", name: "Carol Cho-Lane", startDate: "2026-01-01", department: "Finance", title: "Analyst", managerEmail: "MANAGER@test.example", endDate: "2027-12-31" });
  expect(ok.status).toBe(302);
  expect(await user("carol@test.example")).toMatchObject({ name: "Carol Cho-Lane", department: "Finance", title: "Analyst", manager_id: w.manager.id, end_date: "2027-12-31" });
  expect(await auditOf(carol.id, "person.updated")).toEqual([
    {
      actorId: w.hr.id,
      data: {
        changes: [
          { field: "name", from: "Carol Cho", to: "Carol Cho-Lane" },
          { field: "department", from: null, to: "Finance" },
          { field: "title", from: null, to: "Analyst" },
          { field: "end_date", from: null, to: "2027-12-31" },
          { field: "manager_email", from: "alice@test.example", to: "manager@test.example" },
        ],
        source: "hr",
      },
    },
  ]);
  // Saving the same values again changes and records nothing.
  await edit(carol.id, { email: "carol@test.example", name: "Carol Cho-Lane", startDate: "2026-01-01", department: "Finance", title: "Analyst", managerEmail: "manager@test.example", endDate: "2027-12-31" });
  expect(await auditOf(carol.id, "person.updated")).toHaveLength(1);
});

test("leave, return, deactivation with a required reason and reactivation are audited; deactivation ends sessions", async () => {
  const erin = await makePerson(w.db, { email: "erin@test.example", name: "Erin Ellis", startDate: "2026-01-01", managerId: w.bob.id }, w.clock);
  const post = (id: string, fields: Record<string, string>) => server.post(`/hr/people/${id}/edit`, fields, hr);

  expect((await post(erin.id, { intent: "leave" })).status).toBe(302);
  expect((await user("erin@test.example")).status).toBe("leave");
  expect((await post(erin.id, { intent: "leave" })).status).toBe(409);
  expect((await post(erin.id, { intent: "return" })).status).toBe(302);
  expect((await user("erin@test.example")).status).toBe("active");
  expect(await auditOf(erin.id, "person.leave_started")).toEqual([{ actorId: w.hr.id, data: {} }]);
  expect(await auditOf(erin.id, "person.leave_ended")).toHaveLength(1);

  // Bob manages Erin: he cannot be deactivated until she has another manager.
  const blocked = await post(w.bob.id, { intent: "deactivate", reason: "Left the company" });
  expect(blocked.status).toBe(409);
  expect(await blocked.text()).toContain("Bob Baker still manages erin@test.example. Give them another manager first.");

  await createSession(w.db, { userId: erin.id, ip: null, userAgent: null }, w.clock);
  const noReason = await post(erin.id, { intent: "deactivate", reason: "  " });
  expect(noReason.status).toBe(400);
  const noReasonHtml = await noReason.text();
  expect(noReasonHtml).toContain('<p id="reason-error" class="field-error">Give a reason for deactivating them.</p>');
  expect(noReasonHtml).toContain('aria-describedby="reason-hint reason-error"');
  expect((await user("erin@test.example")).status).toBe("active");

  expect((await post(erin.id, { intent: "deactivate", reason: "Left the company; last day 28 February" })).status).toBe(302);
  expect((await user("erin@test.example")).status).toBe("inactive");
  expect(await w.db.selectFrom("sessions").select("id").where("user_id", "=", erin.id).execute()).toEqual([]);
  expect(await auditOf(erin.id, "person.deactivated")).toEqual([{ actorId: w.hr.id, data: { reason: "Left the company; last day 28 February" } }]);

  expect((await post(erin.id, { intent: "reactivate" })).status).toBe(302);
  expect((await user("erin@test.example")).status).toBe("active");
  expect(await auditOf(erin.id, "person.updated")).toEqual([
    { actorId: w.hr.id, data: { changes: [{ field: "status", from: "inactive", to: "active" }], reactivated: true, source: "hr" } },
  ]);

  // HR cannot deactivate themselves.
  const selfDeactivate = await post(w.hr.id, { intent: "deactivate", reason: "Testing" });
  expect(selfDeactivate.status).toBe(409);
  expect((await user("hr@test.example")).status).toBe("active");
  expect((await server.post(`/hr/people/usr_nobody/edit`, { intent: "leave" }, hr)).status).toBe(404);
  expect((await page("/hr/people/usr_nobody/edit")).status).toBe(404);
});
