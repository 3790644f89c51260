// Paper signatures: HR records that a person signed a policy on paper, with a scan of the
// original. The scan is kept in the database (paper_scans, by its SHA-256; decision 012), its
// type checked by its first bytes, not its name; the attestation carries who recorded it, why,
// the date on the paper and the scan's hash, and says "recorded by HR from a paper original".
import { z } from "zod";
import { fieldErrorsOf } from "../forms";
import type { Db } from "../../db/connection";
import { addMonths, type Clock } from "../clock";
import { policyStatement, type Catalog } from "../courses/catalog.server";
import { sha256Hex } from "../hash.server";
import { randomId, verificationCode } from "../ids.server";
import { completeIfDone, LearningError } from "../learning/progress.server";
import { insertAttestation } from "./attestations.server";
import { SIGNING_LOCALE } from "./signing-context.server";

export const MAX_SCAN_BYTES = 10 * 1024 * 1024;
export const SCAN_TOO_LARGE = "That scan is larger than 10 MB. Scan it at a lower resolution, or as a PDF, and upload it again.";
export const PAPER_INTENT_LABEL = "Handwritten signature on the paper original";
export const PAPER_AUTH_METHOD = "Handwritten signature on a paper original; recorded by HR";

export type ScanType = "application/pdf" | "image/png" | "image/jpeg";

/** The file's type from its first bytes (its "magic number"); null for anything else. */
export function sniffScanType(bytes: Uint8Array): ScanType | null {
  const starts = (sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return "application/pdf"; // %PDF-
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  return null;
}

export const SCAN_EXTENSION: Record<ScanType, string> = { "application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg" };

const isoDay = /^\d{4}-\d{2}-\d{2}$/;
export const paperFormSchema = z.object({
  assignment: z.string({ required_error: "Choose the assignment the paper signature is for." }).regex(/^[A-Za-z0-9_-]{1,64}$/, "Choose the assignment the paper signature is for."),
  version: z.coerce.number({ invalid_type_error: "Choose the policy version on the paper." }).int().min(1, "Choose the policy version on the paper."),
  signedOn: z
    .string({ required_error: "Give the date written on the paper." })
    .regex(isoDay, "Give the date written on the paper (YYYY-MM-DD).")
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "That is not a real date."),
  name: z.string().trim().max(200, "That name is too long.").optional(),
  reason: z.string({ required_error: "Say why this is recorded from paper." }).trim().min(1, "Say why this is recorded from paper.").max(2000, "Keep the reason under 2,000 characters."),
});

export type PaperResult = { ok: true; code: string } | { ok: false; status: 400 | 404 | 409 | 413; fieldErrors: Record<string, string>; formError: string };

const NOT_RECORDED = "Nothing was recorded. Please correct the fields below.";

/** Checks the scan: present, within the size limit, and really a PDF, PNG or JPEG. */
export function checkScan(scan: { name: string; bytes: Uint8Array } | null): { ok: true; type: ScanType; sha256: string } | { ok: false; status: 400 | 413; message: string } {
  if (!scan || scan.bytes.length === 0) return { ok: false, status: 400, message: "Attach a scan of the signed paper (PDF, PNG or JPEG)." };
  if (scan.bytes.length > MAX_SCAN_BYTES) return { ok: false, status: 413, message: SCAN_TOO_LARGE };
  const type = sniffScanType(scan.bytes);
  if (!type) return { ok: false, status: 400, message: `"${scan.name.slice(0, 100)}" is not a PDF, PNG or JPEG file (whatever its name says). Upload the scan itself.` };
  return { ok: true, type, sha256: sha256Hex(scan.bytes) };
}

