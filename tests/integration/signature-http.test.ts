// The signature record through the real app over HTTP: the consent step before the first
// signature, a forged POST skipping it, the minimum reading time, "I do not agree" shown to HR,
// the signature after it, and HR's paper originals (upload refusals, who may download the scan).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Catalog } from "../../app/courses/catalog.server";
import { sha256Hex } from "../../app/hash.server";
import type { Assignment } from "../../db/schema";
import { makeWorld, PASSWORD, COURSE_ID, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { PDF_SCAN, readyToSign } from "../support/signature";

const T0 = Date.parse("2027-03-01T09:00:00.000Z");
let now = T0;
let w: World;
let server: TestServer;
let alice: string;
let hr: string;
let manager: string;
let bob: string;
let bobAssignment: Assignment;

beforeAll(async () => {
  w = await makeWorld();
  // The agreement asks for a minute on its text.
  const policies = new Map(w.catalog.policies);
  const agreement = policies.get("confidentiality-agreement")!;
  policies.set(agreement.id, { ...agreement, minimumReadingSeconds: 60 });
  const catalog: Catalog = { ...w.catalog, policies };
  await readyToSign(w.db, { user: w.alice, course: w.course, catalog, at: new Date(T0).toISOString() });
  bobAssignment = await readyToSign(w.db, { user: w.bob, course: w.course, catalog, at: new Date(T0).toISOString() });
  server = await startTestServer({ db: w.db, catalog, clock: () => new Date(now) });
  [alice, hr, manager, bob] = await Promise.all(["alice@test.example", "hr@test.example", "manager@test.example", "bob@test.example"].map((e) => server.login(e)));
});
afterAll(async () => {
  await server?.close();
  await w?.close();
});

const ATTEST = `/courses/${COURSE_ID}/attest`;

async function page(pathname: string, cookie: string) {
  const res = await server.get(pathname, cookie);
  return { status: res.status, html: (await res.text()).replaceAll("<!-- -->", "").replaceAll("&quot;", '"').replaceAll("&#x27;", "'") };
}
const presentedIn = (html: string) => /name="presented" value="([^"]+)"/.exec(html)![1];
const attestations = () => w.db.selectFrom("attestations").selectAll().where("user_id", "=", w.alice.id).orderBy("signed_at").execute();

test("consent first, then the minimum reading time, then 'I do not agree' (HR sees it), then the signature", async () => {
  // 1. The first visit shows the consent disclosure, not the agreement.
  const first = await page(ATTEST, alice);
  expect(first.status).toBe(200);
  expect(first.html).toContain("Consent to Electronic Records and Signatures");
  expect(first.html).toContain("Your right to paper");
  expect(first.html).not.toContain(">Sign the agreement</button>");
  expect(first.html).toContain(">I agree to use electronic records</button>");
  const consentToken = presentedIn(first.html);

  // A forged POST that signs without consent is refused and writes nothing.
  const forged = await server.post(ATTEST, { intent: "on", name: "Alice Archer", password: PASSWORD, presented: consentToken }, alice);
  expect(forged.status).toBe(409);
  expect(await attestations()).toEqual([]);

  now = T0 + 20_000;
  const given = await server.post(ATTEST, { _action: "consent", consent: "on", name: "alice archer", presented: consentToken }, alice);
  expect(given.status).toBe(302);
  expect(given.headers.get("location")).toBe(ATTEST);
  const consents = await w.db.selectFrom("electronic_consents").selectAll().execute();
  expect(consents).toHaveLength(1);
  expect(consents[0].session_sha256).toMatch(/^[0-9a-f]{64}$/);

  // 2. Now the agreement, with the reading-time notice; signing 10 seconds later is refused.
  now = T0 + 30_000;
  const second = await page(ATTEST, alice);
  expect(second.html).toContain(">Sign the agreement</button>");
  expect(second.html).toContain(">I do not agree</button>");
  expect(second.html).toContain("Please spend at least 60 seconds on it");
  const token = presentedIn(second.html);
  now = T0 + 40_000;
  const early = await server.post(ATTEST, { intent: "on", name: "Alice Archer", password: PASSWORD, presented: token }, alice);
  expect(early.status).toBe(400);
  expect((await early.text()).replaceAll("<!-- -->", "")).toContain("it was shown to you 10 seconds ago. You can sign in 50 seconds.");
  expect(await attestations()).toEqual([]);

  // 3. "I do not agree", with a reason.
  const declined = await server.post(ATTEST, { _action: "decline", reason: "Clause 7 is too broad.", presented: token }, alice);
  expect(declined.status).toBe(302);
  const receiptPath = declined.headers.get("location")!;
  const receipt = await page(receiptPath, alice);
  expect(receipt.html).toContain("Declined (“I do not agree”) by");
  expect(receipt.html).toContain("Clause 7 is too broad.");

  const dashboard = await page("/hr", hr);
  expect(dashboard.html).toContain("Declined to sign (1)");
  expect(dashboard.html).toContain("Clause 7 is too broad.");
  const record = await page(`/hr/people/${w.alice.id}`, hr);
  expect(record.html).toContain("Declined");
  expect(record.html).toContain("Clause 7 is too broad.");
  const mail = await w.db.selectFrom("notifications").select(["to_email", "kind"]).where("kind", "=", "declined").execute();
  expect(mail).toEqual([{ to_email: "hr@test.example", kind: "declined" }]);
  // Nobody but HR sees the dashboard.
  expect((await server.get("/hr", alice)).status).toBe(404);
  // Overdue later: the overdue list says she declined (a fresh sign-in, that day).
  now = Date.parse("2027-04-15T09:00:00.000Z");
  const overdue = await page("/hr/overdue", await server.login("hr@test.example"));
  expect(overdue.html).toContain("Alice Archer");
  expect(overdue.html).toContain("Declined to sign");
  now = T0 + 120_000;

  // 4. She signs after all: both records stay, the newest decides.
  const signed = await server.post(ATTEST, { intent: "on", name: "Alice Archer", password: PASSWORD, presented: token }, alice);
  expect(signed.status).toBe(302);
  const rows = await attestations();
  expect(rows.map((r) => r.outcome)).toEqual(["declined", "signed"]);
  expect(rows[1]).toMatchObject({ consent_id: consents[0].id, auth_strength: "password_reentered", locale: "en", session_sha256: consents[0].session_sha256 });
  const signedReceipt = await page(signed.headers.get("location")!, alice);
  expect(signedReceipt.html).toContain("Consent to electronic records");
  expect(signedReceipt.html).toContain("Password re-entered at signing");
  expect(signedReceipt.html).toMatch(/Time on the text<\/dt><dd>\d+ seconds/);
  expect((await page("/hr", hr)).html).not.toContain("Declined to sign (");
  now = T0;
});

