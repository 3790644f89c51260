/**
 * The evidence pack as a PDF for an attorney: a cover page (who the person is, a summary, the
 * signed agreements and how to check the pack), a table of every training cycle with its quiz
 * attempts, then each attestation's receipt exactly as /receipts/<code>/pdf renders it, with
 * the full text signed. The receipts are rendered by receipt-pdf.server.ts and copied in page
 * by page, so a receipt reads the same in the pack as on its own.
 *
 * Every page carries a running header naming the person and "Page N of M" for the whole pack.
 */
import { PDFDocument, rgb } from "pdf-lib";
import { AUTH_STRENGTH_LABEL } from "../attestations/signing-context.server";
import { renderReceiptPdf, type ReceiptView } from "../attestations/receipt-pdf.server";
import { STATUS_LABEL } from "../assignments/status";
import { formatUtc, longDate, parseIso, percent, shortDate, shortTime } from "../pdf/format";
import {
  CONTENT_WIDTH, createDocument, describeDocument, drawFootLine, INK, Layout, LINE_FACTOR, MARGIN_X, MUTED, PAGE_HEIGHT,
  PAGE_WIDTH, RULE, type Fonts, type Piece,
} from "../pdf/layout.server";
import { losesCharacters, toWinAnsi, wrapText } from "../pdf/text.server";
import type { EvidencePack, PackAttestation, PackCredentialChange, PackCycle } from "./pack.server";
import { credentialChangeSentence } from "../audit/credential-change";

/** The front matter's pages: a little more room at the foot than a receipt's, for the pack's
 * footer, and a narrower label column. */
const GEOMETRY = { marginBottom: 78, labelWidth: 118, labelGap: 8, headingGap: 3 };
const LINE = LINE_FACTOR;

const HEAD_FILL = rgb(0.93, 0.95, 0.98);
const BAD = rgb(0.62, 0.12, 0.1);

type Flow = Layout<"body" | "small" | "muted" | "mono" | "bold">;
type Line = Piece;

function packStyles({ regular, bold, mono }: Fonts) {
  return {
    body: { font: regular, size: 9.5, color: INK },
    small: { font: regular, size: 8.5, color: INK },
    muted: { font: regular, size: 8.5, color: MUTED },
    mono: { font: mono, size: 8.5, color: INK },
    bold: { font: bold, size: 9.5, color: INK },
  };
}

const PERSON_STATUS: Record<string, string> = {
  active: "Active",
  leave: "On leave",
  inactive: "Inactive (has left, or was deactivated)",
};

// ---------------------------------------------------------------------------------------------
// Cover

/** A label/value row of the front matter. */
const row = (flow: Flow, label: string, value: Line[]) => flow.row({ label, value });

function drawCover(flow: Flow, pack: EvidencePack, receiptPages: number[], jsonFileName: string, jsonSha256: string): void {
  const when = formatUtc(pack.generatedAt);
  flow.titleBlock({
    title: "Evidence pack",
    subtitle: "Confidant \u00B7 confidentiality training and signed agreements",
    caption: "PRODUCED",
    value: { text: when, style: { font: flow.fonts.regular, size: 9, color: INK } },
    intro:
      `This pack reproduces, from Confidant's records as they stood on ${when}, the confidentiality training of the person ` +
      "below and every agreement they signed electronically, with the exact text signed. Each record is covered by " +
      "Confidant's hash-chained audit log; the JSON file produced with this pack holds the same records and the audit " +
      "entries, and can be checked without access to Confidant (see Integrity, below).",
  });
  drawPerson(flow, pack);
  drawSummary(flow, pack, receiptPages);
  drawIntegrity(flow, pack, jsonFileName, jsonSha256);

  const p = pack.person;
  const shown = [p.name, p.department ?? "", p.title ?? "", ...pack.attestations.map((t) => t.printed_name)];
  if (shown.some(losesCharacters)) {
    flow.gap(6);
    flow.paragraph(
      'Characters that this PDF\'s fonts cannot show are printed as "?". The JSON file holds every name and text exactly as recorded.',
      { font: flow.fonts.regular, size: 8, color: MUTED },
    );
  }
}

