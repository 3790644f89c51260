// Offline verification of an evidence pack: no database, no network, only the JSON file.
// Checks, in this order, and reports every failure (the first one first):
//   1. each audit entry's hash, recomputed exactly as the audit log computes it;
//   2. the links between entries whose sequence numbers are adjacent (prev_hash), and the
//      chain head;
//   3. each attestation's signed text: SHA-256 of the policy text in the pack = text_sha256;
//   4. each attestation is matched by its "attestation.signed" audit entry (same code, text
//      hash, time, assignment, policy and version);
//   5. the pack's own packSha256 over the canonical JSON of the rest (catches any other edit,
//      such as a removed record);
//   6. nothing the audit entries record is missing from the pack.
// Checks 1–4 say precisely what was altered; 5 catches everything else; 6 catches a removal
// by someone who also recomputed packSha256.
import { entryHash, GENESIS_HASH } from "../audit/audit.server";
import { sha256Hex } from "../hash.server";
import { computePackSha256 } from "./canonical";
import type { EvidencePack, PackAttestation, PackAuditEntry } from "./pack.server";
import { PACK_FORMAT } from "./pack.server";

export interface VerifyReport {
  ok: boolean;
  /** Every failed check, the first one first. */
  failures: string[];
  /** What was checked and held, for the summary. */
  passed: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Shape problems that make the checks meaningless; null when the pack can be checked. */
function shapeProblem(pack: unknown): string | null {
  if (!isObject(pack)) return "the file is not an evidence pack (expected a JSON object)";
  if (pack.format !== PACK_FORMAT) return `the file is not an evidence pack (format is ${JSON.stringify(pack.format)}, expected "${PACK_FORMAT}")`;
  if (typeof pack.packSha256 !== "string") return "the pack has no packSha256";
  if (!isObject(pack.person) || typeof pack.person.id !== "string") return "the pack has no person";
  if (!Array.isArray(pack.cycles)) return "the pack has no cycles list";
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
function verifySignatureRecord(pack: EvidencePack, entries: PackAuditEntry[], failures: string[], passed: string[]): void {
  const before = failures.length;
  const consents = pack.consents ?? [];
  let papers = 0;
  for (const t of pack.attestations) {
    if (t.consent_id && !consents.some((c) => c.id === t.consent_id)) failures.push(`${label(t)} relies on consent ${t.consent_id}, which is missing from the pack`);
    if (!t.scan_sha256) continue;
    papers++;
    const scan = t.paper_scan;
    if (!scan || typeof scan.content_base64 !== "string") {
      failures.push(`${label(t)}: the scan of the paper original is missing from the pack`);
      continue;
    }
    const actual = sha256Hex(new Uint8Array(Buffer.from(scan.content_base64, "base64")));
    if (actual !== t.scan_sha256) failures.push(`${label(t)} scan of the paper original was altered: it hashes to ${actual}, the attestation records ${t.scan_sha256}`);
    const entry = entries.find((e) => e.action === "attestation.recorded_from_paper" && e.subject_id === t.id);
    if (entry && parseData(entry).scanSha256 !== t.scan_sha256) failures.push(`${label(t)} scan SHA-256 differs from its audit entry ${entry.seq}`);
  }
  for (const c of consents) {
    const text = c.policy_text;
    if (!text || typeof text.body !== "string" || sha256Hex(text.body) !== c.text_sha256) failures.push(`consent ${c.id}: the disclosure text in the pack does not hash to its text_sha256`);
    const entry = entries.find((e) => e.action === "consent.given" && e.subject_id === c.id);
    if (!entry) failures.push(`consent ${c.id} is not matched by a "consent.given" audit entry`);
    else if (parseData(entry).textSha256 !== c.text_sha256 || entry.at !== c.consented_at) failures.push(`consent ${c.id} does not match its audit entry ${entry.seq}`);
  }
  if (failures.length === before && papers + consents.length > 0) {
    passed.push(`${papers} paper original${papers === 1 ? "" : "s"} (scan SHA-256) and ${consents.length} consent${consents.length === 1 ? "" : "s"} to electronic records checked`);
  }
}

export function verifyPack(input: unknown): VerifyReport {
  const failures: string[] = [];
  const passed: string[] = [];
  const problem = shapeProblem(input);
  if (problem) return { ok: false, failures: [problem], passed };
  const pack = input as EvidencePack;
  const entries = pack.audit.entries;

  // 1. Each entry's hash.
  let altered = 0;
  for (const e of entries) {
    let recomputed: string;
    try {
      recomputed = entryHash(e);
    } catch {
      recomputed = "";
    }
    if (recomputed !== e.hash) {
      altered++;
      failures.push(`audit entry ${e.seq} (${e.action}) was altered: its hash differs from its content`);
    }
  }
  if (altered === 0) passed.push(`${entries.length} audit entr${entries.length === 1 ? "y" : "ies"}: each hash recomputed and matching`);

  // 2. Links between adjacent entries, and the head.
  let links = 0;
  let linkFailures = 0;
  const sorted = [...entries].sort((a, b) => a.seq - b.seq);
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i];
    if (i > 0 && sorted[i - 1].seq === e.seq) {
      linkFailures++;
      failures.push(`audit entry ${e.seq} appears twice`);
      continue;
    }
    if (e.seq === 1) {
      links++;
      if (e.prev_hash !== GENESIS_HASH) {
        linkFailures++;
        failures.push("audit entry 1 does not start the chain (its previous hash is not the genesis hash)");
      }
    } else if (i > 0 && sorted[i - 1].seq === e.seq - 1) {
      links++;
      if (e.prev_hash !== sorted[i - 1].hash) {
        linkFailures++;
        failures.push(`audit entry ${e.seq} does not follow entry ${e.seq - 1} (previous hash differs)`);
      }
    }
  }
  const head = pack.audit.head;
  if (head) {
    const last = sorted[sorted.length - 1];
    if (last && last.seq > head.seq) {
      linkFailures++;
      failures.push(`audit entry ${last.seq} is later than the chain head recorded in the pack (entry ${head.seq})`);
    } else if (last && last.seq === head.seq && last.hash !== head.hash) {
      linkFailures++;
      failures.push(`the chain head recorded in the pack (entry ${head.seq}) differs from that entry's hash`);
    }
  }
  if (linkFailures === 0) passed.push(`${links} link${links === 1 ? "" : "s"} between adjacent audit entries checked`);

