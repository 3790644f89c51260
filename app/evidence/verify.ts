// Offline verification of an evidence pack: no database, no network, only the JSON file (and,
// when given, the instance's public key and a checkpoint an auditor kept). Checks, in this
// order, and reports every failure (the first one first):
//   1. each audit entry's hash, recomputed exactly as the audit log computes it;
//   2. the links between entries whose sequence numbers are adjacent (prev_hash), and the
//      chain head;
//   3. each attestation's signed text: SHA-256 of the policy text in the pack = text_sha256;
//   4. each attestation is matched by its "attestation.signed" ("attestation.declined",
//      "attestation.recorded_from_paper") audit entry (same code, text
//      hash, time, assignment, policy, version, IP address and the row's SHA-256), each quiz
//      attempt by its "quiz.attempted" entry (score, result and the row's SHA-256);
//      then each paper original's scan and each consent to electronic records;
//   4c. each attestation's credential-change mark, recomputed from the pack's audit entries;
//   5. the pack's own packSha256 over the canonical JSON of the rest;
//   6. nothing the audit entries record is missing from the pack;
//   7. the anchor (verify-anchor.ts): the checkpoint's signature, each entry's inclusion proof,
//      the consistency proofs from earlier checkpoints and, if given, an auditor's own checkpoint;
//   8. the instance key's signatures (verify-signature.ts): on the manifest, naming any record
//      edited, removed or added since signing, and on the whole pack;
//   9. (verifyPackOffline) the checkpoint's RFC 3161 timestamp token.
// Checks 1–4 say precisely what was altered; 5 catches an edit by someone who did not reseal
// the pack; 6 and 7 catch an edit by someone who did.
import { entryHash, GENESIS_HASH } from "../audit/audit.server";
import { recordHash } from "../audit/rows.server";
import { sha256Hex } from "../hash.server";
import { computePackSha256 } from "./canonical";
import type { EvidencePack, PackAttestation, PackAuditEntry } from "./pack.server";
import { PACK_FORMAT } from "./pack.server";
import { Checks, isObject, plural } from "./checks";
import { checkAnchor, verifyPackTimestamp } from "./verify-anchor";
import { checkSignatures, resolveKey, type SignatureCheck } from "./verify-signature";
import { checkCredentialChangeMarks } from "./verify-credential-change";

export interface VerifyReport {
  ok: boolean;
  /** Every failed check, the first one first. */
  failures: string[];
  /** What was checked and held, for the summary. */
  passed: string[];
  /** How the signature was checked: with a key given by the auditor, or only the pack's own. */
  signature: SignatureCheck | null;
  /** Each attestation's credential-change mark, in words (one line each). */
  credentialChanges: string[];
}

export interface VerifyOptions {
  /** The instance's public key (SPKI PEM) obtained elsewhere; without it, the pack's own key is used. */
  publicKeyPem?: string | null;
  /** A checkpoint (signed note) an auditor saved earlier: the pack's log must extend it. */
  savedCheckpoint?: string | null;
  /** The TSA's certificate (PEM) obtained elsewhere; without it, the one in the pack is used. */
  tsaTrustAnchorPem?: string | null;
}

/** Shape problems that make the checks meaningless; null when the pack can be checked. */
function shapeProblem(pack: unknown): string | null {
  if (!isObject(pack)) return "the file is not an evidence pack (expected a JSON object)";
  if (pack.format !== PACK_FORMAT) return `the file is not an evidence pack (format is ${JSON.stringify(pack.format)}, expected "${PACK_FORMAT}")`;
  if (typeof pack.packSha256 !== "string") return "the pack has no packSha256";
  if (!isObject(pack.person) || typeof pack.person.id !== "string") return "the pack has no person";
  if (!Array.isArray(pack.cycles) || !pack.cycles.every(isObject)) return "the pack has no cycles list";
  if (!Array.isArray(pack.attestations) || !pack.attestations.every(isObject)) return "the pack has no attestations list";
  if (!isObject(pack.audit) || !Array.isArray(pack.audit.entries) || !pack.audit.entries.every(isObject)) return "the pack has no audit entries list";
  return null;
}

function parseData(e: PackAuditEntry): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(e.data_json);
    return isObject(v) ? v : {};
  } catch {
    return {};
  }
}