/** A multipart upload as the browser sends it. */
function upload(cookie: string, fields: Record<string, string>, file: { bytes: Uint8Array; name: string; type: string } | null, personId = w.bob.id) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append("scan", new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  return fetch(`${server.url}/hr/people/${personId}/paper`, { method: "POST", body: form, redirect: "manual", headers: { Origin: server.url, Cookie: cookie } });
}
const paperFields = () => ({ assignment: bobAssignment.id, version: "1", signedOn: "2027-02-28", reason: "Bob asked for paper." });
const stored = async () => ({
  attestations: (await w.db.selectFrom("attestations").select("id").where("user_id", "=", w.bob.id).execute()).length,
  scans: (await w.db.selectFrom("paper_scans").select("sha256").execute()).length,
});

test.each([
  ["a 20 MB file", () => paperFields(), { bytes: new Uint8Array(20 * 1024 * 1024).fill(0x25), name: "signed.pdf", type: "application/pdf" }, 413, "larger than 10 MB"],
  ["an executable renamed .pdf", () => paperFields(), { bytes: new Uint8Array(fs.readFileSync(process.execPath).subarray(0, 4096)), name: "signed.pdf", type: "application/pdf" }, 400, "is not a PDF, PNG or JPEG file"],
  ["no reason", () => ({ ...paperFields(), reason: "" }), { bytes: PDF_SCAN, name: "signed.pdf", type: "application/pdf" }, 400, "Say why this is recorded from paper."],
] as const)("HR uploading a paper signature with %s is refused with a clear message and nothing is stored", async (_what, fields, file, status, message) => {
  const res = await upload(hr, fields(), file);
  expect(res.status).toBe(status);
  expect((await res.text()).replaceAll("<!-- -->", "").replaceAll("&#x27;", "'")).toContain(message);
  expect(await stored()).toEqual({ attestations: 0, scans: 0 });
});

test("only HR may record a paper signature or download its scan; the receipt and PDF say it was recorded from paper", async () => {
  for (const cookie of [manager, bob]) {
    expect((await upload(cookie, paperFields(), { bytes: PDF_SCAN, name: "signed.pdf", type: "application/pdf" })).status).toBe(404);
    expect((await server.get(`/hr/people/${w.bob.id}/paper`, cookie)).status).toBe(404);
  }
  expect(await stored()).toEqual({ attestations: 0, scans: 0 });

  const form = await page(`/hr/people/${w.bob.id}/paper`, hr);
  expect(form.status).toBe(200);
  expect(form.html).toContain("Record a paper signature");
  const res = await upload(hr, paperFields(), { bytes: PDF_SCAN, name: "scan.pdf", type: "application/pdf" });
  expect(res.status).toBe(302);
  const row = await w.db.selectFrom("attestations").selectAll().where("user_id", "=", w.bob.id).executeTakeFirstOrThrow();
  expect(row).toMatchObject({ recorded_by: w.hr.id, on_behalf_reason: "Bob asked for paper.", paper_signed_on: "2027-02-28", scan_sha256: sha256Hex(PDF_SCAN) });

  const scan = await server.get(`/hr/scans/${row.verification_code}`, hr);
  expect(scan.status).toBe(200);
  expect(scan.headers.get("content-type")).toBe("application/pdf");
  expect(new Uint8Array(await scan.arrayBuffer())).toEqual(PDF_SCAN);
  for (const cookie of [manager, bob, alice]) expect((await server.get(`/hr/scans/${row.verification_code}`, cookie)).status).toBe(404);

  const receipt = await page(`/receipts/${row.verification_code}`, bob);
  expect(receipt.html).toContain("recorded by HR from a paper original");
  expect(receipt.html).toContain(sha256Hex(PDF_SCAN));
  const record = await page(`/hr/people/${w.bob.id}`, hr);
  expect(record.html).toContain("recorded by HR from a paper original dated 2027-02-28, by Helen Harper");

  const pdf = new Uint8Array(await (await server.get(`/receipts/${row.verification_code}/pdf`, bob)).arrayBuffer());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-paper-"));
  fs.writeFileSync(path.join(dir, "r.pdf"), pdf);
  const text = execFileSync("pdftotext", ["-enc", "UTF-8", path.join(dir, "r.pdf"), "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
  fs.rmSync(dir, { recursive: true, force: true });
  expect(text).toContain("Recorded by HR from a paper original, by Helen Harper. Reason: Bob asked for paper.");
  expect(text).toContain("Date on the paper 2027-02-28");
});
