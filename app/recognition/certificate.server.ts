// Certificates of completion: one per completed course cycle, for the person to keep. Only the
// person (and HR) can download one; the query says so in its WHERE clause.
import { teamIds } from "../people/org.server";
import type { Kysely } from "kysely";
import { rgb } from "pdf-lib";
import type { AssignmentReason, DB } from "../../db/schema";
import type { Catalog } from "../courses/catalog.server";
import { courseTitle, recordedTitle } from "../courses/titles.server";
import { formatDate } from "../components/format";
import { completedOnTime } from "../assignments/status";
import { percent } from "../pdf/format";
import { ACCENT, createDocument, describeDocument, INK } from "../pdf/layout.server";
import { toWinAnsi, wrapText } from "../pdf/text.server";

export interface CertificateView {
  assignmentId: string;
  personName: string;
  courseTitle: string;
  cycle: string;
  reason: AssignmentReason;
  completedAt: string;
  dueAt: string;
  /** When this completion runs out and the course is due again; null when it does not expire. */
  expiresAt: string | null;
  onTime: boolean;
  /** Percent, of the passing quiz attempt; null when the cycle had no quiz. */
  score: number | null;
  /** The signed agreement's receipt code, when the course ends with a signature. */
  receiptCode: string | null;
  contentHash: string | null;
  verifyUrl: string | null;
}

/** A completed cycle's certificate for its person, their managers, or HR; null for anyone else and for cycles
 * not completed (or exempt, or cancelled). */
