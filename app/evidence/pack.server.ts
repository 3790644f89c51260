// The evidence pack: everything Confidant holds about one person's confidentiality training and
// signatures, in one JSON document (and a PDF made from it) that can be handed to counsel and
// checked offline. Records are copied as stored, under their column names; what Confidant
// derives from them (status, on_time, course_title) sits beside them. The audit entries that
// cover those records come with their hashes, and the pack carries a SHA-256 of itself.
//
// Everything is read in one transaction, so the records, the audit entries and the chain head
// are one consistent snapshot. Producing a pack is itself recorded in the audit log.
import os from "node:os";
import type { Kysely, Transaction } from "kysely";
import { dialectOf } from "../../db/connection";
import type { Assignment, Attestation, DB, ElectronicConsent, QuizAttempt } from "../../db/schema";
import { assignmentStatus, completedOnTime, type AssignmentStatus } from "../assignments/status";
import { sha256Hex } from "../hash.server";
import { signDetached, type InstanceKey } from "../keys/instance-key.server";
import { randomId } from "../ids.server";
import type { AuditAnchorConfig } from "../config.server";
import { readAnchor, type PackAnchor } from "./anchor.server";
import { canonicalJson, computePackSha256 } from "./canonical";
import { PACK_SIGNATURE_ALGORITHM, PACK_SIGNATURE_COVERS, packManifest, packSigningInput, type PackManifest, type PackSignature, type PackSigningKey } from "./signature";
import { storeProducedPack } from "./stored-packs.server";
import { credentialChangeMark, type CredentialChangeMark } from "../audit/credential-change";

export const PACK_FORMAT = "confidant-evidence-pack";
/** 2: signed by the instance key, with the key in the pack. 3: each attestation carries its
 * credential-change mark (`credential_change`), derived from the pack's own audit entries. */
export const PACK_FORMAT_VERSION = 3;

/** How each audit entry's hash is computed (the same as app/audit/audit.server.ts entryHash). */
export const AUDIT_HASH_ALGORITHM =
  "hash = SHA-256 (hex) of the UTF-8 JSON array [seq, at, actor_id, action, subject_type, subject_id, data_json, prev_hash]; " +
  "prev_hash is the previous entry's hash, 64 zeros for entry 1";

export interface PackAuditEntry {
  seq: number;
  at: string;
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  data_json: string;
  prev_hash: string;
  hash: string;
}

export interface PackPerson {
  id: string;
  email: string;
  name: string;
  employee_id: string | null;
  department: string | null;
  title: string | null;
  type: string;
  status: string;
  is_hr: number;
  start_date: string;
  end_date: string | null;
  leave_started_at: string | null;
  created_at: string;
  updated_at: string;
  manager: { id: string; name: string; email: string } | null;
}

export interface PackModuleCompletion {
  module: string;
  content_hash: string;
  completed_at: string;
}

export type PackQuizAttempt = QuizAttempt;

export interface PackCycle extends Assignment {
  /** The course's title as recorded when it was assigned or completed (the course may since
   * have left the catalog). */
  course_title: string;
  /** As of the pack's generatedAt. */
  status: AssignmentStatus;
  on_time: boolean | null;
  modules_completed: PackModuleCompletion[];
  quiz_attempts: PackQuizAttempt[];
  attestation_ids: string[];
}

export interface PackPolicyText {
  policy_id: string;
  version: number;
  title: string;
  statement: string;
  /** The exact text signed (Markdown source); its SHA-256 is the attestation's text_sha256. */
  body: string;
  text_sha256: string;
  material: number;
  changes: string;
  published_on: string;
  validity_months: number | null;
  recorded_at: string;
}

export interface PackAttestation extends Attestation {
  course_id: string;
  course_title: string;
  policy_text: PackPolicyText | null;
  /** For a signature recorded by HR from a paper original: the scan itself (base64). */
  paper_scan?: { sha256: string; media_type: string; byte_size: number; content_base64: string } | null;
  /** Signed within 24 hours after a password set through a link someone else started: computed
   * from this pack's audit entries (the verifier recomputes it); null when not. Format 3 on. */
  credential_change?: PackCredentialChange | null;
}

