// The complete signature record on SQLite: consent to electronic records (asked once, again after
// a material change), "I do not agree" kept beside a later signature, paper originals recorded by
// HR, the signing context on every row, and a per-policy minimum reading time enforced on the server.
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { currentConsentId } from "../../app/attestations/consent.server";
import { TEMPLATE_VERSION, sessionFingerprint } from "../../app/attestations/signing-context.server";
import { getReceipt } from "../../app/attestations/attestations.server";
import { computePackSha256 } from "../../app/evidence/canonical";
import { produceEvidence, type EvidencePack } from "../../app/evidence/pack.server";
import { renderEvidencePdf } from "../../app/evidence/pdf.server";
import { verifyPack } from "../../app/evidence/verify";
import { sha256Hex } from "../../app/hash.server";
import { listStandingDeclines } from "../../app/reports/declines.server";
import type { Policy } from "../../app/courses/catalog.server";
import { assign } from "../../app/demo/factories.server";
import { fixedClock } from "../../app/clock";
import { makeWorld, type World } from "../support/world";
import { agreementOf, consent, consentPolicy, decline, readyToSign, recordPaper, sign, signingInput } from "../support/signature";
import { testSigner } from "../support/signing";
import { checkpointNow } from "../../app/evidence/anchor.server";
import { testAnchors } from "../support/anchors";

let w: World;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.close();
});

const T0 = "2027-03-01T09:00:00.000Z";
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

function withNewVersion(p: Policy, material: boolean): Policy {
  const body = `${p.current.body}\n\nA further paragraph.\n`;
  const v2 = { ...p.current, version: p.current.version + 1, material, body, sha256: sha256Hex(body), changes: "Changed." };
  return { ...p, versions: [...p.versions, v2], current: v2 };
}

test("consent to electronic records is asked once before the first signature, and linked from it", async () => {
  const cp = consentPolicy(w.catalog);
  const policy = agreementOf(w.catalog, w.course);
  const assignment = await readyToSign(w.db, { user: w.alice, course: w.course, catalog: w.catalog, at: T0 });
  const input = signingInput({ user: w.alice, assignment, course: w.course, policy, consent: cp, shownAt: at(1) });

  // A POST that skips the consent step is refused and writes nothing.
  const skipped = await sign(w.db, input, at(5));
  expect(skipped).toMatchObject({ ok: false, status: 409 });
  expect(skipped.ok ? "" : skipped.formError).toMatch(/consent to electronic records/);
  expect(await w.db.selectFrom("attestations").select("id").execute()).toHaveLength(0);

  expect((await consent(w.db, { user: w.alice, policy: cp, shownAt: at(1), at: at(2) })).ok).toBe(true);
  const given = await w.db.selectFrom("electronic_consents").selectAll().execute();
  expect(given).toHaveLength(1);
  expect(given[0]).toMatchObject({
    user_id: w.alice.id,
    policy_id: "electronic-records-consent",
    policy_version: 1,
    text_sha256: cp.current.sha256,
    printed_name: "Alice Archer",
    presented_at: at(1),
    consented_at: at(2),
    locale: "en",
    template_version: TEMPLATE_VERSION,
    session_sha256: sessionFingerprint("sess-1"),
  });
  // The disclosure text itself is kept, as for any policy.
  const text = await w.db.selectFrom("policy_versions").selectAll().where("policy_id", "=", cp.id).executeTakeFirstOrThrow();
  expect(sha256Hex(text.body)).toBe(cp.current.sha256);
  expect(text.body).toMatch(/right to paper/i);
  expect(text.body).toMatch(/withdraw/i);

  // Asked once: giving it again records nothing new.
  expect(await consent(w.db, { user: w.alice, policy: cp, shownAt: at(3), at: at(3) })).toEqual({ ok: true, id: given[0].id });
  expect(await w.db.selectFrom("electronic_consents").select("id").execute()).toHaveLength(1);

  const signed = await sign(w.db, input, at(5));
  expect(signed).toMatchObject({ ok: true, alreadySigned: false });
  const row = await w.db.selectFrom("attestations").selectAll().executeTakeFirstOrThrow();
  expect(row).toMatchObject({
    outcome: "signed",
    consent_id: given[0].id,
    locale: "en",
    template_version: TEMPLATE_VERSION,
    session_sha256: sessionFingerprint("sess-1"),
    auth_strength: "password_reentered",
    seconds_on_text: 240,
    presented_at: at(1),
    signed_at: at(5),
  });
  expect(row.session_sha256).not.toContain("sess-1");
});

