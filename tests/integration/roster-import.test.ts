// Roster imports against a real SQLite database: the preview says what would happen, confirming
// applies all of it in one transaction or none of it, and every change is audited.
import { sql } from "kysely";
import { afterEach, beforeEach, expect, test } from "vitest";
import { fixedClock } from "../../app/clock";
import { createSession } from "../../app/auth/session.server";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { startLeave } from "../../app/people/people.server";
import { workThroughCourse } from "../../app/demo/factories.server";
import { confirmImport, importRosterText, planFromText, readRosterBytes, storeImport } from "../../app/roster/import.server";
import { assignCourse, makeWorld, PASSWORD, SECRET, type World } from "../support/world";

let w: World;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.close();
});

const HEADER = "email,name,start_date,department,title,manager_email,type,status,end_date";
/** The world's people as a roster, with the given lines replacing theirs (by email) or added. */
function roster(lines: Record<string, string | null>, header = HEADER): string {
  const base: Record<string, string> = {
    "hr@test.example": "hr@test.example,Helen Harper,2025-01-01,,,,employee,active,",
    "manager@test.example": "manager@test.example,Mark Mendes,2025-01-01,,,,employee,active,",
    "alice@test.example": "alice@test.example,Alice Archer,2027-02-20,,,manager@test.example,employee,active,",
    "bob@test.example": "bob@test.example,Bob Baker,2027-02-20,,,manager@test.example,employee,active,",
  };
  const merged = { ...base, ...lines };
  return [header, ...Object.values(merged).filter((l): l is string => l !== null)].join("\r\n") + "\r\n";
}

async function store(text: string, fileName = "people.csv") {
  const read = readRosterBytes(new TextEncoder().encode(text));
  if (!read.ok) throw new Error(read.message);
  return { id: await storeImport(w.db, { fileName, text: read.text, sha256: read.sha256, uploadedBy: w.hr.id }, w.clock), sha256: read.sha256 };
}

async function snapshot() {
  const users = await w.db.selectFrom("users").selectAll().orderBy("email").execute();
  const audit = await w.db.selectFrom("audit_log").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  const sessions = await w.db.selectFrom("sessions").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  const imports = await w.db.selectFrom("roster_imports").select(["id", "applied_at", "summary_json"]).orderBy("id").execute();
  return { users, audit: Number(audit.n), sessions: Number(sessions.n), imports };
}

async function person(email: string) {
  return w.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
}

test("the preview lists additions, field-by-field changes, leave, returns, deactivations and people not in the file", async () => {
  await w.db.transaction().execute((trx) => startLeave(trx, { userId: w.bob.id, actorId: null }, w.clock));
  const text = roster({
    "alice@test.example": "Alice@Test.example,Alice Archer,2027-02-20,Legal,Counsel,dana@test.example,contractor,leave,",
    "bob@test.example": "bob@test.example,Bob Baker,2027-02-20,,,manager@test.example,employee,active,",
    "manager@test.example": null,
    "dana@test.example": "dana@test.example,Dana Diaz,2027-04-01,Legal,General Counsel,hr@test.example,,,",
  });
  const { plan } = await planFromText(w.db, text, { deactivateMissing: false, actorId: w.hr.id }, w.clock);
  expect(plan.problems).toEqual([]);
  expect(plan.add.map((a) => [a.email, a.managerEmail, a.line])).toEqual([["dana@test.example", "hr@test.example", 5]]);
  expect(plan.change).toEqual([
    expect.objectContaining({
      email: "alice@test.example",
      line: 3,
      changes: [
        { field: "department", from: null, to: "Legal" },
        { field: "title", from: null, to: "Counsel" },
        { field: "manager_email", from: "manager@test.example", to: "dana@test.example" },
        { field: "type", from: "employee", to: "contractor" },
      ],
    }),
  ]);
  expect(plan.leave.map((s) => s.email)).toEqual(["alice@test.example"]);
  expect(plan.returnFromLeave.map((s) => s.email)).toEqual(["bob@test.example"]);
  expect(plan.deactivate).toEqual([]);
  expect(plan.missing.map((m) => m.email)).toEqual(["manager@test.example"]);
  expect(plan.unchanged).toBe(1);

  // Bob still reports to Mark, so deactivating people missing from the file is refused.
  const withMissing = await planFromText(w.db, text, { deactivateMissing: true, actorId: w.hr.id }, w.clock);
  expect(withMissing.plan.problems.map((p) => `${p.line}  ${p.message}`)).toEqual([
    "4  manager manager@test.example would be deactivated (not in the file, and people missing from the file are being deactivated)",
  ]);
});