async function paperTarget(db: Db, catalog: Catalog, personId: string, assignmentId: string, versionNumber: number) {
  const row = await db
    .selectFrom("assignments as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .selectAll("a")
    .select(["u.name as person_name", "u.email as person_email"])
    .where("a.id", "=", assignmentId)
    .where("a.user_id", "=", personId)
    .executeTakeFirst();
  if (!row) return null;
  const { person_name, person_email, ...assignment } = row;
  const course = catalog.courses.get(assignment.course_id);
  const policy = course?.meta.policy ? catalog.policies.get(course.meta.policy) : undefined;
  if (!course || !policy) return null;
  const version = policy.versions.find((v) => v.version === versionNumber) ?? null;
  return { assignment, course, policy, version, person: { id: personId, name: person_name, email: person_email } };
}

/** HR records a paper signature. Anyone else, or a person or assignment that is not there: 404. */
export async function recordPaperSignature(
  db: Db,
  input: { viewer: { id: string; is_hr: number }; personId: string; fields: Record<string, string>; scan: { name: string; bytes: Uint8Array } | null; catalog: Catalog; ip: string | null; userAgent: string | null },
  clock: Clock,
): Promise<PaperResult> {
  const { viewer } = input;
  if (!viewer.is_hr) return { ok: false, status: 404, fieldErrors: {}, formError: "There is no such person." };
  const parsed = paperFormSchema.safeParse(input.fields);
  if (!parsed.success) return { ok: false, status: 400, fieldErrors: fieldErrorsOf(parsed.error.issues) as Record<string, string>, formError: NOT_RECORDED };
  const form = parsed.data;
  const now = clock();
  if (form.signedOn > now.toISOString().slice(0, 10)) return { ok: false, status: 400, fieldErrors: { signedOn: "The date on the paper cannot be in the future." }, formError: NOT_RECORDED };
  const scan = checkScan(input.scan);
  if (!scan.ok) return { ok: false, status: scan.status, fieldErrors: { scan: scan.message }, formError: NOT_RECORDED };
  const target = await paperTarget(db, input.catalog, input.personId, form.assignment, form.version);
  if (!target) return { ok: false, status: 404, fieldErrors: {}, formError: "There is no such assignment with an agreement for this person." };
  const { assignment, course, policy, version, person } = target;
  if (!version) return { ok: false, status: 400, fieldErrors: { version: `${policy.title} has no version ${form.version}.` }, formError: NOT_RECORDED };
  const signed = await db.selectFrom("attestations").select("verification_code").where("assignment_id", "=", assignment.id).where("policy_id", "=", policy.id).where("policy_version", "=", version.version).where("outcome", "=", "signed").executeTakeFirst();
  if (signed) return { ok: false, status: 409, fieldErrors: {}, formError: `${person.name} has already signed version ${version.version} for this assignment (receipt ${signed.verification_code}).` };

  const at = now.toISOString();
  const paperDay = `${form.signedOn}T00:00:00.000Z`;
  const row = {
    id: `sig_${randomId()}`,
    verification_code: verificationCode(),
    user_id: person.id,
    assignment_id: assignment.id,
    policy_id: policy.id,
    policy_version: version.version,
    policy_title: policy.title,
    text_sha256: version.sha256,
    statement: policyStatement(policy, version.version),
    intent_label: PAPER_INTENT_LABEL,
    printed_name: form.name || person.name,
    profile_name: person.name,
    email: person.email,
    auth_method: PAPER_AUTH_METHOD,
    presented_at: at,
    signed_at: at,
    expires_at: policy.validityMonths ? addMonths(paperDay, policy.validityMonths) : null,
    ip: input.ip,
    user_agent: input.userAgent?.slice(0, 512) ?? null,
    quiz_attempt_id: null,
    recorded_by: viewer.id,
    on_behalf_reason: form.reason,
    outcome: "signed" as const,
    locale: SIGNING_LOCALE,
    paper_signed_on: form.signedOn,
    scan_sha256: scan.sha256,
    seconds_on_text: null,
  };
  const data = { code: row.verification_code, assignmentId: assignment.id, policyId: policy.id, version: version.version, textSha256: version.sha256, scanSha256: scan.sha256, paperSignedOn: form.signedOn, reason: form.reason, userId: person.id };
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto("paper_scans")
        .values({ sha256: scan.sha256, media_type: scan.type, byte_size: input.scan!.bytes.length, content: Buffer.from(input.scan!.bytes), uploaded_by: viewer.id, uploaded_at: at })
        .onConflict((oc) => oc.column("sha256").doNothing())
        .execute();
      await insertAttestation(trx, { policy, row, audit: { actorId: viewer.id, action: "attestation.recorded_from_paper", data } }, now);
      await completeIfDone(trx, { assignment, course, actorId: viewer.id }, now);
    });
  } catch (e) {
    if (e instanceof LearningError) return { ok: false, status: 409, fieldErrors: {}, formError: e.message };
    throw e;
  }
  return { ok: true, code: row.verification_code };
}

/** The scan behind a paper signature, for HR only (anyone else: null, and the route answers 404). */
export async function getPaperScan(db: Db, { viewer, code }: { viewer: { is_hr: number }; code: string }) {
  if (!viewer.is_hr) return null;
  const row = await db
    .selectFrom("attestations as t")
    .innerJoin("paper_scans as s", "s.sha256", "t.scan_sha256")
    .select(["s.content", "s.media_type", "s.sha256", "t.verification_code"])
    .where("t.verification_code", "=", code.toUpperCase())
    .executeTakeFirst();
  if (!row) return null;
  const type = row.media_type as ScanType;
  return { body: new Uint8Array(row.content), contentType: type, fileName: `paper-original-${row.verification_code}.${SCAN_EXTENSION[type] ?? "bin"}`, sha256: row.sha256 };
}

/** The assignments a paper signature can be recorded for: the person's, with an agreement. */
export async function paperChoices(db: Db, { viewer, personId, catalog }: { viewer: { is_hr: number }; personId: string; catalog: Catalog }) {
  if (!viewer.is_hr) return null;
  const person = await db.selectFrom("users").select(["id", "name", "email"]).where("id", "=", personId).executeTakeFirst();
  if (!person) return null;
  const rows = await db.selectFrom("assignments").select(["id", "course_id", "cycle", "completed_at"]).where("user_id", "=", personId).orderBy("assigned_at", "desc").execute();
  const choices = rows.flatMap((a) => {
    const course = catalog.courses.get(a.course_id);
    const policy = course?.meta.policy ? catalog.policies.get(course.meta.policy) : undefined;
    if (!course || !policy) return [];
    return [{ id: a.id, label: `${course.meta.title} (${a.cycle})`, completed: a.completed_at !== null, policyTitle: policy.title, versions: policy.versions.map((v) => v.version) }];
  });
  return { person, choices };
}
