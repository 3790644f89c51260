// The credential-change mark end to end, through the built app: HR invites a person, the person
// sets a password with the mailed link and signs within 24 hours → the web receipt, the receipt
// PDF, the evidence pack (a signed field of the attestation), the evidence PDF and
// evidence:verify's output all say so. Signing after 24 hours, or after a reset the person asked
// for themselves, gives no mark; editing the mark in a pack (packSha256 recomputed) is named.
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import type { User } from "../../db/schema";
import { assign, makePerson, workThroughCourse } from "../../app/demo/factories.server";
import { computePackSha256 } from "../../app/evidence/canonical";
import type { EvidencePack } from "../../app/evidence/pack.server";
import { makeWorld, SECRET, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { CHOSEN_PASSWORD, setPasswordThroughLink } from "../support/credential-change";

vi.setConfig({ testTimeout: 120_000 });
const SENTENCE = "Signed within 24 hours after the password was set through an invitation that Helen Harper";

let w: World;
let server: TestServer;
let tmp: string;
let hr: string;
const people: Record<"carol" | "dan" | "erin", { user: User; code: string }> = {} as never;

async function signAt(user: User, at: string): Promise<string> {
  const assignment = await assign(w.db, { userId: user.id, course: w.course }, w.clock);
  await workThroughCourse(w.db, { user, assignment, course: w.course, catalog: w.catalog, upTo: "attested", password: CHOSEN_PASSWORD, secret: SECRET, at }, w.clock);
  return (await w.db.selectFrom("attestations").select("verification_code").where("user_id", "=", user.id).executeTakeFirstOrThrow()).verification_code;
}

beforeAll(async () => {
  w = await makeWorld("2027-03-01T09:00:00.000Z");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-mark-"));
  const make = (email: string, name: string) => makePerson(w.db, { email, name, startDate: "2027-02-01" }, w.clock);
  // Carol: invited by HR, password set at 10:00, signs at 15:00 the same day → marked.
  const carol = await make("carol@test.example", "Carol Chen");
  await setPasswordThroughLink(w.db, { user: carol, startedBy: w.hr.id, purpose: "invitation", at: "2027-03-01T10:00:00.000Z" });
  people.carol = { user: carol, code: await signAt(carol, "2027-03-01T15:00:00.000Z") };
  // Dan: invited by HR, password set at 10:00, signs 24 hours and one minute later → not marked.
  const dan = await make("dan@test.example", "Dan Diaz");
  await setPasswordThroughLink(w.db, { user: dan, startedBy: w.hr.id, purpose: "invitation", at: "2027-03-01T10:00:00.000Z" });
  people.dan = { user: dan, code: await signAt(dan, "2027-03-02T10:01:00.000Z") };
  // Erin: asked for a reset herself, set the password at 10:00, signs at 11:00 → not marked.
  const erin = await makePerson(w.db, { email: "erin@test.example", name: "Erin Evans", startDate: "2027-02-01", passwordHash: "x" }, w.clock);
  await setPasswordThroughLink(w.db, { user: erin, startedBy: null, purpose: "reset", at: "2027-03-01T10:00:00.000Z" });
  people.erin = { user: erin, code: await signAt(erin, "2027-03-01T11:00:00.000Z") };
  server = await startTestServer(w, { DATA_DIR: path.join(tmp, "data") });
  hr = await server.login("hr@test.example");
}, 120_000);

afterAll(async () => {
  await server?.close();
  await w?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const flat = (s: string) => s.replaceAll("<!-- -->", "").replace(/\s+/g, " ");
function pdfText(pdf: Uint8Array, name: string) {
  const file = path.join(tmp, `${name}.pdf`);
  fs.writeFileSync(file, pdf);
  return flat(execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" }));
}

function verifyCli(pack: unknown, name: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const file = path.join(tmp, `${name}.json`);
  fs.writeFileSync(file, typeof pack === "string" ? pack : JSON.stringify(pack, null, 2));
  return new Promise((resolve, reject) => {
    execFile("node_modules/.bin/tsx", ["scripts/evidence-verify.ts", file], { encoding: "utf8", env: { ...process.env, DATABASE_URL: "file:/nonexistent/never.sqlite" } }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") return reject(error);
      resolve({ status: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

/** HR produces the person's pack on their evidence page; both files as downloaded. */
async function produce(user: User): Promise<{ json: string; pack: EvidencePack; pdf: Uint8Array }> {
  const res = await server.post(`/hr/people/${user.id}/evidence`, {}, hr);
  expect(res.status).toBe(302);
  const html = await (await server.get(res.headers.get("location")!, hr)).text();
  const hrefs = [...html.matchAll(/href="([^"]+\.(?:json|pdf))"/g)].map((m) => m[1]);
  const json = await (await server.get(hrefs.find((h) => h.endsWith(".json"))!, hr)).text();
  const pdf = new Uint8Array(await (await server.get(hrefs.find((h) => h.endsWith(".pdf"))!, hr)).arrayBuffer());
  return { json, pack: JSON.parse(json) as EvidencePack, pdf };
}

test("signed 5 hours after setting the password through HR's invitation: marked on the page, the receipt PDF, the pack, the evidence PDF and by evidence:verify", async () => {
  const { user, code } = people.carol;
  const own = await server.login(user.email, CHOSEN_PASSWORD);
  expect(flat(await (await server.get(`/receipts/${code}`, own)).text())).toContain(`${SENTENCE} started`);
  const receiptPdf = await server.get(`/receipts/${code}/pdf`, own);
  expect(receiptPdf.status).toBe(200);
  const receiptText = pdfText(new Uint8Array(await receiptPdf.arrayBuffer()), "receipt");
  expect(receiptText).toContain("Password history");
  expect(receiptText).toContain(`${SENTENCE} started (password set`);

  const { json, pack, pdf } = await produce(user);
  const changed = await w.db.selectFrom("audit_log").select(["seq"]).where("action", "=", "person.password_changed").where("subject_id", "=", user.id).executeTakeFirstOrThrow();
  expect(pack.attestations).toHaveLength(1);
  expect(pack.attestations[0].credential_change).toEqual({
    at: "2027-03-01T10:00:00.000Z",
    kind: "invitation",
    started_by: w.hr.id,
    started_by_name: "Helen Harper",
    audit_seq: Number(changed.seq),
    within_hours: 24,
  });
  // The entry the mark is computed from is in the pack, with its inclusion proof.
  expect(pack.audit.entries.map((e) => e.seq)).toContain(Number(changed.seq));
  expect(pdfText(pdf, "evidence")).toContain(`${SENTENCE} (user ${w.hr.id}) started`);

  const verified = await verifyCli(json, "carol");
  expect(verified.stderr).toBe("");
  expect(verified.status).toBe(0);
  expect(verified.stdout).toContain(`attestation ${code}: MARKED. ${SENTENCE} (user ${w.hr.id}) started (password set 2027-03-01T10:00:00.000Z). Audit entry ${changed.seq}.`);
  expect(verified.stdout).toContain("1 credential-change mark recomputed from the audit entries and matching");
});

test("signed 24 hours and a minute after HR's invitation, or an hour after a reset the person asked for: no mark anywhere", async () => {
  for (const name of ["dan", "erin"] as const) {
    const { user, code } = people[name];
    const own = await server.login(user.email, CHOSEN_PASSWORD);
    const page = flat(await (await server.get(`/receipts/${code}`, own)).text());
    expect(page).toContain(code);
    expect(page).not.toContain("Password history");
    expect(pdfText(new Uint8Array(await (await server.get(`/receipts/${code}/pdf`, own)).arrayBuffer()), `receipt-${name}`)).not.toContain("Password history");
    const { json, pack, pdf } = await produce(user);
    expect(pack.attestations[0].credential_change).toBeNull();
    // The change itself is in the pack (so the verifier can tell it is too old, or the person's own).
    expect(pack.audit.entries.some((e) => e.action === "person.password_changed")).toBe(true);
    expect(pdfText(pdf, `evidence-${name}`)).not.toContain("Signed within 24 hours after the password was set");
    const verified = await verifyCli(json, name);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toContain(`attestation ${code}: not marked (no password change started by someone else in the 24 hours before it)`);
  }
});

test("a mark removed, added or edited in a pack, packSha256 recomputed, makes evidence:verify exit 1 naming the mark", async () => {
  const reseal = (p: EvidencePack) => ({ ...p, packSha256: computePackSha256(p as unknown as Record<string, unknown>) });
  const carol = (await produce(people.carol.user)).pack;
  const dan = (await produce(people.dan.user)).pack;
  const cases: Array<[string, EvidencePack, RegExp]> = [
    ["removed", { ...carol, attestations: [{ ...carol.attestations[0], credential_change: null }] }, /credential-change mark was removed: audit entry \d+ records a password set through an invitation started by user/],
    ["added", { ...dan, attestations: [{ ...dan.attestations[0], credential_change: { ...carol.attestations[0].credential_change! } }] }, /credential-change mark is not backed by the audit entries/],
    ["edited", { ...carol, attestations: [{ ...carol.attestations[0], credential_change: { ...carol.attestations[0].credential_change!, at: "2027-02-20T10:00:00.000Z" } }] }, /credential-change mark was altered/],
    ["dropped", { ...carol, attestations: [(({ credential_change: _m, ...t }) => t)(carol.attestations[0]) as EvidencePack["attestations"][0]] }, /has no credential-change mark/],
  ];
  for (const [name, tampered, expected] of cases) {
    const r = await verifyCli(reseal(tampered), `tampered-${name}`);
    expect(r.status, name).toBe(1);
    expect(r.stderr.split("\n")[0], name).toMatch(new RegExp(`^Evidence pack FAILED verification: attestation ${tampered.attestations[0].verification_code} ${expected.source}`));
  }
});

test("another person's receipt stays a 404, marked or not", async () => {
  const other = await server.login("alice@test.example");
  expect((await server.get(`/receipts/${people.carol.code}`, other)).status).toBe(404);
  expect((await server.get(`/receipts/${people.carol.code}/pdf`, other)).status).toBe(404);
});