test("consent with no tick or a wrong name is refused and records nothing", async () => {
  const cp = consentPolicy(w.catalog);
  const { consentPresentedToken, giveConsent } = await import("../../app/attestations/consent.server");
  const presented = consentPresentedToken("test-secret-0123456789abcdef0123456789abcdef", { userId: w.alice.id, policy: cp, at: at(0) });
  const base = { viewer: w.alice, policy: cp, ip: null, userAgent: null, sessionId: null, secret: "test-secret-0123456789abcdef0123456789abcdef" };
  const noTick = await giveConsent(w.db, { ...base, form: { name: "Alice Archer", presented } }, w.clock);
  expect(noTick).toMatchObject({ ok: false, status: 400, fieldErrors: { consent: expect.stringMatching(/Tick the box/) } });
  const wrongName = await giveConsent(w.db, { ...base, form: { consent: "on", name: "Bob Baker", presented } }, w.clock);
  expect(wrongName).toMatchObject({ ok: false, status: 400, fieldErrors: { name: expect.stringMatching(/Alice Archer/) } });
  expect(await w.db.selectFrom("electronic_consents").select("id").execute()).toHaveLength(0);
});

test("a material change of the consent text asks again; a minor one does not", async () => {
  const cp = consentPolicy(w.catalog);
  await consent(w.db, { user: w.alice, policy: cp, shownAt: at(0), at: at(1) });
  expect(await currentConsentId(w.db, { userId: w.alice.id, policy: cp })).not.toBeNull();
  expect(await currentConsentId(w.db, { userId: w.alice.id, policy: withNewVersion(cp, false) })).not.toBeNull();

  const changed = withNewVersion(cp, true);
  expect(await currentConsentId(w.db, { userId: w.alice.id, policy: changed })).toBeNull();
  const policy = agreementOf(w.catalog, w.course);
  const assignment = await readyToSign(w.db, { user: w.alice, course: w.course, catalog: w.catalog, at: T0 });
  const refused = await sign(w.db, signingInput({ user: w.alice, assignment, course: w.course, policy, consent: changed, shownAt: at(2) }), at(3));
  expect(refused).toMatchObject({ ok: false, status: 409 });

  const again = await consent(w.db, { user: w.alice, policy: changed, shownAt: at(4), at: at(5) });
  expect(again.ok).toBe(true);
  const rows = await w.db.selectFrom("electronic_consents").select(["policy_version"]).orderBy("consented_at").execute();
  expect(rows.map((r) => r.policy_version)).toEqual([1, 2]);
  expect(await sign(w.db, signingInput({ user: w.alice, assignment, course: w.course, policy, consent: changed, shownAt: at(2) }), at(6))).toMatchObject({ ok: true });
});

test("declined, then signed: both records stay, the newest decides, and HR is told at once", async () => {
  const cp = consentPolicy(w.catalog);
  const policy = agreementOf(w.catalog, w.course);
  const assignment = await readyToSign(w.db, { user: w.alice, course: w.course, catalog: w.catalog, at: T0 });
  await consent(w.db, { user: w.alice, policy: cp, shownAt: at(0), at: at(1) });
  const input = signingInput({ user: w.alice, assignment, course: w.course, policy, consent: cp, shownAt: at(2) });

  const declined = await decline(w.db, input, "  I do not accept clause 7.  ", at(4));
  expect(declined).toMatchObject({ ok: true, alreadySigned: false });
  const [d] = await w.db.selectFrom("attestations").selectAll().execute();
  expect(d).toMatchObject({ outcome: "declined", decline_reason: "I do not accept clause 7.", expires_at: null, text_sha256: policy.current.sha256, presented_at: at(2), signed_at: at(4) });
  expect(d.statement).toMatch(/^I do not agree to /);
  // Declining completes nothing.
  const open = await w.db.selectFrom("assignments").select("completed_at").where("id", "=", assignment.id).executeTakeFirstOrThrow();
  expect(open.completed_at).toBeNull();
  // HR sees it, and got mail through the outbox in the same transaction.
  expect(await listStandingDeclines(w.db, { viewer: w.hr })).toMatchObject([{ personId: w.alice.id, reason: "I do not accept clause 7.", policyVersion: 1 }]);
  expect(await listStandingDeclines(w.db, { viewer: w.alice })).toEqual([]);
  const mail = await w.db.selectFrom("notifications").selectAll().where("kind", "=", "declined").execute();
  expect(mail.map((m) => m.to_email)).toEqual(["hr@test.example"]);
  expect(mail[0].subject).toBe("Alice Archer declined to sign: Confidentiality and Trade Secret Agreement");
  expect(mail[0].body).toContain("I do not accept clause 7.");
  const audit = await w.db.selectFrom("audit_log").select(["action", "subject_id"]).where("action", "=", "attestation.declined").execute();
  expect(audit).toEqual([{ action: "attestation.declined", subject_id: d.id }]);
  // Declining twice keeps the one refusal.
  expect(await decline(w.db, input, "again", at(5))).toMatchObject({ ok: true, code: d.verification_code, alreadySigned: true });

  const signed = await sign(w.db, input, at(10));
  expect(signed).toMatchObject({ ok: true, alreadySigned: false });
  const rows = await w.db.selectFrom("attestations").select(["outcome", "signed_at"]).orderBy("signed_at").execute();
  expect(rows).toEqual([
    { outcome: "declined", signed_at: at(4) },
    { outcome: "signed", signed_at: at(10) },
  ]);
  expect(await listStandingDeclines(w.db, { viewer: w.hr })).toEqual([]);
  // The database itself keeps one signed record per assignment and version.
  const signedRow = await w.db.selectFrom("attestations").selectAll().where("outcome", "=", "signed").executeTakeFirstOrThrow();
  await expect(w.db.insertInto("attestations").values({ ...signedRow, id: "sig_copy", verification_code: "COPY-COPY-COPY-COPY" }).execute()).rejects.toThrow(/UNIQUE constraint failed|duplicate key value violates unique constraint/);
  const done = await w.db.selectFrom("assignments").select("completed_at").where("id", "=", assignment.id).executeTakeFirstOrThrow();
  expect(done.completed_at).toBe(at(10));
  // Once signed, "I do not agree" returns the signature and records nothing.
  expect(await decline(w.db, input, "changed my mind", at(11))).toMatchObject({ ok: true, alreadySigned: true });
  expect(await w.db.selectFrom("attestations").select("id").execute()).toHaveLength(2);
});