function drawPerson(flow: Flow, pack: EvidencePack): void {
  const p = pack.person;
  const text = (t: string) => [{ text: t, style: flow.style("body") }];
  const muted = (t: string) => [{ text: t, style: { ...flow.style("body"), color: MUTED } }];
  flow.heading("Person", 40);
  row(flow, "Name", [{ text: p.name, style: { font: flow.fonts.bold, size: 13, color: INK } }]);
  row(flow, "Email", text(p.email));
  row(flow, "Employee id", p.employee_id ? text(p.employee_id) : muted("Not recorded"));
  row(flow, "Department", p.department ? text(p.department) : muted("Not recorded"));
  if (p.title) row(flow, "Job title", text(p.title));
  row(flow, "Manager", p.manager ? text(`${p.manager.name} (${p.manager.email})`) : muted("None recorded"));
  row(flow, "Type", text(p.type === "contractor" ? "Contractor" : "Employee"));
  row(flow, "Status", [{ text: PERSON_STATUS[p.status] ?? p.status, style: p.status === "inactive" ? { ...flow.style("bold"), color: BAD } : flow.style("body") }]);
  row(flow, "Start date", text(longDate(p.start_date)));
  row(flow, "End date", p.end_date ? text(longDate(p.end_date)) : muted("None recorded"));
  row(flow, "Person id", [{ text: p.id, style: flow.style("mono") }]);
}