function label(t: PackAttestation): string {
  return `attestation ${t.verification_code}`;
}

function checkEntryHashes(checks: Checks, entries: PackAuditEntry[]) {
  checks.held(`${plural(entries.length, "audit entry", "audit entries")}: each hash recomputed and matching`, () => {
    for (const e of entries) {
      let recomputed: string;
      try {
        recomputed = entryHash(e);
      } catch {
        recomputed = "";
      }
      if (recomputed !== e.hash) checks.fail(`audit entry ${e.seq} (${e.action}) was altered: its hash differs from its content`);
    }
  });
}

function checkLinks(checks: Checks, pack: EvidencePack, sorted: PackAuditEntry[]) {
  let links = 0;
  checks.held(() => `${plural(links, "link")} between adjacent audit entries checked`, () => {
    for (let i = 0; i < sorted.length; i++) {
      const e = sorted[i];
      if (i > 0 && sorted[i - 1].seq === e.seq) {
        checks.fail(`audit entry ${e.seq} appears twice`);
        continue;
      }
      if (e.seq === 1) {
        links++;
        if (e.prev_hash !== GENESIS_HASH) checks.fail("audit entry 1 does not start the chain (its previous hash is not the genesis hash)");
      } else if (i > 0 && sorted[i - 1].seq === e.seq - 1) {
        links++;
        if (e.prev_hash !== sorted[i - 1].hash) checks.fail(`audit entry ${e.seq} does not follow entry ${e.seq - 1} (previous hash differs)`);
      }
    }
    const head = pack.audit.head;
    const last = sorted[sorted.length - 1];
    if (head && last && last.seq > head.seq) checks.fail(`audit entry ${last.seq} is later than the chain head recorded in the pack (entry ${head.seq})`);
    else if (head && last && last.seq === head.seq && last.hash !== head.hash) checks.fail(`the chain head recorded in the pack (entry ${head.seq}) differs from that entry's hash`);
  });
}

function checkSignedTexts(checks: Checks, pack: EvidencePack) {
  const n = pack.attestations.length;
  checks.held(n > 0 ? `${plural(n, "signed text")}: SHA-256 of the text in the pack matches the signature` : null, () => {
    for (const t of pack.attestations) {
      const text = t.policy_text;
      if (!isObject(text) || typeof text.body !== "string") {
        checks.fail(`${label(t)}: the text signed is missing from the pack`);
        continue;
      }
      const actual = sha256Hex(text.body);
      if (actual !== t.text_sha256) {
        checks.fail(`${label(t)} text was altered: SHA-256 differs (the text in the pack hashes to ${actual}, the signature records ${t.text_sha256})`);
      } else if (text.text_sha256 !== t.text_sha256 || text.policy_id !== t.policy_id || text.version !== t.policy_version) {
        checks.fail(`${label(t)}: the policy text in the pack is labelled as a different policy or version`);
      }
    }
  });
}

/** The audit action that records an attestation: signed, declined, or recorded by HR from paper. */
function auditActionOf(t: PackAttestation): string {
  if (t.outcome === "declined") return "attestation.declined";
  if (t.recorded_by && t.scan_sha256) return "attestation.recorded_from_paper";
  return "attestation.signed";
}

/**
 * 4b. The rest of the signature record: each paper original's scan hashes to the SHA-256 on the
 * attestation and in its audit entry; each consent to electronic records relied on is in the
 * pack, its disclosure text hashes to its text_sha256, and its "consent.given" entry matches.
 */