test("a policy's minimum reading time is enforced on the server: a forged early POST is refused", async () => {
  const cp = consentPolicy(w.catalog);
  const policy = { ...agreementOf(w.catalog, w.course), minimumReadingSeconds: 90 };
  const assignment = await readyToSign(w.db, { user: w.alice, course: w.course, catalog: w.catalog, at: T0 });
  await consent(w.db, { user: w.alice, policy: cp, shownAt: at(0), at: at(1) });
  const input = signingInput({ user: w.alice, assignment, course: w.course, policy, consent: cp, shownAt: at(2) });
  const early = await sign(w.db, input, new Date(Date.parse(at(2)) + 30_000).toISOString());
  expect(early).toMatchObject({ ok: false, status: 400 });
  expect(early.ok ? "" : early.formError).toBe(
    "Please take the time to read the whole text: this agreement asks for at least 90 seconds on it, and it was shown to you 30 seconds ago. You can sign in 60 seconds.",
  );
  expect(await w.db.selectFrom("attestations").select("id").execute()).toHaveLength(0);
  // A wrong password was not counted against the person for an early POST: nothing was checked.
  expect(await w.db.selectFrom("auth_throttle").select("key").execute()).toHaveLength(0);
  const onTime = await sign(w.db, input, new Date(Date.parse(at(2)) + 90_000).toISOString());
  expect(onTime).toMatchObject({ ok: true });
  const row = await w.db.selectFrom("attestations").select("seconds_on_text").executeTakeFirstOrThrow();
  expect(row.seconds_on_text).toBe(90);
});

test("courses:check validates minimumReadingSeconds", async () => {
  const { policyMetaSchema } = await import("../../app/courses/schema");
  const base = { title: "T", statement: "S", versions: [{ version: 1, file: "v1.mdx", published: "2026-01-01", material: true, changes: "First." }] };
  expect(policyMetaSchema.safeParse({ ...base, minimumReadingSeconds: 120 }).success).toBe(true);
  const bad = policyMetaSchema.safeParse({ ...base, minimumReadingSeconds: 2.5 });
  expect(bad.success).toBe(false);
  expect(JSON.stringify(bad.error?.issues)).toMatch(/whole number of seconds/);
  expect(policyMetaSchema.safeParse({ ...base, minimumReadingSeconds: 99999 }).success).toBe(false);
});

