// Signed evidence packs through the real app, a real TSA on loopback (OpenSSL) and poppler's
// pdfsig: one production gives a signed JSON and a digitally signed PDF of the same snapshot;
// the instance publishes its key; evidence:verify checks signature, inclusion proofs, timestamp
// and an auditor's checkpoint offline, and names each tamper even with packSha256 recomputed.
import { execFile, execFileSync } from "node:child_process";
import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { fixedClock } from "../../app/clock";
import { signCheckpoint } from "../../app/audit/checkpoint";
import { presentedToken, signAttestation } from "../../app/attestations/attestations.server";
import { assign, correctAnswers, replayModules, workThroughCourse, wrongAnswers } from "../../app/demo/factories.server";
import { computePackSha256 } from "../../app/evidence/canonical";
import type { EvidencePack } from "../../app/evidence/pack.server";
import { sha256Hex } from "../../app/hash.server";
import { fromPrivateKey, verifyDetached } from "../../app/keys/instance-key.server";
import { quizGate, submitQuizAttempt } from "../../app/learning/quiz.server";
import { makeWorld, PASSWORD, SECRET, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { startTsa, type TestTsa } from "../support/tsa";

const NOW = "2027-06-01T09:00:00.000Z";
// Each evidence:verify run is a fresh tsx process (a few seconds on a busy machine).
vi.setConfig({ testTimeout: 120_000 });
let w: World;
let server: TestServer;
let tsa: TestTsa;
let hr: string;
let tmp: string;
let dataDir: string;

beforeAll(async () => {
  w = await makeWorld(NOW);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-evidence-sign-"));
  dataDir = path.join(tmp, "data");
  tsa = await startTsa();
  // Alice failed the quiz five times (revisiting the modules it named whenever the attempt
  // policy asked), passed, and signed from 203.0.113.7.
  const policy = w.catalog.policies.get(w.course.meta.policy!)!;
  const a = await assign(w.db, { userId: w.alice.id, course: w.course }, fixedClock("2027-03-01T09:00:00.000Z"));
  await workThroughCourse(w.db, { user: w.alice, assignment: a, course: w.course, catalog: w.catalog, upTo: "modules", password: PASSWORD, secret: SECRET, at: "2027-03-05T09:00:00.000Z" }, w.clock);
  for (let i = 0; i < 5; i++) {
    const gate = await quizGate(w.db, { assignment: a, course: w.course });
    if (gate.kind === "revisit") await replayModules(w.db, { assignment: a, course: w.course, modules: gate.modules.map((m) => m.slug) }, fixedClock(`2027-03-06T09:0${i - 1}:30.000Z`));
    await submitQuizAttempt(w.db, { assignment: a, course: w.course, entries: wrongAnswers(w.course), actorId: w.alice.id }, fixedClock(`2027-03-06T09:0${i}:00.000Z`));
  }
  const gate = await quizGate(w.db, { assignment: a, course: w.course });
  if (gate.kind === "revisit") await replayModules(w.db, { assignment: a, course: w.course, modules: gate.modules.map((m) => m.slug) }, fixedClock("2027-03-06T09:30:00.000Z"));
  await submitQuizAttempt(w.db, { assignment: a, course: w.course, entries: correctAnswers(w.course), actorId: w.alice.id }, fixedClock("2027-03-06T10:00:00.000Z"));
  const presented = presentedToken(SECRET, { assignmentId: a.id, policyId: policy.id, version: policy.current.version, at: "2027-03-06T10:01:00.000Z" });
  const signed = await signAttestation(
    w.db,
    {
      viewer: w.alice,
      assignment: a,
      course: w.course,
      policy,
      form: { intent: "on", name: "Alice Archer", password: PASSWORD, presented },
      ip: "203.0.113.7",
      userAgent: "Mozilla/5.0 (Signing test)",
      secret: SECRET,
      consentPolicy: null,
    },
    fixedClock("2027-03-06T10:05:00.000Z"),
  );
  expect(signed.ok).toBe(true);
  server = await startTestServer(w, { DATA_DIR: dataDir, TSA_URL: tsa.url, TSA_CA_FILE: tsa.caFile });
  hr = await server.login("hr@test.example");
}, 120_000);

afterAll(async () => {
  await server?.close();
  await tsa?.stop();
  await w?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function run(command: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DATABASE_URL: "file:/nonexistent/dir/never.sqlite" } }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") return reject(error);
      resolve({ status: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}
const verifyCli = (...args: string[]) => run("node_modules/.bin/tsx", ["scripts/evidence-verify.ts", ...args]);

function write(name: string, content: string | Uint8Array) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}

interface Produced {
  page: string;
  json: string;
  pdf: Uint8Array;
  pack: EvidencePack;
}

/** HR produces a pack on the evidence page and downloads both files from the pack's page. */
async function produce(): Promise<Produced> {
  const res = await server.post(`/hr/people/${w.alice.id}/evidence`, {}, hr);
  expect(res.status).toBe(302);
  const page = res.headers.get("location")!;
  const html = (await (await server.get(page, hr)).text()).replaceAll("<!-- -->", "");
  const hrefs = [...html.matchAll(/href="([^"]+\.(?:json|pdf))"/g)].map((m) => m[1]);
  const jsonHref = hrefs.find((h) => h.endsWith(".json"))!;
  const pdfHref = hrefs.find((h) => h.endsWith(".pdf"))!;
  expect(jsonHref.startsWith(`${page}/`) && pdfHref.startsWith(`${page}/`)).toBe(true);
  const jsonRes = await server.get(jsonHref, hr);
  expect(jsonRes.headers.get("content-type")).toBe("application/json; charset=utf-8");
  const json = await jsonRes.text();
  const pdfRes = await server.get(pdfHref, hr);
  expect(pdfRes.headers.get("content-type")).toBe("application/pdf");
  const pdf = new Uint8Array(await pdfRes.arrayBuffer());
  return { page, json, pdf, pack: JSON.parse(json) as EvidencePack };
}

function pdfText(pdf: Uint8Array) {
  return execFileSync("pdftotext", ["-enc", "UTF-8", write("text.pdf", pdf), "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
}

function pdfsig(file: string) {
  return execFileSync("pdfsig", [file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
}

async function publishedKeyFile() {
  const res = await server.get("/.well-known/confidant-signing-key.pem");
  return write("published-key.pem", await res.text());
}

test("one production gives the JSON and a signed PDF of the same snapshot: the PDF states the JSON's SHA-256 and the key's fingerprint", async () => {
  const { page, json, pdf, pack } = await produce();
  expect(pack).toMatchObject({ formatVersion: 3, signingKey: { algorithm: "Ed25519", publishedAt: `${server.url}/.well-known/confidant-signing-key` } });
  const text = pdfText(pdf);
  expect(text).toContain(sha256Hex(json));
  expect(text).toContain(pack.packSha256);
  expect(text).toContain(pack.signingKey.fingerprint);
  // The pack is anchored: a fresh checkpoint covering every entry, with a TSA token.
  expect(pack.anchor.checkpoint!.treeSize).toBeGreaterThanOrEqual(Math.max(...pack.audit.entries.map((e) => e.seq)));
  expect(pack.anchor.inclusionProofs).toHaveLength(pack.audit.entries.length);
  expect(pack.anchor.timestamp).toMatchObject({ status: "stamped" });
  expect(pack.anchor.timestamp.token).toBeTruthy();
  // Produced once, audited once, with both files' hashes; downloading again gives the same bytes.
  const packId = page.split("/").pop()!;
  const [entry] = await w.db.selectFrom("audit_log").selectAll().orderBy("seq", "desc").limit(1).execute();
  expect(entry).toMatchObject({ action: "evidence.produced", actor_id: w.hr.id, subject_id: w.alice.id });
  expect(JSON.parse(entry.data_json)).toMatchObject({ packId, formats: ["json", "pdf"], packSha256: pack.packSha256, jsonSha256: sha256Hex(json), pdfSha256: sha256Hex(pdf), keyFingerprint: pack.signingKey.fingerprint });
  const again = await produceFiles(page);
  expect(again.json).toBe(json);
  expect(sha256Hex(again.pdf)).toBe(sha256Hex(pdf));
});

async function produceFiles(page: string) {
  const html = await (await server.get(page, hr)).text();
  const [json, pdf] = [".json", ".pdf"].map((ext) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]).find((h) => h.endsWith(ext))!);
  return { json: await (await server.get(json, hr)).text(), pdf: new Uint8Array(await (await server.get(pdf, hr)).arrayBuffer()) };
}

test("pdfsig reports the PDF's signature valid over the whole document, and invalid once one byte is changed", async () => {
  const { pdf, pack } = await produce();
  const good = pdfsig(write("signed.pdf", pdf));
  expect(good).toContain("Signature is Valid");
  expect(good).toContain("Total document signed");
  expect(good).toContain("ETSI.CAdES.detached");
  const byteRange = /\/ByteRange \[\s*0 (\d+) (\d+) (\d+)\s*\]/.exec(Buffer.from(pdf).toString("latin1"))!;
  const flipped = Buffer.from(pdf);
  flipped[Math.floor(Number(byteRange[1]) / 2)] ^= 0x01;
  const bad = pdfsig(write("flipped.pdf", flipped));
  expect(bad).not.toContain("Signature is Valid");
  expect(bad).toMatch(/Digest Mismatch|Signature is Invalid/);
  // The certificate is the one the instance publishes, tied to its key.
  const doc = await (await server.get("/.well-known/confidant-signing-key")).json();
  expect(doc.pdfSigningCertificate.sha256).toBe(pack.signingKey.pdfCertificateSha256);
  expect(verifyDetached(doc.publicKeyPem, doc.pdfSigningCertificate.statement, doc.pdfSigningCertificate.statementSignature)).toBe(true);
});

test("the signing key is public at /.well-known/confidant-signing-key (JSON and PEM), the same key as every pack's; only GET", async () => {
  const { pack } = await produce();
  const res = await server.get("/.well-known/confidant-signing-key");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
  const doc = await res.json();
  expect(doc).toMatchObject({ format: "confidant-signing-key", algorithm: "Ed25519", fingerprint: pack.signingKey.fingerprint, publicKeyPem: pack.signingKey.publicKeyPem });
  const pem = await (await server.get("/.well-known/confidant-signing-key.pem")).text();
  expect(pem).toBe(pack.signingKey.publicKeyPem);
  expect((await server.post("/.well-known/confidant-signing-key", {})).status).toBe(405);
});

test("evidence:verify with the published key checks signature, inclusion proofs and timestamp offline; without it, says the key is only the pack's own", async () => {
  const { json } = await produce();
  const file = write("fresh.json", json);
  const withKey = await verifyCli(file, "--public-key", await publishedKeyFile(), "--tsa-ca", tsa.caFile);
  expect(withKey.stderr).toBe("");
  expect(withKey.status).toBe(0);
  expect(withKey.stdout).toMatch(/signature: valid Ed25519 signature by the key given/);
  expect(withKey.stdout).toMatch(/audit entries: each proved to be in the checkpointed log of \d+ entries/);
  expect(withKey.stdout).toMatch(/timestamp: O=Confidant tests, CN=Test TSA attests the checkpoint existed at .* \(checked against the TSA certificate given\)/);
  expect(withKey.stdout).toMatch(/manifest: each of the pack's records matches/);

  const embedded = await verifyCli(file);
  expect(embedded.status).toBe(0);
  expect(embedded.stdout).toMatch(/by the key embedded in the pack .* this shows only that the pack is consistent with itself/);
  expect(embedded.stdout).toContain("Signature checked with the key embedded in the pack only");
});

const reseal = (p: EvidencePack) => ({ ...p, packSha256: computePackSha256(p as unknown as Record<string, unknown>) });

test.each([
  [
    "the passing score is raised",
    (p: EvidencePack) => {
      const q = p.cycles[0].quiz_attempts.find((x) => x.passed === 0)!;
      q.score = 100;
      q.passed = 1;
      return new RegExp(`quiz attempt ${q.id} score was altered: the pack says 100, audit entry \\d+ recorded \\d+`);
    },
  ],
  [
    "the signer's typed name is changed",
    (p: EvidencePack) => {
      p.attestations[0].printed_name = "Someone Else";
      return new RegExp(`attestation ${p.attestations[0].verification_code} was altered: the record differs from the one audit entry \\d+ holds \\(row SHA-256\\)`);
    },
  ],
  [
    "the IP address is changed",
    (p: EvidencePack) => {
      p.attestations[0].ip = "198.51.100.9";
      return new RegExp(`attestation ${p.attestations[0].verification_code} IP address was altered: the pack says 198.51.100.9, audit entry \\d+ recorded 203.0.113.7`);
    },
  ],
  [
    "the five failed attempts and their audit entries are removed",
    (p: EvidencePack) => {
      const failed = p.cycles[0].quiz_attempts.filter((q) => q.passed === 0);
      expect(failed).toHaveLength(5);
      const ids = new Set(failed.map((q) => q.id));
      p.cycles[0].quiz_attempts = p.cycles[0].quiz_attempts.filter((q) => !ids.has(q.id));
      p.audit.entries = p.audit.entries.filter((e) => !ids.has(e.subject_id ?? ""));
      return new RegExp(`quiz attempt ${failed[0].id} was removed after signing: it is in the signed manifest but not in the pack`);
    },
  ],
  [
    "an attestation is removed",
    (p: EvidencePack) => {
      const code = p.attestations[0].verification_code;
      p.attestations = [];
      p.cycles[0].attestation_ids = [];
      return new RegExp(`audit entry \\d+ \\(attestation.signed\\) records attestation ${code}, which is missing from the pack`);
    },
  ],
])("evidence:verify names it when %s and packSha256 is recomputed (exit 1)", async (name, tamper) => {
  const { pack } = await produce();
  const expected = tamper(pack);
  const result = await verifyCli(write(`${name.replace(/\W+/g, "-")}.json`, JSON.stringify(reseal(pack), null, 2)), "--public-key", await publishedKeyFile());
  expect(result.status).toBe(1);
  const [first] = result.stderr.split("\n");
  expect(first).toMatch(/^Evidence pack FAILED verification: /);
  expect(first).toMatch(expected);
  // Whatever else was named, the signature no longer holds.
  expect(result.stderr).toMatch(/signature does not verify/);
  expect(result.stdout).toBe("");
});

test("a pack re-signed with another key fails against the published key; against its own key it only passes as self-consistent", async () => {
  const { pack } = await produce();
  const { signPack } = await import("../../app/evidence/pack.server");
  const forger = { key: fromPrivateKey(generateKeyPairSync("ed25519").privateKey), publishedAt: pack.signingKey.publishedAt, pdfCertificateSha256: null };
  const { signingKey: _k, signature: _s, packSha256: _h, manifest: _m, ...body } = pack;
  body.person.department = "Forged Department";
  const forged = signPack(body, forger);
  const file = write("forged.json", JSON.stringify(forged));
  const refused = await verifyCli(file, "--public-key", await publishedKeyFile());
  expect(refused.status).toBe(1);
  expect(refused.stderr.split("\n")[0]).toMatch(new RegExp(`not signed with the key given: it names key ${forger.key.fingerprint}`));
  const selfConsistent = await verifyCli(file);
  // The forger's checkpoint is not theirs to sign: the embedded key does not sign the log's checkpoint.
  expect(selfConsistent.status).toBe(1);
  expect(selfConsistent.stderr).toMatch(/the pack's checkpoint is not signed by the key the pack is checked with/);
});

test("bad input: another Ed25519 key file (exit 1), a key of the wrong type, a pack that is not JSON, a token for another checkpoint (exit 2, one line)", async () => {
  const { json, pack } = await produce();
  const file = write("good.json", json);
  const otherKey = write("other.pem", generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString());
  const wrong = await verifyCli(file, "--public-key", otherKey);
  expect(wrong.status).toBe(1);
  expect(wrong.stderr.split("\n")[0]).toMatch(/FAILED verification: the pack is not signed with the key given/);

  const ecKey = write("ec.pem", generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString());
  const ec = await verifyCli(file, "--public-key", ecKey);
  expect(ec.status).toBe(2);
  expect(ec.stderr.trim().split("\n")).toEqual([`evidence:verify could not check the pack: ${ecKey} is an EC key; evidence packs are signed with Ed25519.`]);

  const notJson = await verifyCli(write("not.json", "%PDF-1.7 this is a PDF, not a pack"));
  expect(notJson.status).toBe(2);
  expect(notJson.stderr.trim().split("\n")).toHaveLength(1);
  expect(notJson.stderr).toMatch(/could not check the pack: .*not\.json is not valid JSON/);

  // The token of another checkpoint: its imprint is for other data.
  const older = JSON.parse((await produce()).json) as EvidencePack;
  const swapped = { ...pack, anchor: { ...pack.anchor, timestamp: { ...pack.anchor.timestamp, token: older.anchor.timestamp.token } } };
  expect(older.anchor.checkpoint!.note).not.toBe(pack.anchor.checkpoint!.note);
  const imprint = await verifyCli(write("swapped-token.json", JSON.stringify(swapped)), "--tsa-ca", tsa.caFile);
  expect(imprint.status).toBe(2);
  expect(imprint.stderr.trim().split("\n")).toEqual(["evidence:verify could not check the pack: the timestamp token is for other data (imprint differs)."]);
});

test("given a checkpoint an auditor saved earlier, evidence:verify shows the log only grew since, and names a rewritten log", async () => {
  const anchorLines = fs.readFileSync(path.join(dataDir, "audit-anchors.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { kind: string; note?: string; treeSize: number });
  const savedLine = anchorLines.find((l) => l.kind === "checkpoint")!;
  const saved = write("saved-checkpoint.txt", savedLine.note!);
  const { json } = await produce();
  const file = write("later.json", json);
  const ok = await verifyCli(file, "--public-key", await publishedKeyFile(), "--checkpoint", saved);
  expect(ok.stderr).toBe("");
  expect(ok.status).toBe(0);
  expect(ok.stdout).toMatch(new RegExp(`saved checkpoint: the log only grew from the saved ${savedLine.treeSize} entries`));

  // A checkpoint of the same size over another history, signed by the instance key itself.
  const key = createPrivateKey(fs.readFileSync(path.join(dataDir, "instance-key.pem"), "utf8"));
  const origin = savedLine.note!.split("\n")[0];
  const rewritten = write("rewritten-checkpoint.txt", signCheckpoint({ origin, treeSize: savedLine.treeSize, rootHash: Buffer.alloc(32, 7).toString("base64") }, key));
  const bad = await verifyCli(file, "--public-key", await publishedKeyFile(), "--checkpoint", rewritten);
  expect(bad.status).toBe(1);
  expect(bad.stderr.split("\n")[0]).toMatch(new RegExp(`the log was rewritten since the saved checkpoint of ${savedLine.treeSize} entries`));

  // A checkpoint newer than the pack's cannot be compared with it: could not check.
  await produce();
  const newer = write("newer-checkpoint.jsonl", fs.readFileSync(path.join(dataDir, "audit-anchors.jsonl"), "utf8"));
  const cannot = await verifyCli(file, "--public-key", await publishedKeyFile(), "--checkpoint", newer);
  expect(cannot.status).toBe(2);
  expect(cannot.stderr.trim().split("\n")).toHaveLength(1);
  expect(cannot.stderr).toMatch(/could not check the pack: the saved checkpoint \(\d+ entries\) is newer than the pack's/);
});

test("only HR can produce a pack, open it or download its files; others are told it does not exist and nothing is produced", async () => {
  const { page } = await produce();
  const files = [...(await (await server.get(page, hr)).text()).matchAll(/href="([^"]+\.(?:json|pdf))"/g)].map((m) => m[1]);
  const before = await w.db.selectFrom("evidence_packs").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  const checkpointsBefore = await w.db.selectFrom("audit_checkpoints").select("tree_size").execute();
  for (const email of ["alice@test.example", "manager@test.example"]) {
    const cookie = await server.login(email);
    for (const url of [page, ...files]) {
      const res = await server.get(url, cookie);
      expect(res.status, `${email} ${url}`).toBe(404);
      expect(await res.text()).not.toMatch(/%PDF|packSha256/);
    }
    expect((await server.post(`/hr/people/${w.alice.id}/evidence`, {}, cookie)).status).toBe(404);
  }
  for (const url of [page, ...files]) expect((await server.get(url)).status).toBe(302);
  // HR: another person's path, a made-up id, another file name, an unknown person.
  const packId = page.split("/").pop()!;
  expect((await server.get(`/hr/people/${w.bob.id}/evidence/${packId}`, hr)).status).toBe(404);
  expect((await server.get(`/hr/people/${w.bob.id}/evidence/${packId}/${files[0].split("/").pop()}`, hr)).status).toBe(404);
  expect((await server.get(`/hr/people/${w.alice.id}/evidence/evp_${"a".repeat(24)}`, hr)).status).toBe(404);
  expect((await server.get(`${page}/other.json`, hr)).status).toBe(404);
  expect((await server.post(`/hr/people/usr_nobody/evidence`, {}, hr)).status).toBe(404);
  expect((await server.get(`/hr/people/${w.alice.id}/evidence`, hr)).status).toBe(200);
  const after = await w.db.selectFrom("evidence_packs").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  expect(Number(after.n)).toBe(Number(before.n));
  expect(await w.db.selectFrom("audit_checkpoints").select("tree_size").execute()).toEqual(checkpointsBefore);
  // Stored packs are evidence: the database refuses to change them.
  await expect(w.db.updateTable("evidence_packs").set({ json: "{}" }).execute()).rejects.toThrow(/immutable/);
});

test("with the TSA down, a pack is still produced, its timestamp pending, and evidence:verify says so", async () => {
  tsa.mode = "refuse";
  const { json, pack } = await produce();
  expect(pack.anchor.timestamp).toMatchObject({ status: "pending", token: null });
  const result = await verifyCli(write("pending.json", json), "--public-key", await publishedKeyFile());
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/timestamp: none — its timestamp was still pending when the pack was produced/);
  tsa.mode = "ok";
});