export interface PackCredentialChange extends CredentialChangeMark {
  /** The name on record of who started the link, when the pack was made. */
  started_by_name: string | null;
}

/** A consent to electronic records, with the exact disclosure text consented to. */
export interface PackConsent extends ElectronicConsent {
  policy_text: PackPolicyText | null;
}

/** The person's consents to electronic records and the scans of their paper originals. */
async function signatureExtras(trx: Transaction<DB>, personId: string, attestations: Attestation[]) {
  const consents = await trx.selectFrom("electronic_consents").selectAll().where("user_id", "=", personId).orderBy("consented_at").orderBy("id").execute();
  const texts = consents.length
    ? await trx
        .selectFrom("policy_versions")
        .selectAll()
        .where((eb) => eb.or(consents.map((c) => eb.and([eb("policy_id", "=", c.policy_id), eb("version", "=", c.policy_version)]))))
        .execute()
    : [];
  const hashes = [...new Set(attestations.map((t) => t.scan_sha256).filter((h): h is string => h !== null))];
  const scans = hashes.length ? await trx.selectFrom("paper_scans").select(["sha256", "media_type", "byte_size", "content"]).where("sha256", "in", hashes).execute() : [];
  return {
    consents: consents.map((c): PackConsent => ({ ...c, policy_text: texts.find((p) => p.policy_id === c.policy_id && p.version === c.policy_version) ?? null })),
    scanOf: (t: Attestation) => {
      const s = scans.find((x) => x.sha256 === t.scan_sha256);
      return s ? { sha256: s.sha256, media_type: s.media_type, byte_size: Number(s.byte_size), content_base64: Buffer.from(s.content).toString("base64") } : null;
    },
  };
}

export interface PackProducer {
  via: "web" | "command line";
  id: string | null;
  name: string | null;
  email: string | null;
  /** For the command line: the operating-system account that ran it. */
  os_user?: string | null;
}

export interface EvidencePack {
  format: typeof PACK_FORMAT;
  formatVersion: number;
  generatedAt: string;
  generatedBy: PackProducer;
  person: PackPerson;
  cycles: PackCycle[];
  attestations: PackAttestation[];
  /** Consents to electronic records (absent in packs made before they existed). */
  consents?: PackConsent[];
  audit: {
    algorithm: string;
    /** Which entries are included. */
    covers: string;
    entries: PackAuditEntry[];
    /** The last entry of the whole audit log when the pack was read. */
    head: { seq: number; hash: string } | null;
  };
  /** Ties the audit entries to the anchored log: checkpoint, inclusion proofs, timestamp (see anchor.server.ts). */
  anchor: PackAnchor;
  /** Each record's SHA-256, signed on its own too (see signature.ts). */
  manifest: PackManifest;
  /** The instance key that signed the pack (inside what is signed). */
  signingKey: PackSigningKey;
  /** Over everything above (see signature.ts). */
  signature: PackSignature;
  /** SHA-256 of the canonical JSON of everything above (see canonical.ts). */
  packSha256: string;
}

export function commandLineProducer(): PackProducer {
  let user: string | null = null;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? null;
  }
  return { via: "command line", id: null, name: null, email: null, os_user: user };
}

async function inSnapshot<T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  // SQLite: one transaction (begun IMMEDIATE) is already a consistent snapshot. PostgreSQL:
  // READ COMMITTED would let each query see newer commits, so ask for a repeatable read.
  const builder = dialectOf(db) === "postgres" ? db.transaction().setIsolationLevel("repeatable read") : db.transaction();
  return builder.execute(fn);
}

type PackBody = Omit<EvidencePack, "packSha256" | "signature" | "signingKey" | "manifest">;
type PackRecords = Pick<EvidencePack, "cycles" | "attestations"> & { consents: PackConsent[] };