test("HR records a paper signature: recorded_by, reason, date on the paper and the scan's SHA-256 on the record", async () => {
  const assignment = await readyToSign(w.db, { user: w.bob, course: w.course, catalog: w.catalog, at: T0 });
  const result = await recordPaper(w.db, { hr: w.hr, person: w.bob, assignment, catalog: w.catalog, fields: { signedOn: "2027-02-27" }, at: at(30) });
  expect(result.ok).toBe(true);
  const row = await w.db.selectFrom("attestations").selectAll().executeTakeFirstOrThrow();
  const { PDF_SCAN } = await import("../support/signature");
  expect(row).toMatchObject({
    outcome: "signed",
    user_id: w.bob.id,
    recorded_by: w.hr.id,
    on_behalf_reason: "Asked to sign on paper (right to paper in the consent).",
    paper_signed_on: "2027-02-27",
    scan_sha256: sha256Hex(PDF_SCAN),
    printed_name: "Bob Baker",
    expires_at: "2028-02-27T00:00:00.000Z",
  });
  const scan = await w.db.selectFrom("paper_scans").selectAll().executeTakeFirstOrThrow();
  expect(scan).toMatchObject({ sha256: sha256Hex(PDF_SCAN), media_type: "application/pdf", byte_size: PDF_SCAN.length, uploaded_by: w.hr.id });
  expect(new Uint8Array(scan.content)).toEqual(PDF_SCAN);
  const receipt = await getReceipt(w.db, { viewer: w.hr, code: row.verification_code, origin: "http://x", courseTitle: () => null });
  expect(receipt?.paper).toMatchObject({ recordedBy: "Helen Harper", signedOn: "2027-02-27", scanSha256: sha256Hex(PDF_SCAN) });
  const audit = await w.db.selectFrom("audit_log").select(["actor_id", "data_json"]).where("action", "=", "attestation.recorded_from_paper").executeTakeFirstOrThrow();
  expect(audit.actor_id).toBe(w.hr.id);
  expect(JSON.parse(audit.data_json)).toMatchObject({ scanSha256: sha256Hex(PDF_SCAN), paperSignedOn: "2027-02-27" });
  // A second paper record for the same version is refused.
  const again = await recordPaper(w.db, { hr: w.hr, person: w.bob, assignment, catalog: w.catalog, at: at(31) });
  expect(again).toMatchObject({ ok: false, status: 409 });
});

test.each([
  ["a 20 MB file", { scan: { name: "signed.pdf", bytes: new Uint8Array(20 * 1024 * 1024).fill(0x25) } }, 413, "scan", /larger than 10 MB/],
  ["an executable renamed .pdf", { scan: { name: "signed.pdf", bytes: new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]) } }, 400, "scan", /is not a PDF, PNG or JPEG/],
  ["no scan", { scan: null }, 400, "scan", /Attach a scan/],
  ["no reason", { fields: { reason: "  " } }, 400, "reason", /Say why/],
  ["a date in the future", { fields: { signedOn: "2027-03-02" } }, 400, "signedOn", /future/],
] as const)("a paper signature with %s is refused with a clear message and nothing is stored", async (_what, change, status, field, message) => {
  const assignment = await readyToSign(w.db, { user: w.bob, course: w.course, catalog: w.catalog, at: T0 });
  const result = await recordPaper(w.db, { hr: w.hr, person: w.bob, assignment, catalog: w.catalog, at: at(30), ...(change as object) });
  expect(result).toMatchObject({ ok: false, status });
  if (!result.ok) expect(result.fieldErrors[field]).toMatch(message);
  expect(await w.db.selectFrom("attestations").select("id").execute()).toHaveLength(0);
  expect(await w.db.selectFrom("paper_scans").select("sha256").execute()).toHaveLength(0);
});

test("only HR may record a paper signature, and only for that person's own assignment", async () => {
  const assignment = await readyToSign(w.db, { user: w.bob, course: w.course, catalog: w.catalog, at: T0 });
  expect(await recordPaper(w.db, { hr: w.manager, person: w.bob, assignment, catalog: w.catalog, at: at(30) })).toMatchObject({ ok: false, status: 404 });
  expect(await recordPaper(w.db, { hr: w.hr, person: w.alice, assignment, catalog: w.catalog, at: at(30) })).toMatchObject({ ok: false, status: 404 });
  expect(await w.db.selectFrom("attestations").select("id").execute()).toHaveLength(0);
  expect(await w.db.selectFrom("paper_scans").select("sha256").execute()).toHaveLength(0);
});

