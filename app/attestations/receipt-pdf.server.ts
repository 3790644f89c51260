/**
 * Renders an attestation receipt as a PDF: the printable counterpart of the web receipt at
 * /receipts/<code>. It is meant to be read by a person (an attorney, an auditor), so it states
 * the signature manifestation (who signed, when, and what the signature means) up front, then
 * the evidence behind it, and optionally the full text that was signed.
 *
 * The pages are laid out by app/pdf/ (standard fonts, layout, Markdown), as the evidence pack's.
 */
import type { PDFDocument } from "pdf-lib";
import { formatDuration, formatUtc, parseIso, percent } from "../pdf/format";
import {
  ACCENT, BOX_FILL, CONTENT_WIDTH, createDocument, describeDocument, drawFootLine, INK, Layout, LINE_FACTOR, MARGIN_X, MUTED,
  type Fonts, type Piece, type Row, type Style,
} from "../pdf/layout.server";
import { renderMarkdown } from "../pdf/markdown.server";
import { losesCharacters, wrapText } from "../pdf/text.server";
import { credentialChangeSentence, type CredentialChangeKind } from "../audit/credential-change";

/** What a receipt shows; the same facts as the web receipt at `verifyUrl`. */
export interface ReceiptView {
  verificationCode: string; // e.g. "7QK4-M2PX-9HDA-3RTE"
  printedName: string; // the name the person typed when signing
  profileName: string; // their name on record
  email: string;
  signedAt: string; // ISO-8601 UTC
  presentedAt: string; // ISO-8601 UTC: when the policy text was shown to them
  statement: string; // the meaning of the signature: "I have read, understood and agree to …"
  intentLabel: string; // wording of the checkbox they ticked
  authMethod: string;
  policyId: string;
  policyTitle: string;
  policyVersion: number;
  textSha256: string; // SHA-256 (hex) of the exact policy text shown
  courseTitle: string | null;
  quizScore: number | null; // percent, of the quiz attempt that gated the signature
  quizAttemptId: string | null;
  expiresAt: string | null; // ISO-8601 UTC; null: does not expire
  ip: string | null;
  userAgent: string | null;
  verifyUrl: string; // absolute URL of the web receipt
  outcome?: "signed" | "declined";
  authStrength?: string | null; // e.g. "Password re-entered at signing"
  locale?: string | null; // the language the text was shown in
  templateVersion?: string | null; // version of the signing page's wording
  sessionSha256?: string | null; // SHA-256 of the session id
  secondsOnText?: number | null; // from the text shown to the signature, in seconds
  declineReason?: string | null;
  consent?: { id: string; version: number; at: string } | null; // the consent to electronic records relied on
  paper?: { recordedBy: string; reason: string; signedOn: string | null; scanSha256: string | null } | null;
  /** Signed within 24 hours after a password set through a link someone else started. */
  credentialChange?: { at: string; kind: CredentialChangeKind; startedByName: string } | null;
  /** The policy's Markdown source; when given it is reproduced after the receipt. */
  policyText?: string;
}

const GEOMETRY = { marginBottom: 72, labelWidth: 132, labelGap: 10, headingGap: 2 }; // 72: room for the footer
/** A section heading stays on a page with at least two rows of its section. */
const KEEP_WITH_HEADING = 30;
type ReceiptLayout = Layout<"small" | "mono" | "muted">;

function receiptStyles({ regular, mono }: Fonts) {
  return {
    small: { font: regular, size: 9, color: INK },
    mono: { font: mono, size: 9, color: INK },
    muted: { font: regular, size: 9, color: MUTED },
  };
}

// ---------------------------------------------------------------------------------------------
// The receipt

function namesMatch(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize("NFC").trim().replace(/\s+/g, " ").toLocaleLowerCase("en");
  return norm(a) === norm(b);
}

function drawTitle(layout: ReceiptLayout, r: ReceiptView): void {
  layout.titleBlock({
    title: "Attestation receipt",
    subtitle: "Confidant \u00B7 record of an electronic signature",
    caption: "VERIFICATION CODE",
    value: { text: r.verificationCode, style: { font: layout.fonts.mono, size: 11, color: INK } },
    intro:
      `This receipt records that the person named below electronically signed the policy described ` +
      `under "What was signed". Check it at ${r.verifyUrl}.`,
  });
}