async function readPerson(trx: Transaction<DB>, who: { personId: string } | { email: string }): Promise<PackPerson | null> {
  let pq = trx
    .selectFrom("users")
    .select([
      "id", "email", "name", "employee_id", "department", "title", "type", "status", "is_hr",
      "start_date", "end_date", "leave_started_at", "created_at", "updated_at", "manager_id",
    ]);
  pq = "personId" in who ? pq.where("id", "=", who.personId) : pq.where("email", "=", who.email.trim().toLowerCase());
  const row = await pq.executeTakeFirst();
  if (!row) return null;
  const { manager_id, ...personRow } = row;
  const manager = manager_id
    ? ((await trx.selectFrom("users").select(["id", "name", "email"]).where("id", "=", manager_id).executeTakeFirst()) ?? null)
    : null;
  return { ...personRow, manager };
}

/** Every cycle with its modules and attempts, and every attestation with the text signed. */
async function readRecords(trx: Transaction<DB>, person: PackPerson, now: Date): Promise<PackRecords> {
  const assignments = await trx
    .selectFrom("assignments")
    .selectAll()
    .where("user_id", "=", person.id)
    .orderBy("assigned_at", "asc")
    .orderBy("id", "asc")
    .execute();
  const assignmentIds = assignments.map((a) => a.id);
  const courseIds = [...new Set(assignments.map((a) => a.course_id))];
  const [progress, attempts, attestationRows, courseVersions] = await Promise.all([
    assignmentIds.length
      ? trx.selectFrom("module_progress").selectAll().where("assignment_id", "in", assignmentIds).orderBy("completed_at").orderBy("module").execute()
      : [],
    assignmentIds.length
      ? trx.selectFrom("quiz_attempts").selectAll().where("assignment_id", "in", assignmentIds).orderBy("submitted_at").orderBy("id").execute()
      : [],
    trx.selectFrom("attestations").selectAll().where("user_id", "=", person.id).orderBy("signed_at").orderBy("id").execute(),
    courseIds.length
      ? trx
          .selectFrom("course_versions")
          .select(["course_id", "content_hash", "title", "recorded_at"])
          .where("course_id", "in", courseIds)
          .orderBy("recorded_at")
          .execute()
      : [],
  ]);

  const titleOf = (courseId: string, contentHash: string | null) => {
    const versions = courseVersions.filter((v) => v.course_id === courseId);
    return (versions.find((v) => v.content_hash === contentHash) ?? versions[versions.length - 1])?.title ?? courseId;
  };
  const policyTexts = await readPolicyTexts(trx, attestationRows);

  const cycles: PackCycle[] = assignments.map((a) => {
    const modules = progress.filter((p) => p.assignment_id === a.id);
    return {
      ...a,
      course_title: titleOf(a.course_id, a.completed_content_hash),
      status: assignmentStatus({ ...a, started: modules.length > 0 }, now),
      on_time: completedOnTime(a),
      modules_completed: modules.map((p) => ({ module: p.module, content_hash: p.content_hash, completed_at: p.completed_at })),
      quiz_attempts: attempts.filter((q) => q.assignment_id === a.id),
      attestation_ids: attestationRows.filter((t) => t.assignment_id === a.id).map((t) => t.id),
    };
  });
  const extras = await signatureExtras(trx, person.id, attestationRows);
  const attestations: PackAttestation[] = attestationRows.map((t) => {
    const cycle = cycles.find((c) => c.id === t.assignment_id);
    return {
      ...t,
      ...(t.scan_sha256 ? { paper_scan: extras.scanOf(t) } : {}),
      course_id: cycle?.course_id ?? "",
      course_title: cycle?.course_title ?? "",
      policy_text: policyTexts.find((p) => p.policy_id === t.policy_id && p.version === t.policy_version) ?? null,
    };
  });
  return { cycles, attestations, consents: extras.consents };
}

async function readPolicyTexts(trx: Transaction<DB>, attestationRows: Attestation[]) {
  const policyKeys = [...new Map(attestationRows.map((t) => [`${t.policy_id}@${t.policy_version}`, t])).values()];
  if (!policyKeys.length) return [];
  return trx
    .selectFrom("policy_versions")
    .selectAll()
    .where((eb) => eb.or(policyKeys.map((t) => eb.and([eb("policy_id", "=", t.policy_id), eb("version", "=", t.policy_version)]))))
    .execute();
}

