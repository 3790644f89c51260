// Evidence packs through the real app and the command line: what the JSON holds, the PDF an
// attorney reads, offline verification (and what it catches), audit of production, HR only.
// The app here runs with the onboarding course and its policy removed from the catalog, so
// everything must come from the database.
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { fixedClock } from "../../app/clock";
import { presentedToken, signAttestation } from "../../app/attestations/attestations.server";
import { formatUtc } from "../../app/pdf/format";
import { assign, makePerson, workThroughCourse } from "../../app/demo/factories.server";
import { computePackSha256 } from "../../app/evidence/canonical";
import type { EvidencePack } from "../../app/evidence/pack.server";
import { verifyPack } from "../../app/evidence/verify";
import { sha256Hex } from "../../app/hash.server";
import { deactivatePerson } from "../../app/people/people.server";
import type { Catalog } from "../../app/courses/catalog.server";
import type { User } from "../../db/schema";
import { COURSE_ID, makeWorld, PASSWORD, passwordHash, realCatalog, SECRET, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

const NOW = "2027-06-01T09:00:00.000Z";
const ALICE_SIGNED = "2027-03-10T10:05:00.000Z";

let w: World;
let frank: User;
let server: TestServer;
let hr: string;
let tmp: string;
let serverCatalog: Catalog;
const policyFile = (id: string) => fs.readFileSync(path.join("courses", "policies", id, "v1.mdx"), "utf8");

beforeAll(async () => {
  w = await makeWorld(NOW);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-evidence-"));
  const policy = w.catalog.policies.get(w.course.meta.policy!)!;

  // Alice: failed the quiz once, passed, then signed typing her name her own way.
  const a = await assign(w.db, { userId: w.alice.id, course: w.course }, fixedClock("2027-03-01T09:00:00.000Z"));
  await workThroughCourse(
    w.db,
    { user: w.alice, assignment: a, course: w.course, catalog: w.catalog, upTo: "quiz", failQuizFirst: true, password: PASSWORD, secret: SECRET, at: "2027-03-10T10:00:00.000Z" },
    w.clock,
  );
  const signed = await signAttestation(
    w.db,
    {
      viewer: w.alice,
      assignment: a,
      course: w.course,
      policy,
      consentPolicy: null,
      form: {
        intent: "on",
        name: "alice archer",
        password: PASSWORD,
        presented: presentedToken(SECRET, { assignmentId: a.id, policyId: policy.id, version: policy.current.version, at: "2027-03-10T10:01:00.000Z" }),
      },
      ip: "203.0.113.7",
      userAgent: "Mozilla/5.0 (Evidence test)",
      secret: SECRET,
    },
    fixedClock(ALICE_SIGNED),
  );
  expect(signed.ok).toBe(true);

  // Frank: trained and signed, then the exit acknowledgement, then left.
  frank = await makePerson(
    w.db,
    { email: "frank@test.example", name: "Frank Fischer", startDate: "2026-01-05", employeeId: "E777", department: "Research", managerId: w.manager.id, passwordHash: await passwordHash() },
    fixedClock("2026-01-05T09:00:00.000Z"),
  );
  const f1 = await assign(w.db, { userId: frank.id, course: w.course }, fixedClock("2027-02-01T09:00:00.000Z"));
  await workThroughCourse(w.db, { user: frank, assignment: f1, course: w.course, catalog: w.catalog, upTo: "attested", password: PASSWORD, secret: SECRET, at: "2027-02-10T09:00:00.000Z" }, w.clock);
  const exit = w.catalog.courses.get("exit-acknowledgement")!;
  const f2 = await assign(w.db, { userId: frank.id, course: exit, cycle: "leaving-2027-04-30", reason: "leaving", dueAt: "2027-04-30T23:59:59.000Z" }, fixedClock("2027-04-20T09:00:00.000Z"));
  await workThroughCourse(w.db, { user: frank, assignment: f2, course: exit, catalog: w.catalog, upTo: "attested", password: PASSWORD, secret: SECRET, at: "2027-04-25T09:00:00.000Z" }, w.clock);
  await w.db.updateTable("users").set({ end_date: "2027-04-30" }).where("id", "=", frank.id).execute();
  await w.db.transaction().execute((trx) => deactivatePerson(trx, { userId: frank.id, actorId: null, reason: "Left on 2027-04-30" }, fixedClock("2027-05-01T00:00:00.000Z")));

  // The onboarding course and its policy are then taken out of the catalog.
  const real = realCatalog();
  serverCatalog = {
    ...real,
    courses: new Map([...real.courses].filter(([id]) => id !== COURSE_ID)),
    policies: new Map([...real.policies].filter(([id]) => id !== policy.id)),
  };
  server = await startTestServer({ db: w.db, catalog: serverCatalog, clock: w.clock });
  hr = await server.login("hr@test.example");
});
afterAll(async () => {
  await server?.close();
  await w?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function maxSeq() {
  const row = await w.db.selectFrom("audit_log").select((eb) => eb.fn.max("seq").as("seq")).executeTakeFirstOrThrow();
  return Number(row.seq);
}

async function packOf(user: User) {
  const res = await server.post(`/hr/people/${user.id}/evidence.json`, {}, hr);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { res, text, pack: JSON.parse(text) as EvidencePack };
}

function writePack(name: string, pack: unknown) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, JSON.stringify(pack, null, 2));
  return file;
}

/** Runs a command without blocking the event loop (the test server lives in this process). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") return reject(error);
      resolve({ status: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

/** The verifier, with a database URL that could not be opened: it must not need one. */
function verifyCli(file: string) {
  return run("node_modules/.bin/tsx", ["scripts/evidence-verify.ts", file], { ...process.env, DATABASE_URL: "file:/nonexistent/dir/never.sqlite" });
}

function writeTmp(name: string, bytes: Uint8Array) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** The PDF's text as a reader sees it, whitespace collapsed. */
function pdfText(bytes: Uint8Array, name: string) {
  return execFileSync("pdftotext", ["-enc", "UTF-8", writeTmp(name, bytes), "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
}

test("the JSON pack holds the person, every cycle with its attempts, each attestation with the full text signed, and the audit entries that cover them", async () => {
  const headBefore = await maxSeq();
  const { res, pack } = await packOf(w.alice);
  expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
  expect(res.headers.get("content-disposition")).toBe('attachment; filename="evidence-alice@test.example-2027-06-01.json"');

  expect(pack).toMatchObject({ format: "confidant-evidence-pack", formatVersion: 3, generatedAt: NOW, generatedBy: { via: "web", id: w.hr.id, email: "hr@test.example" } });
  expect(pack.person).toMatchObject({ id: w.alice.id, name: "Alice Archer", email: "alice@test.example", status: "active", type: "employee", start_date: "2027-02-20", manager: { id: w.manager.id, email: "manager@test.example", name: "Mark Mendes" } });
  expect(pack.person).not.toHaveProperty("password_hash");

  expect(pack.cycles).toHaveLength(1);
  const [cycle] = pack.cycles;
  expect(cycle).toMatchObject({ course_id: COURSE_ID, course_title: w.course.meta.title, cycle: "onboarding", reason: "onboarding", assigned_at: "2027-03-01T09:00:00.000Z", due_at: "2027-03-31T09:00:00.000Z", completed_at: ALICE_SIGNED, status: "completed", on_time: true });
  expect(cycle.modules_completed).toHaveLength(w.course.modules.length);
  // Both attempts were made in the same second; the failed one and the passing one.
  expect(cycle.quiz_attempts.map((q) => [q.passed, q.submitted_at]).sort()).toEqual([
    [0, "2027-03-10T10:00:00.000Z"],
    [1, "2027-03-10T10:00:00.000Z"],
  ]);
  const passed = cycle.quiz_attempts.find((q) => q.passed === 1)!;
  expect(passed.score).toBe(100);

  expect(pack.attestations).toHaveLength(1);
  const [t] = pack.attestations;
  const stored = await w.db.selectFrom("attestations").selectAll().where("user_id", "=", w.alice.id).executeTakeFirstOrThrow();
  expect(t).toMatchObject(stored);
  expect(t).toMatchObject({ printed_name: "alice archer", profile_name: "Alice Archer", signed_at: ALICE_SIGNED, presented_at: "2027-03-10T10:01:00.000Z", ip: "203.0.113.7", user_agent: "Mozilla/5.0 (Evidence test)", quiz_attempt_id: passed.id, expires_at: "2028-03-10T10:05:00.000Z" });
  expect(t.statement).toMatch(/^I have read, understood and agree/);
  expect(t.intent_label).toMatch(/sign this document electronically/);
  expect(t.auth_method).toMatch(/password re-entered/);
  expect(cycle.attestation_ids).toEqual([t.id]);
  // The full text signed, from policy_versions, although the policy has left the catalog.
  expect(serverCatalog.policies.has(t.policy_id)).toBe(false);
  expect(t.policy_text?.body).toBe(policyFile("confidentiality-agreement"));
  expect(sha256Hex(t.policy_text!.body)).toBe(t.text_sha256);

  const actions = pack.audit.entries.map((e) => e.action);
  for (const action of ["person.created", "assignment.issued", "quiz.attempted", "attestation.signed", "assignment.completed"]) expect(actions).toContain(action);
  const subjects = new Set([w.alice.id, cycle.id, ...cycle.quiz_attempts.map((q) => q.id), t.id]);
  expect(pack.audit.entries.every((e) => subjects.has(e.subject_id!))).toBe(true);
  const rows = await w.db.selectFrom("audit_log").selectAll().where("subject_id", "in", [...subjects]).where("seq", "<=", headBefore).orderBy("seq").execute();
  expect(pack.audit.entries).toEqual(rows.map((r) => ({ ...r, seq: Number(r.seq) })));
  const head = await w.db.selectFrom("audit_log").select(["seq", "hash"]).where("seq", "=", headBefore).executeTakeFirstOrThrow();
  expect(pack.audit.head).toEqual({ seq: headBefore, hash: head.hash });

  expect(pack.packSha256).toBe(computePackSha256(pack as unknown as Record<string, unknown>));
});

test("producing a pack is itself recorded in the audit log, with who, whose and the SHA-256 of what was handed over", async () => {
  const { text, pack } = await packOf(w.alice);
  const [entry] = await w.db.selectFrom("audit_log").selectAll().orderBy("seq", "desc").limit(1).execute();
  expect(entry).toMatchObject({ action: "evidence.produced", actor_id: w.hr.id, subject_type: "user", subject_id: w.alice.id, at: NOW });
  expect(JSON.parse(entry.data_json)).toMatchObject({ email: "alice@test.example", via: "web", formats: ["json"], packSha256: pack.packSha256, jsonSha256: sha256Hex(text), chainHead: pack.audit.head });

  const res = await server.post(`/hr/people/${w.alice.id}/evidence.pdf`, {}, hr);
  const pdf = new Uint8Array(await res.arrayBuffer());
  const [pdfEntry] = await w.db.selectFrom("audit_log").selectAll().orderBy("seq", "desc").limit(1).execute();
  expect(pdfEntry).toMatchObject({ action: "evidence.produced", actor_id: w.hr.id, subject_id: w.alice.id });
  expect(JSON.parse(pdfEntry.data_json)).toMatchObject({ formats: ["pdf"], pdfSha256: sha256Hex(pdf) });

  // The next pack includes the earlier productions: they are about this person.
  const later = (await packOf(w.alice)).pack;
  expect(later.audit.entries.filter((e) => e.action === "evidence.produced").length).toBeGreaterThanOrEqual(2);
});

test("npm run evidence:verify exits 0 on a fresh pack, without a database, and says what it checked", async () => {
  const { text } = await packOf(w.alice);
  const file = path.join(tmp, "fresh.json");
  fs.writeFileSync(file, text);
  const result = await verifyCli(file);
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  expect(result.stdout).toContain("Evidence pack verified: Alice Archer <alice@test.example>");
  expect(result.stdout).toMatch(/audit entries: each hash recomputed and matching/);
  expect(result.stdout).toMatch(/1 signed text: SHA-256 of the text in the pack matches the signature/);
  expect(result.stdout).toMatch(/matched by its "attestation.signed" audit entry/);
  expect(result.stdout).toMatch(/packSha256 [0-9a-f]{64} matches/);
});

test.each([
  [
    "the policy text is edited",
    (p: EvidencePack) => {
      p.attestations[0].policy_text!.body = p.attestations[0].policy_text!.body.replace("confidential", "public");
    },
    (p: EvidencePack) => new RegExp(`attestation ${p.attestations[0].verification_code} text was altered: SHA-256 differs`),
  ],
  [
    "an audit entry's data is edited",
    (p: EvidencePack) => {
      const e = p.audit.entries.find((x) => x.action === "attestation.signed")!;
      e.data_json = e.data_json.replace("203.0.113.7", "198.51.100.1");
    },
    (p: EvidencePack) => new RegExp(`audit entry ${p.audit.entries.find((x) => x.action === "attestation.signed")!.seq} \\(attestation.signed\\) was altered: its hash differs`),
  ],
  [
    "an attestation is removed",
    (p: EvidencePack) => {
      p.attestations = [];
      p.cycles[0].attestation_ids = [];
    },
    () => /the pack was altered after it was produced: packSha256 differs/,
  ],
  [
    "the signed time is changed",
    (p: EvidencePack) => {
      p.attestations[0].signed_at = "2027-03-09T10:05:00.000Z";
    },
    (p: EvidencePack) => new RegExp(`attestation ${p.attestations[0].verification_code} signed time was altered: the pack says 2027-03-09T10:05:00.000Z, audit entry \\d+ recorded ${ALICE_SIGNED}`),
  ],
])("npm run evidence:verify exits 1 naming the problem when %s", async (name, tamper, message) => {
  const { pack } = await packOf(w.alice);
  const expected = message(pack);
  tamper(pack);
  const result = await verifyCli(writePack(`${name.replace(/\W+/g, "-")}.json`, pack));
  expect(result.status).toBe(1);
  const firstLine = result.stderr.split("\n")[0];
  expect(firstLine).toMatch(/^Evidence pack FAILED verification: /);
  expect(firstLine).toMatch(expected);
  expect(result.stderr).not.toMatch(/\n\s+at |node:internal|\.ts:\d+/);
  expect(result.stdout).toBe("");
});

test("recomputing packSha256 after tampering does not hide it", async () => {
  const reseal = (p: EvidencePack) => ({ ...p, packSha256: computePackSha256(p as unknown as Record<string, unknown>) });

  const removed = (await packOf(w.alice)).pack;
  const code = removed.attestations[0].verification_code;
  removed.attestations = [];
  const r1 = verifyPack(reseal(removed));
  expect(r1.ok).toBe(false);
  expect(r1.failures[0]).toMatch(new RegExp(`audit entry \\d+ \\(attestation.signed\\) records attestation ${code}, which is missing from the pack`));

  const retimed = (await packOf(w.alice)).pack;
  retimed.attestations[0].signed_at = "2027-03-01T08:00:00.000Z";
  expect(verifyPack(reseal(retimed)).failures[0]).toMatch(/signed time was altered/);

  // Editing an entry and re-hashing it breaks the link to the next entry instead.
  const rehashed = (await packOf(w.alice)).pack;
  const entries = rehashed.audit.entries;
  const i = entries.findIndex((e, k) => k + 1 < entries.length && entries[k + 1].seq === e.seq + 1);
  expect(i).toBeGreaterThanOrEqual(0);
  const { entryHash } = await import("../../app/audit/audit.server");
  entries[i].data_json = entries[i].data_json.replace(/}$/, ',"forged":true}');
  entries[i].hash = entryHash(entries[i]);
  const r3 = verifyPack(reseal(rehashed));
  expect(r3.failures[0]).toBe(`audit entry ${entries[i + 1].seq} does not follow entry ${entries[i].seq} (previous hash differs)`);

  expect(verifyPack({ hello: "world" }).failures[0]).toMatch(/not an evidence pack/);
});

test("the PDF is a valid PDF an attorney can read: the person, the cycles, and each signature with its time, meaning and text hash", async () => {
  const res = await server.post(`/hr/people/${w.alice.id}/evidence.pdf`, {}, hr);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/pdf");
  expect(res.headers.get("content-disposition")).toBe('attachment; filename="evidence-alice@test.example-2027-06-01.pdf"');
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect(Buffer.from(bytes.slice(0, 5)).toString()).toBe("%PDF-");
  const info = execFileSync("pdfinfo", [writeTmp("alice.pdf", bytes)], { encoding: "utf8" });
  expect(Number(/Pages:\s+(\d+)/.exec(info)![1])).toBeGreaterThanOrEqual(4);

  const text = pdfText(bytes, "alice.pdf");
  const t = await w.db.selectFrom("attestations").selectAll().where("user_id", "=", w.alice.id).executeTakeFirstOrThrow();
  for (const expected of [
    "Evidence pack",
    "Alice Archer",
    "alice@test.example",
    "Training cycles",
    w.course.meta.title,
    "Attestation receipt",
    "alice archer", // the printed name as typed
    formatUtc(ALICE_SIGNED),
    "10 March 2027, 10:05:00 UTC",
    t.statement.replace(/\s+/g, " "),
    t.text_sha256,
    t.verification_code,
    "203.0.113.7",
    "Quiz attempt 1",
    "not passed",
    "npm run evidence:verify",
  ]) {
    expect(text, expected).toContain(expected);
  }
  // The full text signed follows the receipt.
  expect(text).toContain("Text signed (version 1");
});

test("a person who has left gets a complete pack: both cycles, both signatures, their status", async () => {
  const { pack, text } = await packOf(frank);
  expect(pack.person).toMatchObject({ name: "Frank Fischer", status: "inactive", end_date: "2027-04-30", employee_id: "E777", department: "Research" });
  expect(pack.cycles.map((c) => [c.course_id, c.status, c.on_time])).toEqual([
    [COURSE_ID, "completed", true],
    ["exit-acknowledgement", "completed", true],
  ]);
  expect(pack.attestations.map((t) => t.policy_id)).toEqual(["confidentiality-agreement", "exit-acknowledgement"]);
  expect(pack.attestations[1].policy_text?.body).toBe(policyFile("exit-acknowledgement"));
  expect(pack.audit.entries.map((e) => e.action)).toContain("person.deactivated");
  expect(verifyPack(JSON.parse(text))).toMatchObject({ ok: true, failures: [] });

  const res = await server.post(`/hr/people/${frank.id}/evidence.pdf`, {}, hr);
  expect(res.status).toBe(200);
  const pdf = pdfText(new Uint8Array(await res.arrayBuffer()), "frank.pdf");
  expect(pdf).toContain("Frank Fischer");
  expect(pdf).toMatch(/Inactive \(has left/);
  expect(pdf).toContain("30 April 2027");
  for (const t of pack.attestations) {
    expect(pdf).toContain(t.verification_code);
    expect(pdf).toContain(t.text_sha256);
    expect(pdf).toContain(t.statement.replace(/\s+/g, " "));
    expect(pdf).toContain(formatUtc(t.signed_at));
  }
});

test("only HR can see the evidence page or produce a pack; everyone else is told it does not exist", async () => {
  const before = await maxSeq();
  for (const email of ["alice@test.example", "manager@test.example"]) {
    const cookie = await server.login(email);
    for (const target of [w.alice, frank]) {
      for (const suffix of ["", ".pdf", ".json"]) {
        const res = await server.get(`/hr/people/${target.id}/evidence${suffix}`, cookie);
        expect(res.status, `${email} ${suffix}`).toBe(404);
        const body = await res.text();
        expect(body).not.toContain("Frank Fischer");
        expect(body).not.toContain("%PDF");
      }
    }
  }
  for (const suffix of ["", ".pdf", ".json"]) {
    const res = await server.get(`/hr/people/${frank.id}/evidence${suffix}`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/login/);
    expect((await server.get(`/hr/people/usr_nobody/evidence${suffix}`, hr)).status).toBe(404);
  }
  // Sign-ins are audited; no pack was produced.
  const since = await w.db.selectFrom("audit_log").select("action").where("seq", ">", before).execute();
  expect(since.map((e) => e.action)).not.toContain("evidence.produced");
});

test("HR's evidence page names the person and offers both downloads", async () => {
  const res = await server.get(`/hr/people/${frank.id}/evidence`, hr);
  expect(res.status).toBe(200);
  const html = (await res.text()).replaceAll("<!-- -->", "");
  expect(html).toContain("Frank Fischer");
  expect(html).toContain("Inactive (has left)");
  expect(html).toContain("2 training cycles, 2 signed agreements");
  // Both downloads come from one production: produce, then the pack's page offers the two files.
  expect(html).toMatch(/<form method="post"[^>]*>/);
  const produced = await server.post(`/hr/people/${frank.id}/evidence`, {}, hr);
  expect(produced.status).toBe(302);
  const packPage = produced.headers.get("location")!;
  expect(packPage).toMatch(new RegExp(`^/hr/people/${frank.id}/evidence/evp_[a-z2-7]{24}$`));
  const page = (await (await server.get(packPage, hr)).text()).replaceAll("<!-- -->", "");
  expect(page).toContain(`href="${packPage}/evidence-frank@test.example-2027-06-01.pdf"`);
  expect(page).toContain(`href="${packPage}/evidence-frank@test.example-2027-06-01.json"`);
});

test("npm run evidence writes the PDF and JSON for a person by email, prints the verify command, and is audited", async () => {
  const out = path.join(tmp, "cli");
  const env = { ...process.env, DATABASE_URL: w.url, APP_SECRET: SECRET, LOG_LEVEL: "silent" };
  const cli = await run("node_modules/.bin/tsx", ["scripts/evidence.ts", "--email", "FRANK@test.example", "--out", out, "--now", NOW], env);
  expect(cli.stderr).toBe("");
  expect(cli.status).toBe(0);
  const json = path.join(out, "evidence-frank@test.example-2027-06-01.json");
  const pdf = path.join(out, "evidence-frank@test.example-2027-06-01.pdf");
  expect(fs.readFileSync(pdf).subarray(0, 5).toString()).toBe("%PDF-");
  expect(cli.stdout).toContain(`npm run evidence:verify -- ${json}`);
  expect(cli.stdout).toContain("Frank Fischer");

  const verified = await verifyCli(json);
  expect(verified.status).toBe(0);
  const pack = JSON.parse(fs.readFileSync(json, "utf8")) as EvidencePack;
  expect(pack.generatedBy.via).toBe("command line");

  const [entry] = await w.db.selectFrom("audit_log").selectAll().orderBy("seq", "desc").limit(1).execute();
  expect(entry).toMatchObject({ action: "evidence.produced", actor_id: null, subject_id: frank.id });
  expect(JSON.parse(entry.data_json)).toMatchObject({
    via: "command line",
    formats: ["json", "pdf"],
    packSha256: pack.packSha256,
    jsonSha256: sha256Hex(fs.readFileSync(json, "utf8")),
    pdfSha256: sha256Hex(new Uint8Array(fs.readFileSync(pdf))),
  });

  const unknown = await run("node_modules/.bin/tsx", ["scripts/evidence.ts", "--email", "nobody@test.example", "--out", out], env);
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toContain("There is nobody with the email nobody@test.example.");
}, 120_000); // three command-line runs, each a fresh tsx process that signs a PDF
