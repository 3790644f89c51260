import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { sql } from "kysely";
import { afterEach, beforeEach, expect, test } from "vitest";
import { presentedToken, signAttestation } from "../../app/attestations/attestations.server";
import { workThroughCourse } from "../../app/demo/factories.server";
import type { Assignment } from "../../db/schema";
import { assignCourse, makeWorld, PASSWORD, SECRET, type World } from "../support/world";

let w: World;
let assignment: Assignment;
beforeEach(async () => {
  w = await makeWorld();
  assignment = await assignCourse(w, w.alice);
  await workThroughCourse(
    w.db,
    { user: w.alice, assignment, course: w.course, catalog: w.catalog, upTo: "quiz", password: PASSWORD, secret: SECRET },
    w.clock,
  );
});
afterEach(async () => {
  await w.close();
});

const policy = () => w.catalog.policies.get(w.course.meta.policy!)!;
const presented = () =>
  presentedToken(SECRET, { assignmentId: assignment.id, policyId: policy().id, version: policy().current.version, at: "2027-03-01T08:55:00.000Z" });

function sign(form: Record<string, unknown>) {
  return signAttestation(
    w.db,
    { viewer: w.alice, assignment, course: w.course, policy: policy(), consentPolicy: null, form, ip: "203.0.113.7", userAgent: "Mozilla/5.0 test", secret: SECRET },
    w.clock,
  );
}

const good = () => ({ intent: "on", name: "  alice   ARCHER ", password: PASSWORD, presented: presented() });