/** Entries about the person, their assignments, attempts and attestations (matched by subject
 * type and id, which the audit log's index covers), and the head of the whole log. */
async function readAudit(trx: Transaction<DB>, person: PackPerson, records: PackRecords) {
  const subjects: Array<[string, string[]]> = [
    ["user", [person.id]],
    ["assignment", records.cycles.map((c) => c.id)],
    ["quiz_attempt", records.cycles.flatMap((c) => c.quiz_attempts.map((q) => q.id))],
    ["attestation", records.attestations.map((t) => t.id)],
    ["electronic_consent", records.consents.map((c) => c.id)],
  ];
  const entries = await trx
    .selectFrom("audit_log")
    .selectAll()
    .where((eb) =>
      eb.or(subjects.filter(([, ids]) => ids.length > 0).map(([type, ids]) => eb.and([eb("subject_type", "=", type), eb("subject_id", "in", ids)]))),
    )
    .orderBy("seq", "asc")
    .execute();
  const head = (await trx.selectFrom("audit_log").select(["seq", "hash"]).orderBy("seq", "desc").limit(1).executeTakeFirst()) ?? null;
  return {
    algorithm: AUDIT_HASH_ALGORITHM,
    covers: "every audit entry whose subject is this person, one of their assignments, quiz attempts or attestations",
    entries: entries.map((e) => ({ ...e, seq: Number(e.seq) })),
    head: head ? { seq: Number(head.seq), hash: head.hash } : null,
  };
}

/** Each attestation with its credential-change mark, from the audit entries the pack holds. */
async function markCredentialChanges(trx: Transaction<DB>, attestations: PackAttestation[], entries: PackAuditEntry[]): Promise<PackAttestation[]> {
  const marks = attestations.map((t) => credentialChangeMark(entries, t));
  const ids = [...new Set(marks.flatMap((m) => (m ? [m.started_by] : [])))];
  const names = ids.length ? await trx.selectFrom("users").select(["id", "name"]).where("id", "in", ids).execute() : [];
  return attestations.map((t, i) => {
    const m = marks[i];
    return { ...t, credential_change: m ? { ...m, started_by_name: names.find((n) => n.id === m.started_by)?.name ?? null } : null };
  });
}

/** The person's id, by id or email; null if unknown (checked before anything is written). */
export async function evidencePersonId(db: Kysely<DB>, who: { personId: string } | { email: string }): Promise<string | null> {
  const q = db.selectFrom("users").select("id");
  const row = await ("personId" in who ? q.where("id", "=", who.personId) : q.where("email", "=", who.email.trim().toLowerCase())).executeTakeFirst();
  return row?.id ?? null;
}

/** Reads the pack (unsigned, without its packSha256) for one person, by id or email; null if unknown. */
export async function readEvidence(
  db: Kysely<DB>,
  who: { personId: string } | { email: string },
  { now, generatedBy, anchors = null }: { now: Date; generatedBy: PackProducer; anchors?: AuditAnchorConfig | null },
): Promise<PackBody | null> {
  return inSnapshot(db, async (trx) => {
    const person = await readPerson(trx, who);
    if (!person) return null;
    const records = await readRecords(trx, person, now);
    const audit = await readAudit(trx, person, records);
    const attestations = await markCredentialChanges(trx, records.attestations, audit.entries);
    const anchor = await readAnchor(trx, audit.entries.map((e) => e.seq), anchors);
    return {
      format: PACK_FORMAT,
      formatVersion: PACK_FORMAT_VERSION,
      generatedAt: now.toISOString(),
      generatedBy,
      person,
      ...records,
      attestations,
      audit,
      anchor,
    };
  });
}

export interface ProducedEvidence {
  /** The stored production (evidence_packs.id): both files can be downloaded again by it. */
  id: string;
  pack: EvidencePack;
  /** The JSON file's exact text. */
  json: string;
  jsonSha256: string;
  pdf: Uint8Array | null;
  pdfSha256: string | null;
  /** evidence-<email>-<date>, without extension. */
  baseName: string;
}