  // 3. The signed text.
  let textFailures = 0;
  for (const t of pack.attestations) {
    const text = t.policy_text;
    if (!isObject(text) || typeof text.body !== "string") {
      textFailures++;
      failures.push(`${label(t)}: the text signed is missing from the pack`);
      continue;
    }
    const actual = sha256Hex(text.body);
    if (actual !== t.text_sha256) {
      textFailures++;
      failures.push(`${label(t)} text was altered: SHA-256 differs (the text in the pack hashes to ${actual}, the signature records ${t.text_sha256})`);
    } else if (text.text_sha256 !== t.text_sha256 || text.policy_id !== t.policy_id || text.version !== t.policy_version) {
      textFailures++;
      failures.push(`${label(t)}: the policy text in the pack is labelled as a different policy or version`);
    }
  }
  if (textFailures === 0 && pack.attestations.length > 0) {
    passed.push(`${pack.attestations.length} signed text${pack.attestations.length === 1 ? "" : "s"}: SHA-256 of the text in the pack matches the signature`);
  }

  // 4. Each attestation matched by its audit entry.
  let matchFailures = 0;
  for (const t of pack.attestations) {
    if (t.user_id !== pack.person.id) {
      matchFailures++;
      failures.push(`${label(t)} belongs to someone else (user ${t.user_id}), not ${pack.person.email}`);
    }
    const candidates = entries.filter((e) => e.action === auditActionOf(t) && e.subject_id === t.id);
    const entry = candidates.find((e) => {
      const d = parseData(e);
      return d.code === t.verification_code && d.textSha256 === t.text_sha256;
    });
    if (!entry) {
      matchFailures++;
      const other = candidates[0];
      if (other) {
        const d = parseData(other);
        const what = d.code !== t.verification_code ? "verification code" : "text SHA-256";
        failures.push(`${label(t)} does not match its audit entry ${other.seq} ("${auditActionOf(t)}"): the ${what} differs`);
      } else {
        failures.push(`${label(t)} is not matched by any "${auditActionOf(t)}" audit entry with the same code and text hash`);
      }
      continue;
    }
    const d = parseData(entry);
    if (entry.at !== t.signed_at) {
      matchFailures++;
      failures.push(`${label(t)} signed time was altered: the pack says ${t.signed_at}, audit entry ${entry.seq} recorded ${entry.at}`);
    }
    const expected: Array<[string, unknown, unknown]> = [
      ["assignment", d.assignmentId, t.assignment_id],
      ["policy", d.policyId, t.policy_id],
      ["policy version", d.version, t.policy_version],
    ];
    for (const [what, recorded, inPack] of expected) {
      if (recorded !== undefined && recorded !== inPack) {
        matchFailures++;
        failures.push(`${label(t)} ${what} was altered: the pack says ${String(inPack)}, audit entry ${entry.seq} recorded ${String(recorded)}`);
      }
    }
    if (entry.actor_id !== null && entry.actor_id !== t.user_id && !t.recorded_by) {
      matchFailures++;
      failures.push(`${label(t)} signer was altered: audit entry ${entry.seq} records user ${entry.actor_id}`);
    }
  }
  if (matchFailures === 0 && pack.attestations.length > 0) {
    passed.push(
      `${pack.attestations.length} attestation${pack.attestations.length === 1 ? "" : "s"}: each matched by its "attestation.signed" audit entry (code, text hash, signed time, policy and version)`,
    );
  }

  verifySignatureRecord(pack, entries, failures, passed);

  // 5. The pack as a whole.
  const recomputed = computePackSha256(pack as unknown as Record<string, unknown>);
  if (recomputed !== pack.packSha256) {
    failures.push(`the pack was altered after it was produced: packSha256 differs (recorded ${pack.packSha256}, recomputed ${recomputed})`);
  } else {
    passed.push(`pack integrity: packSha256 ${pack.packSha256} matches its content`);
  }

  // 6. Completeness against the audit trail.
  const inPack = new Map<string, Set<string>>([
    ["user", new Set([pack.person.id])],
    ["assignment", new Set(pack.cycles.map((c) => c.id))],
    ["quiz_attempt", new Set(pack.cycles.flatMap((c) => (Array.isArray(c.quiz_attempts) ? c.quiz_attempts.map((q) => q.id) : [])))],
    ["attestation", new Set(pack.attestations.map((t) => t.id))],
    ["electronic_consent", new Set((pack.consents ?? []).map((c) => c.id))],
  ]);
  let missing = 0;
  for (const e of sorted) {
    const known = e.subject_type ? inPack.get(e.subject_type) : undefined;
    if (known && e.subject_id && !known.has(e.subject_id)) {
      missing++;
      const d = parseData(e);
      const name = e.subject_type === "attestation" && typeof d.code === "string" ? `attestation ${d.code}` : `${e.subject_type?.replace("_", " ")} ${e.subject_id}`;
      failures.push(`audit entry ${e.seq} (${e.action}) records ${name}, which is missing from the pack`);
    }
  }
  if (missing === 0) passed.push("every record the audit entries mention is in the pack");

  return { ok: failures.length === 0, failures, passed };
}