test("a signature records who, what, when, how and until when", async () => {
  const result = await sign(good());
  expect(result).toMatchObject({ ok: true, alreadySigned: false });
  const row = await w.db.selectFrom("attestations").selectAll().executeTakeFirstOrThrow();
  const file = path.join("courses", "policies", policy().id, policy().current.file);
  const expectedHash = createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  const passed = await w.db.selectFrom("quiz_attempts").select("id").where("passed", "=", 1).executeTakeFirstOrThrow();
  expect(row).toMatchObject({
    user_id: w.alice.id,
    printed_name: "alice   ARCHER", // as typed, outer spaces trimmed
    profile_name: "Alice Archer",
    email: "alice@test.example",
    policy_id: policy().id,
    policy_version: policy().current.version,
    text_sha256: expectedHash,
    signed_at: "2027-03-01T09:00:00.000Z",
    presented_at: "2027-03-01T08:55:00.000Z",
    expires_at: "2028-03-01T09:00:00.000Z",
    ip: "203.0.113.7",
    user_agent: "Mozilla/5.0 test",
    quiz_attempt_id: passed.id,
    assignment_id: assignment.id,
  });
  expect(row.statement).toMatch(/^I have read, understood and agree/);
  expect(row.intent_label).toMatch(/sign this document electronically/);
  expect(row.auth_method).toMatch(/password re-entered/);
  expect(row.verification_code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  // The exact text is kept, so it can be shown whatever happens to the file.
  const version = await w.db.selectFrom("policy_versions").selectAll().executeTakeFirstOrThrow();
  expect(createHash("sha256").update(version.body).digest("hex")).toBe(expectedHash);
  // And the assignment is complete, with the content version recorded.
  const done = await w.db.selectFrom("assignments").selectAll().where("id", "=", assignment.id).executeTakeFirstOrThrow();
  expect(done.completed_at).toBe("2027-03-01T09:00:00.000Z");
  expect(done.completed_content_hash).toBe(w.course.contentHash);
});

test("signing twice keeps one record and returns the first", async () => {
  const first = await sign(good());
  const second = await sign(good());
  expect(first.ok && second.ok).toBe(true);
  if (first.ok && second.ok) {
    expect(second.code).toBe(first.code);
    expect(second.alreadySigned).toBe(true);
  }
  // Two submissions racing each other still produce one record.
  await w.db.transaction().execute(async () => undefined);
  expect(await w.db.selectFrom("attestations").select("id").execute()).toHaveLength(1);
});

test("two simultaneous submissions produce exactly one attestation", async () => {
  const results = await Promise.all([sign(good()), sign(good()), sign(good())]);
  const codes = new Set(results.map((r) => (r.ok ? r.code : "failed")));
  expect(codes.size).toBe(1);
  expect(await w.db.selectFrom("attestations").select("id").execute()).toHaveLength(1);
});

test("attestations cannot be updated or deleted, even directly in the database", async () => {
  await sign(good());
  await expect(sql`update attestations set printed_name = 'Someone Else'`.execute(w.db)).rejects.toThrow(/immutable/);
  await expect(sql`delete from attestations`.execute(w.db)).rejects.toThrow(/immutable/);
  await expect(sql`update quiz_attempts set score = 100`.execute(w.db)).rejects.toThrow(/immutable/);
  await expect(sql`delete from policy_versions`.execute(w.db)).rejects.toThrow(/immutable/);
  await expect(sql`delete from audit_log`.execute(w.db)).rejects.toThrow(/immutable/);
  const row = await w.db.selectFrom("attestations").select("printed_name").executeTakeFirstOrThrow();
  expect(row.printed_name).toBe("alice   ARCHER");
});

test.each([
  ["no intent", { intent: undefined }, "intent", /Tick the box/],
  ["a different name", { name: "Bob Baker" }, "name", /Alice Archer/],
  ["an empty name", { name: "   " }, "name", /Type your full name/],
  ["a wrong password", { password: "not my password" }, "password", /not correct/],
] as const)("signing with %s is refused with a message and writes nothing", async (_what, change, field, message) => {
  const result = await sign({ ...good(), ...change });
  expect(result.ok).toBe(false);
  if (!result.ok) {
    expect(result.status).toBe(400);
    expect(result.fieldErrors[field]).toMatch(message);
  }
  expect(await w.db.selectFrom("attestations").select("id").execute()).toHaveLength(0);
  const done = await w.db.selectFrom("assignments").select("completed_at").where("id", "=", assignment.id).executeTakeFirstOrThrow();
  expect(done.completed_at).toBeNull();
});

test("a forged or altered 'text shown at' token is refused", async () => {
  const token = presented();
  const forged = token.replace("08:55", "08:00");
  const result = await sign({ ...good(), presented: forged });
  expect(result.ok).toBe(false);
  expect(await w.db.selectFrom("attestations").select("id").execute()).toHaveLength(0);
});

test("the agreement cannot be signed before the quiz is passed", async () => {
  const other = await assignCourse(w, w.bob);
  await expect(
    signAttestation(
      w.db,
      { viewer: w.bob, assignment: other, course: w.course, policy: policy(), consentPolicy: null, form: { ...good(), name: "Bob Baker" }, ip: null, userAgent: null, secret: SECRET },
      w.clock,
    ),
  ).rejects.toThrow(/Pass the quiz/);
});

test("someone else's assignment cannot be signed", async () => {
  await expect(
    signAttestation(
      w.db,
      { viewer: w.bob, assignment, course: w.course, policy: policy(), consentPolicy: null, form: { ...good(), name: "Bob Baker" }, ip: null, userAgent: null, secret: SECRET },
      w.clock,
    ),
  ).rejects.toThrow(/Not found/);
  expect(await w.db.selectFrom("attestations").select("id").execute()).toHaveLength(0);
});

test("policy text edited without a new version number is refused rather than signed", async () => {
  await sign(good());
  const bobAssignment = await assignCourse(w, w.bob);
  await workThroughCourse(w.db, { user: w.bob, assignment: bobAssignment, course: w.course, catalog: w.catalog, upTo: "quiz", password: PASSWORD, secret: SECRET }, w.clock);
  const p = policy();
  const edited = { ...p, current: { ...p.current, body: p.current.body + "\nA sneaky extra clause.", sha256: "0".repeat(64) } };
  const token = presentedToken(SECRET, { assignmentId: bobAssignment.id, policyId: p.id, version: p.current.version, at: "2027-03-01T08:59:00.000Z" });
  await expect(
    signAttestation(
      w.db,
      { viewer: w.bob, assignment: bobAssignment, course: w.course, policy: edited, consentPolicy: null, form: { intent: "on", name: "Bob Baker", password: PASSWORD, presented: token }, ip: null, userAgent: null, secret: SECRET },
      w.clock,
    ),
  ).rejects.toThrow(/without a new version number/);
  expect(await w.db.selectFrom("attestations").select("id").where("user_id", "=", w.bob.id).execute()).toHaveLength(0);
});