export function evidenceBaseName(email: string, at: Date): string {
  const safe = email.replace(/[^A-Za-z0-9@._+-]/g, "_");
  return `evidence-${safe}-${at.toISOString().slice(0, 10)}`;
}

/** The instance key a pack is signed with, and where it is published. */
export interface PackSigner {
  key: InstanceKey;
  publishedAt: string;
  pdfCertificateSha256: string | null;
}

/** The JSON file's text for a pack: what is stored, handed over and hashed as jsonSha256. */
export function packJson(pack: EvidencePack): string {
  return `${JSON.stringify(pack, null, 2)}\n`;
}

/** Adds the signing key, signs, and seals with packSha256. */
export function signPack(body: PackBody, signer: PackSigner): EvidencePack {
  const signingKey: PackSigningKey = {
    algorithm: PACK_SIGNATURE_ALGORITHM,
    publicKeyPem: signer.key.publicKeyPem,
    fingerprint: signer.key.fingerprint,
    publishedAt: signer.publishedAt,
    pdfCertificateSha256: signer.pdfCertificateSha256,
  };
  const manifest = packManifest(body);
  const unsigned = { ...body, manifest, signingKey };
  const signature: PackSignature = {
    covers: PACK_SIGNATURE_COVERS,
    manifest: signDetached(signer.key, canonicalJson(manifest)),
    value: signDetached(signer.key, packSigningInput(unsigned)),
  };
  const signed = { ...unsigned, signature };
  return { ...signed, packSha256: computePackSha256(signed) };
}

/**
 * Builds and signs the pack (and its PDF when asked, from the same snapshot: the PDF states the
 * JSON's SHA-256), stores both by id, and records "evidence.produced" with who asked, whose it
 * is and the SHA-256 of what was handed over, in one transaction. Null when there is no such person.
 */
export async function produceEvidence(
  db: Kysely<DB>,
  input: {
    who: { personId: string } | { email: string };
    generatedBy: PackProducer;
    now: Date;
    formats: Array<"json" | "pdf">;
    signer: PackSigner;
    /** Where the log is anchored (the TSA trust anchor put in the pack). */
    anchors?: AuditAnchorConfig | null;
    /** Renders (and signs) the PDF; passed in so this module stays free of layout code. */
    renderPdf?: (pack: EvidencePack, files: { jsonSha256: string; jsonFileName: string }) => Promise<Uint8Array>;
  },
): Promise<ProducedEvidence | null> {
  const body = await readEvidence(db, input.who, { now: input.now, generatedBy: input.generatedBy, anchors: input.anchors });
  if (!body) return null;
  const pack = signPack(body, input.signer);
  const json = packJson(pack);
  const jsonSha256 = sha256Hex(json);
  const baseName = evidenceBaseName(pack.person.email, input.now);
  const pdf = input.formats.includes("pdf") && input.renderPdf ? await input.renderPdf(pack, { jsonSha256, jsonFileName: `${baseName}.json` }) : null;
  const pdfSha256 = pdf ? sha256Hex(pdf) : null;
  const id = `evp_${randomId()}`;
  await storeProducedPack(db, {
    stored: { id, pack, json, jsonSha256, pdf, pdfSha256, producedBy: input.generatedBy.id, now: input.now },
    audit:
      {
        actorId: input.generatedBy.id,
        action: "evidence.produced",
        subjectType: "user",
        subjectId: pack.person.id,
        data: {
          email: pack.person.email,
          via: input.generatedBy.via,
          ...(input.generatedBy.os_user ? { osUser: input.generatedBy.os_user } : {}),
          formats: input.formats,
          packId: id,
          packSha256: pack.packSha256,
          jsonSha256,
          ...(pdfSha256 ? { pdfSha256 } : {}),
          keyFingerprint: pack.signingKey.fingerprint,
          chainHead: pack.audit.head,
          attestations: pack.attestations.length,
          cycles: pack.cycles.length,
        },
      },
  });
  return { id, pack, json, jsonSha256, pdf, pdfSha256, baseName };
}