function drawSummary(flow: Flow, pack: EvidencePack, receiptPages: number[]): void {
  const text = (t: string) => [{ text: t, style: flow.style("body") }];
  const cycles = pack.cycles;
  const completed = cycles.filter((c) => c.status === "completed");
  const onTime = completed.filter((c) => c.on_time).length;
  const parts = (Object.keys(STATUS_LABEL) as Array<keyof typeof STATUS_LABEL>)
    .map((s) => [s, cycles.filter((c) => c.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => (s === "completed" ? `${n} completed (${onTime} on time, ${n - onTime} late)` : `${n} ${STATUS_LABEL[s].toLowerCase()}`));
  const attempts = cycles.reduce((n, c) => n + c.quiz_attempts.length, 0);
  flow.heading("Summary", 40);
  row(
    flow,
    "Training cycles",
    text(cycles.length === 0 ? "None assigned" : `${cycles.length} in all: ${parts.join(", ")}; ${attempts} quiz attempt${attempts === 1 ? "" : "s"}.`),
  );
  row(flow, "Agreements signed", text(pack.attestations.length === 0 ? "None" : String(pack.attestations.length)));

  if (pack.attestations.length > 0) {
    flow.heading("Agreements signed", 50);
    pack.attestations.forEach((t, i) => {
      row(flow, `Agreement ${i + 1}`, [
        { text: `${t.policy_title}, version ${t.policy_version}`, style: flow.style("bold") },
        { text: signedLine(t), style: flow.style("body") },
        ...(t.credential_change ? [{ text: credentialChangeLine(t.credential_change), style: flow.style("bold") }] : []),
        { text: `Code ${t.verification_code}  \u00B7  receipt and full text on page ${receiptPages[i]}`, style: flow.style("muted") },
        { text: `SHA-256 ${t.text_sha256}`, style: { font: flow.fonts.mono, size: 7, color: INK } },
      ]);
      flow.gap(2);
    });
  }
}

function drawIntegrity(flow: Flow, pack: EvidencePack, jsonFileName: string, jsonSha256: string): void {
  const hash = { font: flow.fonts.mono, size: 7.5, color: INK };
  flow.heading("Integrity", 60);
  const head = pack.audit.head;
  const seqs = pack.audit.entries.map((e) => e.seq);
  row(flow, "Pack SHA-256", [{ text: pack.packSha256, style: hash }]);
  row(flow, "JSON SHA-256", [{ text: jsonSha256, style: hash }, { text: `of ${jsonFileName}, produced with this PDF from the same records`, style: flow.style("muted") }]);
  row(flow, "Signing key", [
    { text: pack.signingKey.fingerprint, style: hash },
    { text: `Ed25519 key fingerprint (SHA-256); this instance publishes it at ${pack.signingKey.publishedAt}. This PDF is digitally signed.`, style: flow.style("muted") },
  ]);
  row(flow, "Audit trail", [
    {
      text: seqs.length
        ? `${seqs.length} audit-log entries about this person and their records (entries ${Math.min(...seqs)} to ${Math.max(...seqs)}), in the JSON file. ` +
          (head ? `Chain head when produced: entry ${head.seq}, hash` : "")
        : "No audit entries.",
      style: flow.style("body"),
    },
    ...(head ? [{ text: head.hash, style: hash }] : []),
  ]);
  const by = pack.generatedBy;
  row(flow, "Produced by", [{
    text: by.via === "web" ? `${by.name ?? ""} (${by.email ?? by.id ?? "unknown"}), in the web app` : `The command line${by.os_user ? ` (operating-system user ${by.os_user})` : ""}`,
    style: flow.style("body"),
  }]);
  row(flow, "How to check it", [
    { text: `npm run evidence:verify -- ${jsonFileName}`, style: flow.style("mono") },
    {
      text:
        "Offline: recomputes each audit entry's hash and link, each signed text's SHA-256, matches each signature to its audit " +
        `entry and checks the pack's SHA-256. On the live system, audit entry ${head?.seq ?? "-"} must still have the hash above.`,
      style: flow.style("muted"),
    },
  ]);
}

// ---------------------------------------------------------------------------------------------
// Cycles table

interface Column {
  title: string;
  width: number;
}

const COLUMNS: Column[] = [
  { title: "Course and cycle", width: 160 },
  { title: "Assigned", width: 58 },
  { title: "Due", width: 58 },
  { title: "Completed", width: 58 },
  { title: "On time", width: 38 },
  { title: "Status", width: 52 },
  { title: "Quiz", width: CONTENT_WIDTH - 160 - 58 * 3 - 38 - 52 },
];
const CELL_PAD = 4;

function drawTableHeader(flow: Flow): void {
  const style = flow.style("label");
  const height = style.size * LINE + 2 * CELL_PAD;
  flow.ensure(height);
  flow.page.drawRectangle({ x: MARGIN_X, y: flow.y - height, width: CONTENT_WIDTH, height, color: HEAD_FILL });
  let x = MARGIN_X;
  for (const c of COLUMNS) {
    flow.page.drawText(c.title, { x: x + CELL_PAD, y: flow.y - CELL_PAD - style.size, font: style.font, size: style.size, color: style.color });
    x += c.width;
  }
  flow.y -= height;
}

function bestScore(c: PackCycle): string {
  const passed = c.quiz_attempts.filter((q) => q.passed === 1);
  if (passed.length) return `${percent(Math.max(...passed.map((q) => q.score)))} passed`;
  const last = c.quiz_attempts[c.quiz_attempts.length - 1];
  return last ? `${percent(last.score)} not passed` : "-";
}

function drawCycles(flow: Flow, pack: EvidencePack, receiptPages: Map<string, number>): void {
  const { bold, mono } = flow.fonts;
  flow.addPage();
  flow.line("Training cycles", { font: bold, size: 16, color: INK });
  flow.gap(4);
  flow.paragraph(
    "Every course this person was assigned, oldest first, with its quiz attempts and signature. Times are UTC. " +
      `Status is as of ${formatUtc(pack.generatedAt)}; "on time" means completed by the due date.`,
    flow.style("muted"),
  );
  flow.gap(8);
  if (pack.cycles.length === 0) {
    flow.paragraph("No training has been assigned to this person.", flow.style("body"));
    return;
  }
  drawTableHeader(flow);

  const small = flow.style("small");
  const muted = flow.style("muted");
  const dateCell = (iso: string | null): Line[] => (iso ? [{ text: shortDate(iso), style: small }, { text: shortTime(iso), style: muted }] : [{ text: "-", style: muted }]);

  for (const c of pack.cycles) {
    const cells: Line[][] = [
      [
        { text: c.course_title, style: { font: bold, size: 8.5, color: INK } },
        { text: `Cycle: ${c.cycle} (${c.reason.replace("_", " ")})`, style: muted },
        { text: c.course_id, style: { font: mono, size: 6.8, color: MUTED } },
      ],
      dateCell(c.assigned_at),
      dateCell(c.due_at),
      dateCell(c.completed_at),
      [{ text: c.on_time === null ? "-" : c.on_time ? "Yes" : "No, late", style: c.on_time === false ? { ...small, color: BAD } : small }],
      [{ text: STATUS_LABEL[c.status], style: c.status === "overdue" ? { ...flow.style("label"), color: BAD } : small }],
      [{ text: bestScore(c), style: small }],
    ];
    const wrapped = cells.map((cell, i) => flow.measure(cell, COLUMNS[i].width - 2 * CELL_PAD));

    // Details under the row, across the table: modules, each attempt, the signature, notes.
    const details: Line[] = [];
    const detailStyle = muted;
    if (c.modules_completed.length) {
      const lastModule = c.modules_completed[c.modules_completed.length - 1];
      details.push({
        text: `Modules completed: ${c.modules_completed.length} (first ${formatUtc(c.modules_completed[0].completed_at)}, last ${formatUtc(lastModule.completed_at)})`,
        style: detailStyle,
      });
    }
    c.quiz_attempts.forEach((q, i) => {
      details.push({
        text:
          `Quiz attempt ${i + 1}: ${formatUtc(q.submitted_at)} - score ${percent(q.score)} (${q.correct_count} of ${q.question_count} correct; ` +
          `pass mark ${percent(q.passing_score)}) - ${q.passed === 1 ? "passed" : "not passed"}`,
        style: detailStyle,
      });
    });
    for (const id of c.attestation_ids) {
      const t = pack.attestations.find((a) => a.id === id);
      if (!t) continue;
      details.push({
        text: `Signed: ${t.policy_title}, version ${t.policy_version}, on ${formatUtc(t.signed_at)} - code ${t.verification_code} (receipt on page ${receiptPages.get(t.id) ?? "-"})`,
        style: { ...detailStyle, color: INK },
      });
    }
    if (c.exempted_at) details.push({ text: `Exempted ${formatUtc(c.exempted_at)}`, style: detailStyle });
    if (c.cancelled_at) details.push({ text: `Cancelled ${formatUtc(c.cancelled_at)}`, style: detailStyle });
    if (c.note) details.push({ text: `Note: ${c.note}`, style: detailStyle });
    const detailLines = flow.measure(details, CONTENT_WIDTH - 2 * CELL_PAD - 10);

    const cellHeight = Math.max(...wrapped.map((lines) => lines.reduce((h, l) => h + l.style.size * LINE, 0)));
    const detailHeight = detailLines.reduce((h, l) => h + l.style.size * LINE, 0);
    const height = 2 * CELL_PAD + cellHeight + (detailLines.length ? detailHeight + 3 : 0);
    if (flow.ensure(height)) drawTableHeader(flow);

    const top = flow.y;
    let x = MARGIN_X;
    wrapped.forEach((lines, i) => {
      let y = top - CELL_PAD;
      for (const l of lines) {
        y -= l.style.size * LINE;
        flow.page.drawText(l.text, { x: x + CELL_PAD, y: y + 2, font: l.style.font, size: l.style.size, color: l.style.color });
      }
      x += COLUMNS[i].width;
    });
    let y = top - CELL_PAD - cellHeight - 3;
    for (const l of detailLines) {
      y -= l.style.size * LINE;
      flow.page.drawText(l.text, { x: MARGIN_X + CELL_PAD + 10, y: y + 2, font: l.style.font, size: l.style.size, color: l.style.color });
    }
    flow.y = top - height;
    flow.rule(RULE, 0.5);
  }
}

// ---------------------------------------------------------------------------------------------
// Receipts, and putting it together

/** How an agreement ended: signed electronically, recorded by HR from a paper original, or declined. */
function signedLine(t: PackAttestation): string {
  if (t.outcome === "declined") return `Declined ("I do not agree") ${formatUtc(t.signed_at)}${t.decline_reason ? `: ${t.decline_reason}` : ", no reason given"}`;
  if (t.recorded_by) return `Signed on paper${t.paper_signed_on ? ` on ${t.paper_signed_on}` : ""} as "${t.printed_name}"; recorded by HR from a paper original ${formatUtc(t.signed_at)}`;
  return `Signed ${formatUtc(t.signed_at)} as "${t.printed_name}"`;
}

/** The credential-change mark, as the receipt words it (the pack carries it, signed). */
function credentialChangeLine(m: PackCredentialChange): string {
  return credentialChangeSentence({ kind: m.kind, startedByName: markStartedBy(m), at: formatUtc(m.at) });
}

function markStartedBy(m: PackCredentialChange): string {
  return m.started_by_name ? `${m.started_by_name} (user ${m.started_by})` : `user ${m.started_by}`;
}

function consentOf(pack: EvidencePack, t: PackAttestation): ReceiptView["consent"] {
  const c = (pack.consents ?? []).find((x) => x.id === t.consent_id);
  return c ? { id: c.id, version: c.policy_version, at: c.consented_at } : null;
}

function receiptView(pack: EvidencePack, t: PackAttestation, origin: string): ReceiptView {
  const attempt = pack.cycles.flatMap((c) => c.quiz_attempts).find((q) => q.id === t.quiz_attempt_id);
  return {
    verificationCode: t.verification_code,
    printedName: t.printed_name,
    profileName: t.profile_name,
    email: t.email,
    signedAt: t.signed_at,
    presentedAt: t.presented_at,
    statement: t.statement,
    intentLabel: t.intent_label,
    authMethod: t.auth_method,
    policyId: t.policy_id,
    policyTitle: t.policy_title,
    policyVersion: t.policy_version,
    textSha256: t.text_sha256,
    courseTitle: t.course_title || null,
    quizScore: attempt?.score ?? null,
    quizAttemptId: t.quiz_attempt_id,
    expiresAt: t.expires_at,
    ip: t.ip,
    userAgent: t.user_agent,
    verifyUrl: `${origin}/receipts/${t.verification_code}`,
    policyText: t.policy_text?.body,
    outcome: t.outcome,
    authStrength: t.auth_strength ? AUTH_STRENGTH_LABEL[t.auth_strength] : null,
    locale: t.locale,
    templateVersion: t.template_version,
    sessionSha256: t.session_sha256,
    secondsOnText: t.seconds_on_text,
    declineReason: t.decline_reason,
    consent: consentOf(pack, t),
    credentialChange: t.credential_change ? { at: t.credential_change.at, kind: t.credential_change.kind, startedByName: markStartedBy(t.credential_change) } : null,
    paper: t.recorded_by ? { recordedBy: `HR user ${t.recorded_by}`, reason: t.on_behalf_reason ?? "", signedOn: t.paper_signed_on, scanSha256: t.scan_sha256 } : null,
  };
}

function drawRunningHeaders(doc: PDFDocument, fonts: Fonts, pack: EvidencePack, frontPages: number, jsonFileName: string): void {
  const pages = doc.getPages();
  const size = 7.5;
  const left = toWinAnsi(`Evidence pack \u00B7 ${pack.person.name} <${pack.person.email}> \u00B7 produced ${formatUtc(pack.generatedAt)}`);
  pages.forEach((page, i) => {
    const y = PAGE_HEIGHT - 30;
    const label = `Page ${i + 1} of ${pages.length}`;
    const labelWidth = fonts.bold.widthOfTextAtSize(label, size);
    const room = CONTENT_WIDTH - labelWidth - 12;
    const text = wrapText(left, fonts.regular, size, room)[0] ?? "";
    page.drawText(text, { x: MARGIN_X, y, font: fonts.regular, size, color: MUTED });
    page.drawText(label, { x: PAGE_WIDTH - MARGIN_X - labelWidth, y, font: fonts.bold, size, color: INK });
    page.drawLine({ start: { x: MARGIN_X, y: y - 5 }, end: { x: PAGE_WIDTH - MARGIN_X, y: y - 5 }, thickness: 0.5, color: RULE });
    if (i < frontPages) {
      // The receipts have their own footers; the front pages get the pack's.
      const fy = GEOMETRY.marginBottom - 34;
      drawFootLine(page, fonts, { y: fy, prefix: "Pack SHA-256 ", value: pack.packSha256, valueSize: 7 });
      page.drawText(toWinAnsi(`Check offline: npm run evidence:verify -- ${jsonFileName}`), { x: MARGIN_X, y: fy - 12, font: fonts.regular, size: 8, color: MUTED });
    }
  });
}

async function renderFront(pack: EvidencePack, receiptStarts: number[], jsonFileName: string, jsonSha256: string) {
  const { doc, fonts } = await createDocument();
  const flow: Flow = new Layout(doc, fonts, GEOMETRY, packStyles(fonts));
  drawCover(flow, pack, receiptStarts, jsonFileName, jsonSha256);
  drawCycles(flow, pack, new Map(pack.attestations.map((t, i) => [t.id, receiptStarts[i]])));
  return { doc, fonts };
}

export async function renderEvidencePdf(
  pack: EvidencePack,
  { origin, jsonFileName, jsonSha256 }: { origin: string; jsonFileName: string; jsonSha256: string },
): Promise<Uint8Array> {
  const receipts: PDFDocument[] = [];
  for (const t of pack.attestations) {
    receipts.push(await PDFDocument.load(await renderReceiptPdf(receiptView(pack, t, origin)), { updateMetadata: false }));
  }
  // The cover refers to the receipts' page numbers, which depend on how long the front matter
  // is: lay it out once to count its pages, then with the real numbers (again if that changed).
  let front = await renderFront(pack, receipts.map(() => 0), jsonFileName, jsonSha256);
  for (let pass = 0; pass < 3; pass++) {
    const frontPages = front.doc.getPageCount();
    const starts: number[] = [];
    let next = frontPages + 1;
    for (const r of receipts) {
      starts.push(next);
      next += r.getPageCount();
    }
    front = await renderFront(pack, starts, jsonFileName, jsonSha256);
    if (front.doc.getPageCount() === frontPages) break;
  }
  const frontPages = front.doc.getPageCount();
  const { doc, fonts } = front;
  for (const r of receipts) {
    const pages = await doc.copyPages(r, r.getPageIndices());
    for (const page of pages) doc.addPage(page);
  }
  drawRunningHeaders(doc, fonts, pack, frontPages, jsonFileName);

  describeDocument(doc, {
    title: toWinAnsi(`Evidence pack: ${pack.person.name} <${pack.person.email}>`),
    subject: "Confidentiality training and signed agreements",
    at: parseIso(pack.generatedAt),
  });
  return doc.save();
}