test("the evidence pack of a person with a declined, a paper and an electronic signature verifies offline", async () => {
  const cp = consentPolicy(w.catalog);
  const policy = agreementOf(w.catalog, w.course);
  const first = await readyToSign(w.db, { user: w.alice, course: w.course, catalog: w.catalog, at: T0 });
  await consent(w.db, { user: w.alice, policy: cp, shownAt: at(0), at: at(1) });
  const input = signingInput({ user: w.alice, assignment: first, course: w.course, policy, consent: cp, shownAt: at(2) });
  expect((await decline(w.db, input, "Not yet.", at(3))).ok).toBe(true);
  expect((await sign(w.db, input, at(8))).ok).toBe(true);
  const exit = w.catalog.courses.get("exit-acknowledgement")!;
  const second = await assign(w.db, { userId: w.alice.id, course: exit, cycle: "leaving-2027-04-30", reason: "leaving", dueAt: "2027-04-30T23:59:59.000Z" }, fixedClock(at(20)));
  expect((await recordPaper(w.db, { hr: w.hr, person: w.alice, assignment: second, catalog: w.catalog, at: at(30) })).ok).toBe(true);

  const signer = testSigner();
  const anchored = testAnchors();
  await checkpointNow(w.db, { key: signer.key, anchors: anchored.anchors, now: new Date(at(60)) });
  anchored.cleanup();
  const produced = await produceEvidence(w.db, { who: { personId: w.alice.id }, generatedBy: { via: "web", id: w.hr.id, name: w.hr.name, email: w.hr.email }, now: new Date(at(60)), formats: ["json"], signer });
  const pack = produced!.pack;
  expect(pack.attestations.map((t) => [t.outcome, t.recorded_by === w.hr.id])).toEqual([
    ["declined", false],
    ["signed", false],
    ["signed", true],
  ]);
  expect(pack.attestations[1]).toMatchObject({ consent_id: pack.consents![0].id, auth_strength: "password_reentered", locale: "en", template_version: TEMPLATE_VERSION, seconds_on_text: 360 });
  expect(pack.attestations[2].paper_scan?.sha256).toBe(pack.attestations[2].scan_sha256);
  expect(pack.consents).toHaveLength(1);
  expect(verifyPack(pack)).toMatchObject({ ok: true, failures: [] });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-sig-"));
  const file = path.join(dir, "pack.json");
  fs.writeFileSync(file, produced!.json);
  const cli = await new Promise<{ code: number; out: string }>((resolve) =>
    execFile("npm", ["run", "-s", "evidence:verify", "--", file], { env: { ...process.env, DATABASE_URL: "file:/nonexistent/dir/never.sqlite" } }, (e, out) =>
      resolve({ code: e ? Number(e.code) : 0, out }),
    ),
  );
  expect(cli.code).toBe(0);
  expect(cli.out).toMatch(/1 paper original \(scan SHA-256\) and 1 consent to electronic records checked/);

  // The PDF for counsel says how each agreement ended.
  const pdfFile = path.join(dir, "pack.pdf");
  fs.writeFileSync(pdfFile, await renderEvidencePdf(pack, { origin: "http://confidant.test", jsonFileName: "pack.json", jsonSha256: produced!.jsonSha256 }));
  const pdfText = execFileSync("pdftotext", ["-enc", "UTF-8", pdfFile, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
  expect(pdfText).toContain('Declined ("I do not agree")');
  expect(pdfText).toContain("recorded by HR from a paper original");
  expect(pdfText).toContain("Time on the text 360 seconds");

  // A scan swapped afterwards (even with packSha256 recomputed) is caught by its hash.
  const forged = JSON.parse(produced!.json) as EvidencePack;
  forged.attestations[2].paper_scan!.content_base64 = Buffer.from("%PDF-1.4 a different paper").toString("base64");
  const { packSha256: _old, ...rest } = forged;
  forged.packSha256 = computePackSha256(rest as unknown as Record<string, unknown>);
  const report = verifyPack(forged);
  expect(report.ok).toBe(false);
  expect(report.failures[0]).toMatch(/scan of the paper original was altered/);
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

test("nobody can decline someone else's agreement, and an over-long reason is refused with nothing written", async () => {
  const cp = consentPolicy(w.catalog);
  const policy = agreementOf(w.catalog, w.course);
  const assignment = await readyToSign(w.db, { user: w.alice, course: w.course, catalog: w.catalog, at: T0 });
  const asBob = signingInput({ user: w.bob, assignment, course: w.course, policy, consent: cp, shownAt: at(1) });
  await expect(decline(w.db, asBob, "no", at(2))).rejects.toThrow(/Not found/);
  const tooLong = await decline(w.db, signingInput({ user: w.alice, assignment, course: w.course, policy, consent: cp, shownAt: at(1) }), "x".repeat(2001), at(2));
  expect(tooLong).toMatchObject({ ok: false, status: 400, fieldErrors: { reason: expect.stringMatching(/under 2,000/) } });
  expect(await w.db.selectFrom("attestations").select("id").execute()).toHaveLength(0);
  expect(await w.db.selectFrom("notifications").select("id").where("kind", "=", "declined").execute()).toHaveLength(0);
});