/** The boxed statement of who signed, when, and what the signature means. */
function drawManifestation(layout: ReceiptLayout, r: ReceiptView, lossy: boolean): void {
  const { regular, bold, mono } = layout.fonts;
  const pad = 14;
  const innerX = MARGIN_X + pad;
  const innerWidth = CONTENT_WIDTH - 2 * pad;
  const heading: Style = { font: bold, size: 11, color: ACCENT };

  const rows: Row[] = [
    { label: "Signed by", value: [{ text: r.printedName, style: { font: bold, size: 14, color: INK } }] },
    {
      label: "Date and time",
      value: [
        { text: formatUtc(r.signedAt), style: { font: bold, size: 11, color: INK } },
        { text: r.signedAt, style: { font: mono, size: 9, color: MUTED } },
      ],
    },
    {
      label: "Meaning of the signature",
      value: [{ text: r.statement, style: { font: regular, size: 10.5, color: INK } }],
    },
  ];
  const measured = rows.map((row) => layout.measureRow(row, innerWidth - layout.labelWidth));
  const note = lossy
    ? wrapText(
        'Characters that this PDF\'s fonts cannot show are printed as "?". The web receipt at the ' +
          "verification address shows every name and text exactly as recorded.",
        regular, 8, innerWidth,
      )
    : [];
  const headingHeight = heading.size * LINE_FACTOR + 6;
  const noteHeight = note.length > 0 ? note.length * 8 * LINE_FACTOR + 4 : 0;
  const height = pad + headingHeight + measured.reduce((h, m) => h + m.height, 0) + noteHeight + pad - 4;

  layout.gap(14);
  // Only absurdly long values make the block taller than a page; it then flows unboxed.
  const boxed = height <= layout.contentHeight;
  if (boxed) layout.ensure(height);
  const top = layout.y;
  if (boxed) {
    layout.page.drawRectangle({
      x: MARGIN_X,
      y: top - height,
      width: CONTENT_WIDTH,
      height,
      color: BOX_FILL,
      borderColor: ACCENT,
      borderWidth: 1.25,
    });
  }
  layout.gap(pad - 4);
  layout.line("Signature manifestation", heading, innerX);
  layout.gap(6);
  for (const m of measured) layout.drawMeasuredRow(m, innerX);
  if (note.length > 0) {
    layout.gap(4);
    for (const l of note) layout.line(l, { font: regular, size: 8, color: MUTED }, innerX);
  }
  if (boxed) layout.y = top - height;
}

function drawDetails(layout: ReceiptLayout, r: ReceiptView): void {
  const body = layout.style("small");
  const mono = layout.style("mono");
  const muted = layout.style("muted");
  const text = (t: string): Piece[] => [{ text: t, style: body }];
  const code = (t: string): Piece[] => [{ text: t, style: mono }];
  const time = (iso: string): Piece[] => text(parseIso(iso) ? `${formatUtc(iso)}  (${iso})` : iso);
  const section = (title: string, rows: Row[]) => {
    // Keep a section on one page when it fits on one, rather than orphaning its last rows.
    const height = rows.reduce((h, row) => h + layout.measureRow(row, CONTENT_WIDTH - layout.labelWidth).height, 0);
    if (layout.headingHeight + height <= layout.contentHeight) layout.ensure(layout.headingHeight + height);
    layout.heading(title, KEEP_WITH_HEADING);
    for (const row of rows) layout.row(row);
  };

  section("What was signed", [
    { label: "Policy", value: text(r.policyTitle) },
    { label: "Policy id", value: code(r.policyId) },
    { label: "Version", value: text(String(r.policyVersion)) },
    { label: "SHA-256 of the text", value: [{ text: r.textSha256, style: { ...mono, even: true } }] },
    {
      label: "Full text",
      value: [{
        text: r.policyText !== undefined
          ? "Reproduced after this receipt."
          : "Not included in this PDF; identified by the SHA-256 above.",
        style: muted,
      }],
    },
  ]);

  const duration = formatDuration(r.presentedAt, r.signedAt);
  section("How it was signed", [
    { label: "Intent confirmed", value: text(`Ticked the box "${r.intentLabel}"`) },
    { label: "Name typed at signing", value: text(r.printedName) },
    {
      label: "Name on record",
      value: text(
        `${r.profileName}  (${namesMatch(r.printedName, r.profileName) ? "matches" : "differs from"} the typed name)`,
      ),
    },
    { label: "Email", value: text(r.email) },
    { label: "Authentication", value: text(r.authMethod) },
    ...(r.credentialChange
      ? [{ label: "Password history", value: text(credentialChangeSentence({ ...r.credentialChange, at: formatUtc(r.credentialChange.at) })) }]
      : []),
    { label: "Text presented at", value: time(r.presentedAt) },
    ...(duration ? [{ label: "Time before signing", value: text(duration) }] : []),
    { label: "IP address", value: r.ip ? code(r.ip) : [{ text: "Not recorded", style: muted }] },
    { label: "User agent", value: r.userAgent ? text(r.userAgent) : [{ text: "Not recorded", style: muted }] },
    ...contextRows(r, text, code),
  ]);

  const training: Row[] = [];
  if (r.courseTitle !== null) training.push({ label: "Course", value: text(r.courseTitle) });
  if (r.quizScore !== null) training.push({ label: "Quiz score", value: text(percent(r.quizScore)) });
  if (r.quizAttemptId !== null) training.push({ label: "Quiz attempt id", value: code(r.quizAttemptId) });
  if (training.length > 0) {
    section("Training", training);
  } else {
    layout.heading("Training", KEEP_WITH_HEADING);
    layout.paragraph("No course or quiz was linked to this signature.", muted);
  }

  section("Validity", [
    {
      label: "Expires",
      value: r.expiresAt !== null ? time(r.expiresAt) : text("Does not expire"),
    },
  ]);
}