test("confirming applies everything in one go, audited, with managers resolved after every row is known", async () => {
  const bobAssignment = await assignCourse(w, w.bob);
  await w.db.transaction().execute((trx) => startLeave(trx, { userId: w.bob.id, actorId: null }, fixedClock("2027-02-19T09:00:00.000Z")));
  const text = roster({
    "alice@test.example": "alice@test.example,Alice Archer,2027-02-20,Legal,Counsel,manager@test.example,employee,leave,",
    "bob@test.example": "bob@test.example,Bob Baker,2027-02-20,,,manager@test.example,employee,,",
    // Erin's manager comes later in the file.
    "erin@test.example": "erin@test.example,Erin Early,2027-04-01,Legal,Paralegal,dana@test.example,employee,,",
    "dana@test.example": "dana@test.example,Dana Diaz,2027-04-01,Legal,General Counsel,hr@test.example,,,",
  });
  const { id, sha256 } = await store(text);
  const { plan } = await planFromText(w.db, text, { deactivateMissing: false, actorId: w.hr.id }, w.clock);
  const result = await confirmImport(w.db, { importId: id, actorId: w.hr.id, deactivateMissing: false, expectedDigest: plan.digest }, w.clock);
  expect(result.status).toBe("applied");

  const dana = await person("dana@test.example");
  const erin = await person("erin@test.example");
  expect(dana).toMatchObject({ name: "Dana Diaz", manager_id: w.hr.id, status: "active", password_hash: null, start_date: "2027-04-01", type: "employee" });
  expect(erin).toMatchObject({ manager_id: dana.id, department: "Legal", title: "Paralegal" });
  expect(await person("alice@test.example")).toMatchObject({ department: "Legal", title: "Counsel", status: "leave", leave_started_at: "2027-03-01T09:00:00.000Z" });
  const bob = await person("bob@test.example");
  expect(bob).toMatchObject({ status: "active", leave_started_at: null });
  // Back from 10 days away: Bob's open due date moved on by 10 days.
  const moved = await w.db.selectFrom("assignments").select("due_at").where("id", "=", bobAssignment.id).executeTakeFirstOrThrow();
  expect(Date.parse(moved.due_at) - Date.parse(bobAssignment.due_at)).toBe(10 * 86_400_000);

  const audit = await w.db.selectFrom("audit_log").select(["action", "actor_id", "subject_id", "data_json"]).orderBy("seq").execute();
  const actions = audit.map((a) => a.action);
  expect(actions.filter((a) => a === "person.created")).toHaveLength(6); // 4 in the world + 2 imported
  const updated = audit.find((a) => a.action === "person.updated" && a.subject_id === w.alice.id)!;
  expect(updated.actor_id).toBe(w.hr.id);
  expect(JSON.parse(updated.data_json)).toEqual({
    changes: [
      { field: "department", from: null, to: "Legal" },
      { field: "title", from: null, to: "Counsel" },
    ],
    source: "roster_import",
    importId: id,
  });
  expect(actions).toContain("person.leave_started");
  expect(actions).toContain("person.leave_ended");
  const imported = audit.filter((a) => a.action === "roster.imported");
  expect(imported).toHaveLength(1);
  expect(imported[0].subject_id).toBe(id);
  expect(JSON.parse(imported[0].data_json)).toEqual({
    fileName: "people.csv",
    sha256,
    rows: 6,
    deactivateMissing: false,
    counts: { added: 2, changed: 1, leave: 1, returned: 1, reactivated: 0, deactivated: 0, missing: 0, unchanged: 2 },
  });
  const stored = await w.db.selectFrom("roster_imports").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  expect(stored.applied_at).toBe("2027-03-01T09:00:00.000Z");
  expect(JSON.parse(stored.summary_json!).counts.added).toBe(2);
  expect(await verifyAuditChain(w.db)).toMatchObject({ ok: true });
});

test("confirming the same import again does nothing", async () => {
  const { id } = await store(roster({ "dana@test.example": "dana@test.example,Dana Diaz,2027-04-01,,,,,," }));
  expect((await confirmImport(w.db, { importId: id, actorId: w.hr.id, deactivateMissing: false }, w.clock)).status).toBe("applied");
  const before = await snapshot();
  const again = await confirmImport(w.db, { importId: id, actorId: w.hr.id, deactivateMissing: false }, w.clock);
  expect(again.status).toBe("already_applied");
  expect(await snapshot()).toEqual(before);
});