function checkSignatureRecord(checks: Checks, pack: EvidencePack) {
  const entries = pack.audit.entries;
  const consents = pack.consents ?? [];
  let papers = 0;
  checks.held(
    () => (papers + consents.length > 0 ? `${plural(papers, "paper original")} (scan SHA-256) and ${plural(consents.length, "consent")} to electronic records checked` : null),
    () => {
      for (const t of pack.attestations) {
        if (t.consent_id && !consents.some((c) => c.id === t.consent_id)) checks.fail(`${label(t)} relies on consent ${t.consent_id}, which is missing from the pack`);
        if (!t.scan_sha256) continue;
        papers++;
        const scan = t.paper_scan;
        if (!scan || typeof scan.content_base64 !== "string") {
          checks.fail(`${label(t)}: the scan of the paper original is missing from the pack`);
          continue;
        }
        const actual = sha256Hex(new Uint8Array(Buffer.from(scan.content_base64, "base64")));
        if (actual !== t.scan_sha256) checks.fail(`${label(t)} scan of the paper original was altered: it hashes to ${actual}, the attestation records ${t.scan_sha256}`);
        const entry = entries.find((e) => e.action === "attestation.recorded_from_paper" && e.subject_id === t.id);
        if (entry && parseData(entry).scanSha256 !== t.scan_sha256) checks.fail(`${label(t)} scan SHA-256 differs from its audit entry ${entry.seq}`);
      }
      for (const c of consents) {
        const text = c.policy_text;
        if (!text || typeof text.body !== "string" || sha256Hex(text.body) !== c.text_sha256) checks.fail(`consent ${c.id}: the disclosure text in the pack does not hash to its text_sha256`);
        const entry = entries.find((e) => e.action === "consent.given" && e.subject_id === c.id);
        if (!entry) checks.fail(`consent ${c.id} is not matched by a "consent.given" audit entry`);
        else if (parseData(entry).textSha256 !== c.text_sha256 || entry.at !== c.consented_at) checks.fail(`consent ${c.id} does not match its audit entry ${entry.seq}`);
      }
    },
  );
}

function checkAttestation(checks: Checks, pack: EvidencePack, t: PackAttestation) {
  if (t.user_id !== pack.person.id) checks.fail(`${label(t)} belongs to someone else (user ${t.user_id}), not ${pack.person.email}`);
  const action = auditActionOf(t);
  const candidates = pack.audit.entries.filter((e) => e.action === action && e.subject_id === t.id);
  const entry = candidates.find((e) => {
    const d = parseData(e);
    return d.code === t.verification_code && d.textSha256 === t.text_sha256;
  });
  if (!entry) {
    const other = candidates[0];
    if (other) {
      const what = parseData(other).code !== t.verification_code ? "verification code" : "text SHA-256";
      checks.fail(`${label(t)} does not match its audit entry ${other.seq} ("${action}"): the ${what} differs`);
    } else {
      checks.fail(`${label(t)} is not matched by any "${action}" audit entry with the same code and text hash`);
    }
    return;
  }
  const d = parseData(entry);
  if (entry.at !== t.signed_at) checks.fail(`${label(t)} signed time was altered: the pack says ${t.signed_at}, audit entry ${entry.seq} recorded ${entry.at}`);
  const expected: Array<[string, unknown, unknown]> = [
    ["assignment", d.assignmentId, t.assignment_id],
    ["policy", d.policyId, t.policy_id],
    ["policy version", d.version, t.policy_version],
    ["IP address", d.ip, t.ip],
  ];
  for (const [what, recorded, inPack] of expected) {
    if (recorded !== undefined && recorded !== inPack) {
      checks.fail(`${label(t)} ${what} was altered: the pack says ${String(inPack)}, audit entry ${entry.seq} recorded ${String(recorded)}`);
    }
  }
  if (entry.actor_id !== null && entry.actor_id !== t.user_id && !t.recorded_by) {
    checks.fail(`${label(t)} signer was altered: audit entry ${entry.seq} records user ${entry.actor_id}`);
  }
  const { course_id: _c, course_title: _t, policy_text: _p, paper_scan: _s, credential_change: _m, ...row } = t;
  if (typeof d.rowSha256 === "string" && recordHash(row) !== d.rowSha256) {
    checks.fail(`${label(t)} was altered: the record differs from the one audit entry ${entry.seq} holds (row SHA-256)`);
  }
}