export async function getCertificate(
  db: Kysely<DB>,
  {
    viewer,
    assignmentId,
    catalog,
    origin,
  }: {
    viewer: { id: string; is_hr: number };
    assignmentId: string;
    catalog: Catalog;
    origin: string;
  },
): Promise<CertificateView | null> {
  let q = db
    .selectFrom("assignments as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .leftJoin("attestations as t", (j) => j.onRef("t.assignment_id", "=", "a.id").on("t.outcome", "=", "signed"))
    .select((eb) => [
      "a.id",
      "a.course_id",
      "a.cycle",
      "a.reason",
      "a.due_at",
      "a.completed_at",
      "a.completed_content_hash",
      "a.expires_at",
      "u.name",
      "t.verification_code",
      eb
        .selectFrom("quiz_attempts as q")
        .select((e) => e.fn.max("q.score").as("s"))
        .whereRef("q.assignment_id", "=", "a.id")
        .where("q.passed", "=", 1)
        .as("score"),
      recordedTitle(eb),
    ])
    .where("a.id", "=", assignmentId)
    .where("a.completed_at", "is not", null)
    .where("a.exempted_at", "is", null)
    .where("a.cancelled_at", "is", null);
  // The person, HR, or anyone above the person in the reporting tree (their managers).
  if (!viewer.is_hr) q = q.where((eb) => eb.or([eb("a.user_id", "=", viewer.id), eb("a.user_id", "in", teamIds(db, viewer.id))]));
  const r = await q.executeTakeFirst();
  if (!r || !r.completed_at) return null;
  return {
    assignmentId: r.id,
    personName: r.name,
    courseTitle: courseTitle(catalog, r.course_id, r.recorded_title),
    cycle: r.cycle,
    reason: r.reason,
    completedAt: r.completed_at,
    dueAt: r.due_at,
    expiresAt: r.expires_at,
    onTime: completedOnTime(r) === true,
    score: r.score === null || r.score === undefined ? null : Number(r.score),
    receiptCode: r.verification_code ?? null,
    contentHash: r.completed_content_hash,
    verifyUrl: r.verification_code ? `${origin}/receipts/${r.verification_code}` : null,
  };
}

const CYCLE_WORDS: Record<AssignmentReason, string> = {
  onboarding: "Onboarding",
  annual: "Annual renewal",
  policy_change: "Policy change",
  leaving: "Leaving the company",
  manual: "Assigned by HR",
};

/** "Onboarding", or "Assigned by HR (incident-2027-03)": the cycle's name only where it adds something. */
export function cycleWords(c: Pick<CertificateView, "reason" | "cycle">): string {
  const words = CYCLE_WORDS[c.reason];
  return c.cycle === c.reason || c.cycle.toLowerCase() === words.toLowerCase() ? words : `${words} (${c.cycle})`;
}

// A4 landscape, in points.
const W = 841.89;
const H = 595.28;
const MUTED = rgb(0.36, 0.39, 0.45); // a shade darker than the receipts': on a framed page it reads better

/** The certificate as a one-page PDF. Standard fonts only (WinAnsi), like the receipts; the same
 * record always renders to the same bytes. */
/** The download's name: `confidant-certificate-` and the course and cycle in lower-case words. */
export function certificateFileName(c: Pick<CertificateView, "courseTitle" | "cycle">): string {
  const slug = `${c.courseTitle}-${c.cycle}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 80);
  return `confidant-certificate-${slug}.pdf`;
}

export async function renderCertificatePdf(c: CertificateView): Promise<Uint8Array> {
  const { doc, fonts } = await createDocument();
  const { regular, bold, mono } = fonts;
  describeDocument(doc, {
    title: toWinAnsi(`Certificate of completion: ${c.courseTitle}`),
    subject: toWinAnsi(`${c.personName}, ${c.courseTitle}, ${c.cycle}`),
    at: new Date(c.completedAt),
  });

  const page = doc.addPage([W, H]);
  page.drawRectangle({
    x: 24,
    y: 24,
    width: W - 48,
    height: H - 48,
    borderColor: ACCENT,
    borderWidth: 2.5,
  });
  page.drawRectangle({
    x: 32,
    y: 32,
    width: W - 64,
    height: H - 64,
    borderColor: ACCENT,
    borderWidth: 0.75,
  });

  // `y` is the top of the next line: each line moves down by its own size first, so large and
  // small lines never overlap, then leaves a little leading below itself.
  let y = H - 96;
  const centre = (text: string, font: typeof regular, size: number, color = INK) => {
    for (const line of wrapText(text, font, size, W - 200)) {
      y -= size;
      const width = font.widthOfTextAtSize(line, size);
      page.drawText(line, { x: (W - width) / 2, y, font, size, color });
      y -= size * 0.4;
    }
  };

  centre("CONFIDANT", bold, 11, ACCENT);
  y -= 10;
  centre("Certificate of completion", bold, 34);
  y -= 8;
  page.drawLine({ start: { x: W / 2 - 60, y }, end: { x: W / 2 + 60, y }, thickness: 1, color: ACCENT });
  y -= 30;
  centre("This certifies that", regular, 13, MUTED);
  y -= 6;
  centre(c.personName, bold, 30);
  y -= 10;
  centre("has completed the course", regular, 13, MUTED);
  y -= 6;
  centre(c.courseTitle, bold, 20, ACCENT);
  y -= 22;
  const facts = [
    cycleWords(c),
    `Completed ${formatDate(c.completedAt)} (UTC)`,
    c.onTime ? `On time (due ${formatDate(c.dueAt)})` : `After the due date of ${formatDate(c.dueAt)}`,
  ];
  centre(facts.join("  \u00B7  "), regular, 12);
  y -= 4;
  centre(c.expiresAt ? `Valid until ${formatDate(c.expiresAt)}, when it is due again` : "This course does not expire", regular, 12);
  y -= 4;
  if (c.score !== null) centre(`Quiz passed with ${percent(c.score)}`, regular, 12);

  // Reference block at the foot: what ties this paper to the record.
  let fy = 96;
  const foot = (label: string, value: string, font = mono) => {
    const l = toWinAnsi(label);
    const v = toWinAnsi(value);
    const total = regular.widthOfTextAtSize(l, 9) + font.widthOfTextAtSize(v, 9);
    const x = (W - total) / 2;
    page.drawText(l, { x, y: fy, font: regular, size: 9, color: MUTED });
    page.drawText(v, {
      x: x + regular.widthOfTextAtSize(l, 9),
      y: fy,
      font,
      size: 9,
      color: INK,
    });
    fy -= 13;
  };
  foot("Reference: ", c.assignmentId);
  if (c.receiptCode) foot("Signed agreement, receipt code: ", c.receiptCode);
  if (c.contentHash) foot("Course content version: ", c.contentHash.slice(0, 16));
  if (c.verifyUrl) foot("Check it at ", c.verifyUrl, regular);
  const note = toWinAnsi("Issued by Confidant from the training record. The record itself is the evidence; this page is for you to keep.");
  page.drawText(note, {
    x: (W - regular.widthOfTextAtSize(note, 8)) / 2,
    y: fy - 4,
    font: regular,
    size: 8,
    color: MUTED,
  });
  return doc.save();
}