test("an invalid file changes nothing, and the confirmation lists its problems", async () => {
  const { id } = await store(
    roster({
      "dana@test.example": "dana@test.example,Dana Diaz,2027-04-01,,,nobody@test.example,,,",
      "bob@test.example": "bob@test.example,Bob Baker,2027-02-31,,,manager@test.example,employee,inactive,",
    }),
  );
  const before = await snapshot();
  const result = await confirmImport(w.db, { importId: id, actorId: w.hr.id, deactivateMissing: true }, w.clock);
  expect(result.status).toBe("invalid");
  if (result.status !== "invalid") return;
  expect(result.plan.problems.map((p) => `${p.line}  ${p.message}`)).toEqual([
    `5  start_date "2027-02-31" is not accepted: it is not a real date (February 2027 has 28 days)`,
    "6  unknown manager nobody@test.example: not in the file and not an existing active person",
  ]);
  expect(await snapshot()).toEqual(before);
});

test("a failure part-way through applying rolls back everything", async () => {
  const aliceSession = await createSession(w.db, { userId: w.alice.id, ip: null, userAgent: null }, w.clock);
  expect(aliceSession.sessionId).toBeTruthy();
  const { id } = await store(
    roster({
      "alice@test.example": "alice@test.example,Alice Archer,2027-02-20,Legal,,manager@test.example,employee,inactive,",
      "dana@test.example": "dana@test.example,Dana Diaz,2027-04-01,,,,,,",
      "zed@test.example": "zed@test.example,Zed Zimmer,2027-04-01,,,,,,",
    }),
  );
  // The database refuses the very last write (the import's own audit entry): by then Dana and Zed
  // exist, Alice is changed and deactivated and her session is gone.
  await sql`create trigger refuse_import before insert on audit_log when new.action = 'roster.imported' begin select raise(abort, 'refused for the test'); end`.execute(w.db);
  const before = await snapshot();
  await expect(confirmImport(w.db, { importId: id, actorId: w.hr.id, deactivateMissing: false }, w.clock)).rejects.toThrow(/refused for the test/);
  expect(await snapshot()).toEqual(before);
  expect(before.imports.find((i) => i.id === id)?.applied_at).toBeNull();

  // Once the database accepts it, the same import applies.
  await sql`drop trigger refuse_import`.execute(w.db);
  expect((await confirmImport(w.db, { importId: id, actorId: w.hr.id, deactivateMissing: false }, w.clock)).status).toBe("applied");
  expect(await person("zed@test.example")).toMatchObject({ name: "Zed Zimmer" });
  expect(await person("alice@test.example")).toMatchObject({ status: "inactive", department: "Legal" });
  expect(await w.db.selectFrom("sessions").select("id").where("user_id", "=", w.alice.id).execute()).toEqual([]);
});

test("if people changed since the preview, nothing is applied and the new preview comes back", async () => {
  const text = roster({ "dana@test.example": "dana@test.example,Dana Diaz,2027-04-01,,,,,," });
  const { id } = await store(text);
  const { plan } = await planFromText(w.db, text, { deactivateMissing: false, actorId: w.hr.id }, w.clock);
  await w.db.updateTable("users").set({ department: "Finance" }).where("id", "=", w.bob.id).execute();
  const before = await snapshot();
  const result = await confirmImport(w.db, { importId: id, actorId: w.hr.id, deactivateMissing: false, expectedDigest: plan.digest }, w.clock);
  expect(result.status).toBe("stale");
  if (result.status === "stale") expect(result.plan.change.map((c) => c.email)).toEqual(["bob@test.example"]);
  expect(await snapshot()).toEqual(before);
});