function checkRecordsAgainstEntries(checks: Checks, pack: EvidencePack) {
  const n = pack.attestations.length;
  checks.held(
    n > 0 ? `${plural(n, "attestation")}: each matched by its "attestation.signed" audit entry (code, text hash, signed time, policy and version)` : null,
    () => pack.attestations.forEach((t) => checkAttestation(checks, pack, t)),
  );
  const attempts = pack.cycles.flatMap((c) => (Array.isArray(c.quiz_attempts) ? c.quiz_attempts : []));
  checks.held(attempts.length > 0 ? `${plural(attempts.length, "quiz attempt")}: score and result match their "quiz.attempted" audit entries` : null, () => {
    for (const q of attempts) {
      const entry = pack.audit.entries.find((e) => e.action === "quiz.attempted" && e.subject_id === q.id);
      if (!entry) continue; // completeness (check 6) and the manifest name a missing entry
      const d = parseData(entry);
      if (d.score !== undefined && d.score !== q.score) checks.fail(`quiz attempt ${q.id} score was altered: the pack says ${q.score}, audit entry ${entry.seq} recorded ${String(d.score)}`);
      if (d.passed !== undefined && Boolean(d.passed) !== Boolean(q.passed)) checks.fail(`quiz attempt ${q.id} result was altered: audit entry ${entry.seq} recorded ${d.passed ? "passed" : "not passed"}`);
      if (typeof d.rowSha256 === "string" && recordHash(q as unknown as Record<string, unknown>) !== d.rowSha256) {
        checks.fail(`quiz attempt ${q.id} was altered: the record differs from the one audit entry ${entry.seq} holds (row SHA-256)`);
      }
    }
  });
}

function checkPackSha256(checks: Checks, pack: EvidencePack) {
  const recomputed = computePackSha256(pack as unknown as Record<string, unknown>);
  if (recomputed !== pack.packSha256) checks.fail(`the pack was altered after it was produced: packSha256 differs (recorded ${pack.packSha256}, recomputed ${recomputed})`);
  else checks.passed.push(`pack integrity: packSha256 ${pack.packSha256} matches its content`);
}

function checkCompleteness(checks: Checks, pack: EvidencePack, sorted: PackAuditEntry[]) {
  const inPack = new Map<string, Set<string>>([
    ["user", new Set([pack.person.id])],
    ["assignment", new Set(pack.cycles.map((c) => c.id))],
    ["quiz_attempt", new Set(pack.cycles.flatMap((c) => (Array.isArray(c.quiz_attempts) ? c.quiz_attempts.map((q) => q.id) : [])))],
    ["attestation", new Set(pack.attestations.map((t) => t.id))],
    ["electronic_consent", new Set((pack.consents ?? []).map((c) => c.id))],
  ]);
  checks.held("every record the audit entries mention is in the pack", () => {
    for (const e of sorted) {
      const known = e.subject_type ? inPack.get(e.subject_type) : undefined;
      if (known && e.subject_id && !known.has(e.subject_id)) {
        const d = parseData(e);
        const name = e.subject_type === "attestation" && typeof d.code === "string" ? `attestation ${d.code}` : `${e.subject_type?.replace("_", " ")} ${e.subject_id}`;
        checks.fail(`audit entry ${e.seq} (${e.action}) records ${name}, which is missing from the pack`);
      }
    }
  });
}

export function verifyPack(input: unknown, options: VerifyOptions = {}): VerifyReport {
  const checks = new Checks();
  const problem = shapeProblem(input);
  if (problem) return { ok: false, failures: [problem], passed: [], signature: null, credentialChanges: [] };
  const pack = input as EvidencePack;
  const sorted = [...pack.audit.entries].sort((a, b) => a.seq - b.seq);
  checkEntryHashes(checks, pack.audit.entries);
  checkLinks(checks, pack, sorted);
  checkSignedTexts(checks, pack);
  checkRecordsAgainstEntries(checks, pack);
  checkSignatureRecord(checks, pack);
  const credentialChanges = checkCredentialChangeMarks(checks, pack);
  checkPackSha256(checks, pack);
  checkCompleteness(checks, pack, sorted);
  const using = resolveKey(checks, pack, options.publicKeyPem ?? null);
  checkAnchor(checks, pack, using?.key ?? null, options.savedCheckpoint ?? null);
  const signature = checkSignatures(checks, pack, using);
  return { ok: checks.failures.length === 0, failures: checks.failures, passed: checks.passed, signature, credentialChanges };
}

/** Every check, the checkpoint's timestamp token included (asynchronous: WebCrypto). Throws
 * CannotCheck when something could not be judged. */
export async function verifyPackOffline(input: unknown, options: VerifyOptions = {}): Promise<VerifyReport> {
  const report = verifyPack(input, options);
  if (shapeProblem(input)) return report;
  const ts = await verifyPackTimestamp(input as EvidencePack, options.tsaTrustAnchorPem ?? null);
  if (ts.failure) report.failures.push(ts.failure);
  else report.passed.push(ts.note);
  return { ...report, ok: report.failures.length === 0 };
}