/** Outcome, paper original, consent, authentication strength, time on the text, locale, template, session: each when recorded. */
function contextRows(r: ReceiptView, text: (t: string) => Piece[], code: (t: string) => Piece[]): Row[] {
  const rows: Row[] = [];
  if (r.outcome === "declined") {
    rows.push({ label: "Outcome", value: text('Declined ("I do not agree")') });
    rows.push({ label: "Reason given", value: text(r.declineReason || "None given") });
  }
  if (r.paper) {
    rows.push({ label: "Paper original", value: text(`Recorded by HR from a paper original, by ${r.paper.recordedBy}. Reason: ${r.paper.reason}`) });
    if (r.paper.signedOn) rows.push({ label: "Date on the paper", value: text(r.paper.signedOn) });
    if (r.paper.scanSha256) rows.push({ label: "SHA-256 of the scan", value: code(r.paper.scanSha256) });
  }
  if (r.consent) rows.push({ label: "Consent to e-records", value: text(`Version ${r.consent.version}, given ${formatUtc(r.consent.at)} (record ${r.consent.id})`) });
  if (r.authStrength) rows.push({ label: "Authentication strength", value: text(r.authStrength) });
  if (r.secondsOnText != null) rows.push({ label: "Time on the text", value: text(`${r.secondsOnText} seconds`) });
  if (r.locale) rows.push({ label: "Locale", value: code(r.locale) });
  if (r.templateVersion) rows.push({ label: "Signing page template", value: code(r.templateVersion) });
  if (r.sessionSha256) rows.push({ label: "Session (SHA-256)", value: code(r.sessionSha256) });
  return rows;
}

function drawPolicyText(layout: ReceiptLayout, r: ReceiptView, source: string): void {
  layout.addPage();
  layout.paragraph(`Text signed (version ${r.policyVersion}, SHA-256 ${r.textSha256})`, {
    font: layout.fonts.bold,
    size: 12,
    color: ACCENT,
  });
  layout.gap(2);
  layout.paragraph(
    `${r.policyTitle} (policy id ${r.policyId}). Reproduced from the Markdown source shown to the ` +
      "signer; formatting is simplified.",
    layout.style("muted"),
  );
  layout.gap(8);
  layout.rule();
  layout.gap(6);
  renderMarkdown(layout, source);
}

/** Verification code, verify URL and "Page N of M" at the foot of every page. */
function drawFooters(doc: PDFDocument, fonts: Fonts, r: ReceiptView): void {
  const pages = doc.getPages();
  const size = 8;
  pages.forEach((page, i) => {
    const y = GEOMETRY.marginBottom - 28;
    drawFootLine(page, fonts, {
      y,
      prefix: "Attestation receipt  \u00B7  verification code ",
      value: r.verificationCode,
      valueSize: size,
      right: `Page ${i + 1} of ${pages.length}`,
    });
    // The URL gets its own line(s); at most two, which any sane URL fits in.
    const urlPrefix = "Verify at ";
    const prefixWidth = fonts.regular.widthOfTextAtSize(urlPrefix, size);
    const urlLines = wrapText(r.verifyUrl, fonts.regular, size, CONTENT_WIDTH - prefixWidth).slice(0, 2);
    page.drawText(urlPrefix, { x: MARGIN_X, y: y - 12, font: fonts.regular, size, color: MUTED });
    urlLines.forEach((l, j) => {
      page.drawText(l, { x: MARGIN_X + prefixWidth, y: y - 12 - j * 10, font: fonts.regular, size, color: ACCENT });
    });
  });
}

export async function renderReceiptPdf(receipt: ReceiptView): Promise<Uint8Array> {
  const { doc, fonts } = await createDocument();
  describeDocument(doc, {
    title: `Attestation receipt ${receipt.verificationCode}`,
    subject: receipt.policyTitle,
    at: parseIso(receipt.signedAt),
  });

  const lossy = [
    receipt.printedName, receipt.profileName, receipt.email, receipt.statement, receipt.intentLabel,
    receipt.authMethod, receipt.policyTitle, receipt.policyId, receipt.courseTitle ?? "",
    receipt.userAgent ?? "", receipt.policyText ?? "",
  ].some(losesCharacters);

  const layout: ReceiptLayout = new Layout(doc, fonts, GEOMETRY, receiptStyles(fonts));
  drawTitle(layout, receipt);
  drawManifestation(layout, receipt, lossy);
  drawDetails(layout, receipt);
  if (receipt.policyText !== undefined) drawPolicyText(layout, receipt, receipt.policyText);
  drawFooters(doc, fonts, receipt);

  return doc.save();
}