test("deactivation ends sessions and keeps every record; people missing from the file are deactivated only when asked", async () => {
  const a = await assignCourse(w, w.alice);
  await workThroughCourse(w.db, { user: w.alice, assignment: a, course: w.course, catalog: w.catalog, upTo: "attested", password: PASSWORD, secret: SECRET }, w.clock);
  await createSession(w.db, { userId: w.alice.id, ip: null, userAgent: null }, w.clock);
  await createSession(w.db, { userId: w.bob.id, ip: null, userAgent: null }, w.clock);
  const text = roster({ "alice@test.example": null, "bob@test.example": "bob@test.example,Bob Baker,2027-02-20,,,manager@test.example,employee,inactive," });

  // By default Alice (not in the file) is listed and left alone; Bob's row deactivates him.
  const first = await store(text);
  const kept = await confirmImport(w.db, { importId: first.id, actorId: w.hr.id, deactivateMissing: false }, w.clock);
  expect(kept.status).toBe("applied");
  if (kept.status === "applied") expect(kept.summary.keptMissing).toBe(1);
  expect((await person("alice@test.example")).status).toBe("active");
  expect((await person("bob@test.example")).status).toBe("inactive");
  const sessionsOf = async (id: string) => (await w.db.selectFrom("sessions").select("id").where("user_id", "=", id).execute()).length;
  expect(await sessionsOf(w.bob.id)).toBe(0);
  expect(await sessionsOf(w.alice.id)).toBe(1);

  // With the option, Alice is deactivated too: signed out, her training and signature kept.
  const second = await store(text);
  const result = await confirmImport(w.db, { importId: second.id, actorId: w.hr.id, deactivateMissing: true }, w.clock);
  expect(result.status).toBe("applied");
  if (result.status === "applied") expect(result.summary.deactivated).toEqual([{ email: "alice@test.example", name: "Alice Archer", missing: true }]);
  expect((await person("alice@test.example")).status).toBe("inactive");
  expect(await sessionsOf(w.alice.id)).toBe(0);
  expect(await w.db.selectFrom("assignments").select("id").where("user_id", "=", w.alice.id).execute()).toHaveLength(1);
  expect(await w.db.selectFrom("attestations").select("id").where("user_id", "=", w.alice.id).execute()).toHaveLength(1);
  expect(await w.db.selectFrom("quiz_attempts").select("id").where("user_id", "=", w.alice.id).execute()).toHaveLength(1);
  const entry = await w.db.selectFrom("audit_log").select("data_json").where("action", "=", "person.deactivated").where("subject_id", "=", w.alice.id).executeTakeFirstOrThrow();
  expect(JSON.parse(entry.data_json).reason).toBe("Not in roster people.csv; people missing from it were deactivated");
});

test("a manager loop through people already in the database is refused", async () => {
  // Mark manages Alice; the file makes Mark report to Alice without mentioning Alice.
  const text = "email,name,start_date,manager_email\nmanager@test.example,Mark Mendes,2025-01-01,alice@test.example\n";
  const { plan } = await planFromText(w.db, text, { deactivateMissing: false, actorId: null }, w.clock);
  expect(plan.problems.map((p) => `${p.line}  ${p.message}`)).toEqual([
    "2  manager loop: manager@test.example → alice@test.example → manager@test.example (alice@test.example not in the file)",
  ]);
});

test("a deactivated person in the file with status active is reactivated, and a dry run changes nothing", async () => {
  await w.db.transaction().execute(async (trx) => {
    const { deactivatePerson } = await import("../../app/people/people.server");
    await deactivatePerson(trx, { userId: w.bob.id, actorId: null, reason: "test" }, w.clock);
  });
  const text = roster({});
  const read = readRosterBytes(new TextEncoder().encode(text));
  if (!read.ok) throw new Error(read.message);
  const before = await snapshot();
  const dry = await importRosterText(w.db, { fileName: "people.csv", text: read.text, sha256: read.sha256, deactivateMissing: false, dryRun: true }, w.clock);
  expect(dry.plan.reactivate.map((s) => [s.email, s.from, s.to])).toEqual([["bob@test.example", "inactive", "active"]]);
  expect(dry.summary).toBeNull();
  expect(await snapshot()).toEqual(before);

  const real = await importRosterText(w.db, { fileName: "people.csv", text: read.text, sha256: read.sha256, deactivateMissing: false, dryRun: false }, w.clock);
  expect(real.summary?.counts.reactivated).toBe(1);
  expect((await person("bob@test.example")).status).toBe("active");
  const entry = await w.db.selectFrom("audit_log").select("data_json").where("action", "=", "person.updated").where("subject_id", "=", w.bob.id).executeTakeFirstOrThrow();
  expect(JSON.parse(entry.data_json)).toMatchObject({ changes: [{ field: "status", from: "inactive", to: "active" }], reactivated: true });
  const stored = await w.db.selectFrom("roster_imports").select(["applied_at", "uploaded_by"]).execute();
  expect(stored).toEqual([{ applied_at: "2027-03-01T09:00:00.000Z", uploaded_by: null }]);
});

test("files that are not UTF-8 text are refused before anything is stored", () => {
  expect(readRosterBytes(new Uint8Array([0xff, 0xfe, 0x65, 0x00]))).toMatchObject({ ok: false, message: expect.stringMatching(/UTF-16/) });
  expect(readRosterBytes(new Uint8Array([0x65, 0x6d, 0xe9, 0x0a]))).toMatchObject({ ok: false, message: expect.stringMatching(/not UTF-8/) });
  expect(readRosterBytes(new Uint8Array([]))).toMatchObject({ ok: false, message: "That file is empty." });
  expect(readRosterBytes(new TextEncoder().encode("\uFEFFemail,name,start_date\n"))).toMatchObject({ ok: true, text: "\uFEFFemail,name,start_date\n" });
});
