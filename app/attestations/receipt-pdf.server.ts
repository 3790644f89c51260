/**
 * Renders an attestation receipt as a PDF: the printable counterpart of the web receipt at
 * /receipts/<code>. It is meant to be read by a person (an attorney, an auditor), so it states
 * the signature manifestation (who signed, when, and what the signature means) up front, then
 * the evidence behind it, and optionally the full text that was signed.
 *
 * Only the PDF standard fonts are used (no font files to ship). They encode WinAnsi, so every
 * string goes through `toWinAnsi` before it is measured or drawn.
 */
import { PDFDocument, StandardFonts, rgb } from "pdf-lib";
import type { PDFFont, PDFPage, RGB } from "pdf-lib";

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
  /** The policy's Markdown source; when given it is reproduced after the receipt. */
  policyText?: string;
}

// ---------------------------------------------------------------------------------------------
// Text sanitizing

/** Typographic characters we spell in ASCII, so copied text and searches behave predictably. */
const ASCII_SUBSTITUTES: Record<string, string> = {
  "\u2018": "'", "\u2019": "'", "\u201A": "'", "\u201B": "'", "\u2032": "'",
  "\u201C": '"', "\u201D": '"', "\u201E": '"', "\u201F": '"', "\u2033": '"',
  "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
  "\u2212": "-",
  "\u2026": "...",
  "\u00A0": " ", "\u2007": " ", "\u202F": " ", "\u2009": " ", "\u200A": " ", "\u2002": " ",
  "\u2003": " ", "\u2004": " ", "\u2005": " ", "\u2006": " ", "\u2008": " ", "\u3000": " ",
  "\t": " ",
  // Invisible characters: drop them rather than print "?".
  "\u00AD": "", "\u200B": "", "\u200C": "", "\u200D": "", "\u2060": "", "\uFEFF": "",
};

/** WinAnsiEncoding outside Latin-1: the code points of 0x80–0x9F that are assigned. */
const WIN_ANSI_EXTRAS = new Set<number>([
  0x20ac, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039,
  0x0152, 0x017d, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122,
  0x0161, 0x203a, 0x0153, 0x017e, 0x0178,
]);

function isWinAnsi(codePoint: number): boolean {
  return (
    (codePoint >= 0x20 && codePoint <= 0x7e) ||
    (codePoint >= 0xa0 && codePoint <= 0xff) ||
    WIN_ANSI_EXTRAS.has(codePoint)
  );
}

/**
 * Makes `text` drawable with the standard fonts: typographic punctuation becomes ASCII, line
 * breaks are kept as "\n", and anything else WinAnsi cannot encode (e.g. "Ł", emoji) becomes
 * "?". Without this, pdf-lib throws while encoding and the whole receipt fails.
 */
export function toWinAnsi(text: string): string {
  let out = "";
  // NFC first, so "e" + combining diaeresis becomes the encodable "ë".
  for (const ch of text.normalize("NFC").replace(/\r\n?/g, "\n")) {
    const substitute = ASCII_SUBSTITUTES[ch];
    if (substitute !== undefined) out += substitute;
    else if (ch === "\n" || isWinAnsi(ch.codePointAt(0) ?? 0)) out += ch;
    else out += "?";
  }
  return out;
}

/** True if `toWinAnsi` had to replace a character with "?". */
function losesCharacters(text: string): boolean {
  const clean = toWinAnsi(text);
  return clean.split("?").length !== text.normalize("NFC").split("?").length;
}

// ---------------------------------------------------------------------------------------------
// Word wrap

/**
 * Greedy word wrap to `maxWidth` points. Honors "\n"; a word wider than the line (a URL, a
 * hash, a user agent token) is broken between characters.
 */
export function wrapText(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
  const width = (s: string) => font.widthOfTextAtSize(s, size);
  const lines: string[] = [];
  for (const paragraph of toWinAnsi(text).split("\n")) {
    let line = "";
    for (const word of paragraph.split(" ").filter((w) => w.length > 0)) {
      const candidate = line ? `${line} ${word}` : word;
      if (width(candidate) <= maxWidth) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = "";
      for (const ch of word) {
        if (line && width(line + ch) > maxWidth) {
          lines.push(line);
          line = ch;
        } else {
          line += ch;
        }
      }
    }
    lines.push(line);
  }
  return lines;
}

/** Splits an unbreakable monospace string (a hash) into as few equal chunks as fit. */
function splitEvenly(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
  const clean = toWinAnsi(text);
  const perLine = Math.max(1, Math.floor(maxWidth / font.widthOfTextAtSize("0", size)));
  const count = Math.ceil(clean.length / perLine);
  const chunk = Math.ceil(clean.length / Math.max(1, count));
  const chunks: string[] = [];
  for (let i = 0; i < clean.length; i += chunk) chunks.push(clean.slice(i, i + chunk));
  return chunks.length > 0 ? chunks : [""];
}

// ---------------------------------------------------------------------------------------------
// Dates

const MONTHS = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];

function parseIso(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "27 November 2026, 21:04:05 UTC": day-first with the month in words, so nobody misreads it. */
export function formatUtc(iso: string): string {
  const d = parseIso(iso);
  if (!d) return iso;
  const pad = (n: number) => String(n).padStart(2, "0");
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${time} UTC`;
}

function formatDuration(fromIso: string, toIso: string): string | null {
  const from = parseIso(fromIso);
  const to = parseIso(toIso);
  if (!from || !to || to < from) return null;
  const seconds = Math.round((to.getTime() - from.getTime()) / 1000);
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d > 0) return `${d} d ${h} h ${m} min`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s} s`;
  return `${s} s`;
}

// ---------------------------------------------------------------------------------------------
// Layout

const PAGE_WIDTH = 595.28; // A4 in points
const PAGE_HEIGHT = 841.89;
const MARGIN_X = 56;
const MARGIN_TOP = 52;
const MARGIN_BOTTOM = 72; // leaves room for the footer
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X;
const LABEL_WIDTH = 132;
const LINE_FACTOR = 1.34;
const CONTENT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM;

// Shared with the evidence pack, so both documents look like one set.
export const INK = rgb(0.11, 0.13, 0.17);
export const MUTED = rgb(0.4, 0.43, 0.49);
export const ACCENT = rgb(0.1, 0.24, 0.45);
export const RULE = rgb(0.78, 0.81, 0.86);
const BOX_FILL = rgb(0.95, 0.96, 0.98);

export interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  mono: PDFFont;
}

interface Style {
  font: PDFFont;
  size: number;
  color: RGB;
  /** Break only between characters, in equal chunks (hashes). */
  even?: boolean;
}

/** One piece of a row's value; pieces stack vertically. */
interface Piece {
  text: string;
  style: Style;
}

interface Row {
  label: string;
  value: Piece[];
}

interface MeasuredLine {
  text: string;
  style: Style;
}

/** Flowing layout over A4 pages; `y` is the baseline of the last line drawn. */
class Layout {
  page: PDFPage;
  y: number;

  constructor(
    private readonly doc: PDFDocument,
    readonly fonts: Fonts,
  ) {
    this.page = this.addPage();
    this.y = PAGE_HEIGHT - MARGIN_TOP;
  }

  addPage(): PDFPage {
    this.page = this.doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
    this.y = PAGE_HEIGHT - MARGIN_TOP;
    return this.page;
  }

  /** Starts a new page unless `height` more points fit on this one. */
  ensure(height: number): void {
    if (this.y - height < MARGIN_BOTTOM) this.addPage();
  }

  gap(points: number): void {
    this.y -= points;
  }

  style(kind: "small" | "label" | "mono" | "muted"): Style {
    const { regular, bold, mono } = this.fonts;
    switch (kind) {
      case "small": return { font: regular, size: 9, color: INK };
      case "label": return { font: bold, size: 8.5, color: MUTED };
      case "mono": return { font: mono, size: 9, color: INK };
      case "muted": return { font: regular, size: 9, color: MUTED };
    }
  }

  /** Draws one line at the next baseline, breaking the page first if needed. */
  line(text: string, style: Style, x = MARGIN_X): void {
    const leading = style.size * LINE_FACTOR;
    this.ensure(leading);
    this.y -= leading;
    this.page.drawText(text, { x, y: this.y, font: style.font, size: style.size, color: style.color });
  }

  paragraph(text: string, style: Style): void {
    for (const l of wrapText(text, style.font, style.size, CONTENT_WIDTH)) this.line(l, style);
  }

  rule(color: RGB = RULE): void {
    this.page.drawLine({
      start: { x: MARGIN_X, y: this.y },
      end: { x: PAGE_WIDTH - MARGIN_X, y: this.y },
      thickness: 0.75,
      color,
    });
  }

  sectionHeading(title: string): void {
    this.ensure(SECTION_HEADING_HEIGHT + 30); // keep the heading with at least two rows
    this.gap(12);
    this.line(title, { font: this.fonts.bold, size: 12, color: ACCENT });
    this.gap(5);
    this.rule();
    this.gap(2);
  }

  measureRow(row: Row, valueWidth: number): { label: string[]; value: MeasuredLine[]; height: number } {
    const labelStyle = this.style("label");
    const label = wrapText(row.label, labelStyle.font, labelStyle.size, LABEL_WIDTH - 10);
    const value: MeasuredLine[] = [];
    for (const piece of row.value) {
      const { font, size } = piece.style;
      const lines = piece.style.even
        ? splitEvenly(piece.text, font, size, valueWidth)
        : wrapText(piece.text, font, size, valueWidth);
      for (const text of lines) value.push({ text, style: piece.style });
    }
    const valueHeight = value.reduce((h, l) => h + l.style.size * LINE_FACTOR, 0);
    const labelHeight = label.length * labelStyle.size * LINE_FACTOR;
    return { label, value, height: Math.max(valueHeight, labelHeight) + ROW_GAP };
  }

  /**
   * A label in the left column and its value on the right. Rows are kept on one page when
   * they fit on one; an enormous value flows on, line by line.
   */
  row(row: Row): void {
    const measured = this.measureRow(row, CONTENT_WIDTH - LABEL_WIDTH);
    this.ensure(Math.min(measured.height, CONTENT_HEIGHT));
    this.drawMeasuredRow(measured, MARGIN_X);
  }

  drawMeasuredRow(measured: { label: string[]; value: MeasuredLine[] }, x: number): void {
    const labelStyle = this.style("label");
    const top = this.y;
    const page = this.page;
    // Labels sit on the baseline of the value's first line.
    const firstLeading = (measured.value[0]?.style.size ?? labelStyle.size) * LINE_FACTOR;
    measured.label.forEach((text, i) => {
      page.drawText(text, {
        x,
        y: top - firstLeading - i * labelStyle.size * LINE_FACTOR,
        font: labelStyle.font,
        size: labelStyle.size,
        color: labelStyle.color,
      });
    });
    for (const l of measured.value) this.line(l.text, l.style, x + LABEL_WIDTH);
    if (this.page === page) {
      const labelBottom = top - firstLeading - (measured.label.length - 1) * labelStyle.size * LINE_FACTOR;
      this.y = Math.min(this.y, labelBottom);
    }
    this.gap(ROW_GAP);
  }
}

const ROW_GAP = 3;
/** Gap, 12 pt bold line, gap, rule, gap: what `sectionHeading` uses. */
const SECTION_HEADING_HEIGHT = 12 + 12 * LINE_FACTOR + 5 + 2;

// ---------------------------------------------------------------------------------------------
// Markdown (the policy text) — deliberately simple: the source is plain Markdown plus <Callout>.

type Block = (
  | { kind: "heading"; level: 1 | 2 | 3; text: string }
  | { kind: "paragraph"; text: string; indent: number; bold?: boolean }
  | { kind: "item"; marker: string; text: string; depth: number }
  | { kind: "quote"; text: string }
  | { kind: "code"; text: string }
  | { kind: "rule" }
) & {
  /** Inside a <Callout>: drawn indented, with a bar in the margin. */
  boxed?: boolean;
};

const JSX_TAG_LINE = /^<\/?[A-Z][\w.]*(\s[^>]*)?\/?>$/;

function inline(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "[image: $1]")
    .replace(/\[([^\]]+)\]\(([^)\s]+)[^)]*\)/g, (_m, label: string, url: string) =>
      label === url ? url : `${label} (${url})`,
    )
    .replace(/\*\*|__/g, "")
    .replace(/(^|[\s(])[*_](\S(?:[^*_]*\S)?)[*_](?=[\s).,;:!?]|$)/g, "$1$2")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/\\([\\`*_{}[\]()#+\-.!<>|])/g, "$1")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

export function parseMarkdown(source: string): Block[] {
  const blocks: Block[] = [];
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  let paragraph: string[] = [];
  let paragraphIndent = 0;
  let lastItem: Extract<Block, { kind: "item" }> | null = null;
  let listIndents: number[] = []; // leading-space counts of the open list levels
  let inFence = false;
  let inCallout = false;

  const push = (block: Block) => {
    if (inCallout) block.boxed = true;
    blocks.push(block);
  };
  const flush = () => {
    if (paragraph.length > 0) {
      push({ kind: "paragraph", text: inline(paragraph.join(" ")), indent: paragraphIndent });
    }
    paragraph = [];
    paragraphIndent = 0;
  };
  const endList = () => {
    lastItem = null;
    listIndents = [];
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const trimmed = raw.trim();
    const leading = raw.length - raw.trimStart().length;

    if (trimmed.startsWith("```")) {
      flush();
      endList();
      inFence = !inFence;
      continue;
    }
    if (inFence) {
      push({ kind: "code", text: raw.replace(/\t/g, "  ") });
      continue;
    }
    if (trimmed === "") {
      flush();
      lastItem = null; // a blank line ends continuation lines, not necessarily the list
      continue;
    }

    // <Callout ...> and </Callout> lines are markup, not text. An opening tag may span lines.
    if (/^<\/?[A-Z]/.test(trimmed)) {
      let tag = trimmed;
      while (!tag.includes(">") && i + 1 < lines.length) tag += ` ${lines[++i].trim()}`;
      if (JSX_TAG_LINE.test(tag)) {
        flush();
        endList();
        if (/^<\/?Callout\b/.test(tag) && !tag.endsWith("/>")) inCallout = !tag.startsWith("</");
        // The callout's title was shown to the signer, so keep it.
        const title = /\btitle=(?:"([^"]*)"|'([^']*)')/.exec(tag);
        if (!tag.startsWith("</") && title) {
          push({ kind: "paragraph", text: inline(title[1] ?? title[2]), indent: 0, bold: true });
        }
        continue;
      }
    }

    const heading = /^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/.exec(trimmed);
    if (heading) {
      flush();
      endList();
      const level = Math.min(heading[1].length, 3) as 1 | 2 | 3;
      push({ kind: "heading", level, text: inline(heading[2]) });
      continue;
    }
    if (/^(-{3,}|\*{3,}|_{3,})$/.test(trimmed.replace(/\s/g, ""))) {
      flush();
      endList();
      push({ kind: "rule" });
      continue;
    }
    const item = /^([-*+]|\d{1,9}[.)])\s+(.*)$/.exec(trimmed);
    if (item) {
      flush();
      while (listIndents.length > 0 && leading < listIndents[listIndents.length - 1]) listIndents.pop();
      if (listIndents.length === 0 || leading > listIndents[listIndents.length - 1]) listIndents.push(leading);
      const marker = /^\d/.test(item[1]) ? item[1].replace(")", ".") : "\u2022";
      lastItem = { kind: "item", marker, text: inline(item[2]), depth: listIndents.length - 1 };
      push(lastItem);
      continue;
    }
    if (trimmed.startsWith(">")) {
      flush();
      endList();
      push({ kind: "quote", text: inline(trimmed.replace(/^(>\s?)+/, "")) });
      continue;
    }
    if (trimmed.startsWith("|")) {
      flush();
      endList();
      if (/^\|[\s|:-]+\|?$/.test(trimmed)) continue; // the |---|---| separator row
      const cells = trimmed.replace(/^\||\|$/g, "").split("|").map((c) => inline(c.trim()));
      push({ kind: "paragraph", text: cells.join("   |   "), indent: 0 });
      continue;
    }

    // Plain text: a lazy continuation of the list item above, a paragraph indented under a
    // list item, or an ordinary paragraph.
    const current: Extract<Block, { kind: "item" }> | null = lastItem;
    if (current && paragraph.length === 0) {
      current.text += ` ${inline(trimmed)}`;
      continue;
    }
    if (paragraph.length === 0) {
      if (listIndents.length > 0 && leading > listIndents[0]) {
        let depth = 0;
        while (depth + 1 < listIndents.length && leading > listIndents[depth + 1]) depth++;
        paragraphIndent = depth + 1;
      } else {
        endList();
      }
    }
    paragraph.push(trimmed);
  }
  flush();
  return blocks;
}

const LIST_INDENT = 16;
const CALLOUT_INDENT = 14;

function renderMarkdown(layout: Layout, source: string): void {
  const { regular, bold, mono } = layout.fonts;
  const body: Style = { font: regular, size: 10, color: INK };
  let previous: Block | null = null;

  /** A bar in the left margin from `layout.y` up `height` points (callouts, quotes). */
  const bar = (height: number, color: RGB) =>
    layout.page.drawLine({
      start: { x: MARGIN_X + 3, y: layout.y - 3.5 },
      end: { x: MARGIN_X + 3, y: layout.y - 3.5 + height },
      thickness: 2.5,
      color,
    });
  /** Wrapped lines at `indent`, each with the bar beside it when `barColor` is given. */
  const lines = (text: string, style: Style, indent: number, barColor?: RGB, marker?: string) => {
    const wrapped = wrapText(text, style.font, style.size, CONTENT_WIDTH - indent);
    wrapped.forEach((l, i) => {
      layout.line(l, style, MARGIN_X + indent);
      if (barColor) bar(style.size * LINE_FACTOR, barColor);
      if (marker && i === 0) {
        const x = MARGIN_X + indent - regular.widthOfTextAtSize(marker, style.size) - 5;
        layout.page.drawText(marker, { x, y: layout.y, font: regular, size: style.size, color: INK });
      }
    });
  };
  /** Vertical space; between two blocks of one callout the bar runs through it. */
  const space = (points: number, block: Block) => {
    const y = layout.y;
    const page = layout.page;
    layout.gap(points);
    if (block.boxed && previous?.boxed && layout.page === page && layout.y >= MARGIN_BOTTOM) {
      page.drawLine({
        start: { x: MARGIN_X + 3, y: y - 3.5 },
        end: { x: MARGIN_X + 3, y: layout.y - 3.5 },
        thickness: 2.5,
        color: ACCENT,
      });
    }
  };

  for (const block of parseMarkdown(source)) {
    const inset = block.boxed ? CALLOUT_INDENT : 0;
    const barColor = block.boxed ? ACCENT : undefined;
    switch (block.kind) {
      case "heading": {
        const size = block.level === 1 ? 15 : block.level === 2 ? 13 : 11;
        if (previous) layout.gap(block.level === 1 ? 12 : 8);
        layout.ensure(size * LINE_FACTOR + 3 + 2 * body.size * LINE_FACTOR); // not alone at a page's foot
        lines(block.text, { font: bold, size, color: INK }, inset, barColor);
        layout.gap(3);
        break;
      }
      case "paragraph":
        if (previous && previous.kind !== "heading") space(previous.kind === "rule" ? 2 : 6, block);
        lines(block.text, block.bold ? { ...body, font: bold } : body, inset + block.indent * LIST_INDENT, barColor);
        break;
      case "item": {
        if (previous && (previous.kind !== "item" || previous.boxed !== block.boxed)) space(5, block);
        else if (previous) space(2, block);
        const indent = inset + block.depth * LIST_INDENT + LIST_INDENT + 4;
        lines(block.text, body, indent, barColor, block.marker);
        break;
      }
      case "quote":
        if (previous) space(previous.kind === "quote" ? 2 : 6, block);
        lines(block.text, { ...body, color: MUTED }, inset + CALLOUT_INDENT, barColor ?? RULE);
        break;
      case "code":
        lines(block.text, { font: mono, size: 8.5, color: INK }, inset + 8, barColor);
        break;
      case "rule":
        layout.ensure(16);
        layout.gap(8);
        layout.rule();
        layout.gap(4);
        break;
    }
    previous = block;
  }
}

// ---------------------------------------------------------------------------------------------
// The receipt

function namesMatch(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize("NFC").trim().replace(/\s+/g, " ").toLocaleLowerCase("en");
  return norm(a) === norm(b);
}

function formatScore(score: number): string {
  return `${Number.isInteger(score) ? score : score.toFixed(1)}%`;
}

function drawTitle(layout: Layout, r: ReceiptView): void {
  const { bold, regular, mono } = layout.fonts;
  const top = layout.y;
  layout.line("Attestation receipt", { font: bold, size: 22, color: INK });
  layout.gap(2);
  layout.line("Confidant \u00B7 record of an electronic signature", { font: regular, size: 10, color: MUTED });

  // Verification code, top right, where people look for a reference number.
  const code = toWinAnsi(r.verificationCode);
  const codeSize = 11;
  const caption = "VERIFICATION CODE";
  const x =
    PAGE_WIDTH - MARGIN_X -
    Math.max(mono.widthOfTextAtSize(code, codeSize), bold.widthOfTextAtSize(caption, 7.5));
  layout.page.drawText(caption, { x, y: top - 10, font: bold, size: 7.5, color: MUTED });
  layout.page.drawText(code, { x, y: top - 25, font: mono, size: codeSize, color: INK });

  layout.gap(10);
  layout.paragraph(
    `This receipt records that the person named below electronically signed the policy described ` +
      `under "What was signed". Check it at ${r.verifyUrl}.`,
    { font: regular, size: 9.5, color: INK },
  );
}

/** The boxed statement of who signed, when, and what the signature means. */
function drawManifestation(layout: Layout, r: ReceiptView, lossy: boolean): void {
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
  const measured = rows.map((row) => layout.measureRow(row, innerWidth - LABEL_WIDTH));
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
  const boxed = height <= CONTENT_HEIGHT;
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

function drawDetails(layout: Layout, r: ReceiptView): void {
  const body = layout.style("small");
  const mono = layout.style("mono");
  const muted = layout.style("muted");
  const text = (t: string): Piece[] => [{ text: t, style: body }];
  const code = (t: string): Piece[] => [{ text: t, style: mono }];
  const time = (iso: string): Piece[] => text(parseIso(iso) ? `${formatUtc(iso)}  (${iso})` : iso);
  const section = (title: string, rows: Row[]) => {
    // Keep a section on one page when it fits on one, rather than orphaning its last rows.
    const height = rows.reduce((h, row) => h + layout.measureRow(row, CONTENT_WIDTH - LABEL_WIDTH).height, 0);
    if (SECTION_HEADING_HEIGHT + height <= CONTENT_HEIGHT) layout.ensure(SECTION_HEADING_HEIGHT + height);
    layout.sectionHeading(title);
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
    { label: "Text presented at", value: time(r.presentedAt) },
    ...(duration ? [{ label: "Time before signing", value: text(duration) }] : []),
    { label: "IP address", value: r.ip ? code(r.ip) : [{ text: "Not recorded", style: muted }] },
    { label: "User agent", value: r.userAgent ? text(r.userAgent) : [{ text: "Not recorded", style: muted }] },
  ]);

  const training: Row[] = [];
  if (r.courseTitle !== null) training.push({ label: "Course", value: text(r.courseTitle) });
  if (r.quizScore !== null) training.push({ label: "Quiz score", value: text(formatScore(r.quizScore)) });
  if (r.quizAttemptId !== null) training.push({ label: "Quiz attempt id", value: code(r.quizAttemptId) });
  if (training.length > 0) {
    section("Training", training);
  } else {
    layout.sectionHeading("Training");
    layout.paragraph("No course or quiz was linked to this signature.", muted);
  }

  section("Validity", [
    {
      label: "Expires",
      value: r.expiresAt !== null ? time(r.expiresAt) : text("Does not expire"),
    },
  ]);
}

function drawPolicyText(layout: Layout, r: ReceiptView, source: string): void {
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
  const left = MARGIN_X;
  const right = PAGE_WIDTH - MARGIN_X;
  const code = toWinAnsi(r.verificationCode);
  pages.forEach((page, i) => {
    const y = MARGIN_BOTTOM - 28;
    page.drawLine({ start: { x: left, y: y + 14 }, end: { x: right, y: y + 14 }, thickness: 0.5, color: RULE });

    const pageLabel = `Page ${i + 1} of ${pages.length}`;
    page.drawText(pageLabel, {
      x: right - fonts.regular.widthOfTextAtSize(pageLabel, size), y, font: fonts.regular, size, color: MUTED,
    });
    const prefix = "Attestation receipt  \u00B7  verification code ";
    page.drawText(prefix, { x: left, y, font: fonts.regular, size, color: MUTED });
    page.drawText(code, {
      x: left + fonts.regular.widthOfTextAtSize(prefix, size), y: y - 0.2, font: fonts.mono, size, color: INK,
    });

    // The URL gets its own line(s); at most two, which any sane URL fits in.
    const urlPrefix = "Verify at ";
    const prefixWidth = fonts.regular.widthOfTextAtSize(urlPrefix, size);
    const urlLines = wrapText(r.verifyUrl, fonts.regular, size, CONTENT_WIDTH - prefixWidth).slice(0, 2);
    page.drawText(urlPrefix, { x: left, y: y - 12, font: fonts.regular, size, color: MUTED });
    urlLines.forEach((l, j) => {
      page.drawText(l, { x: left + prefixWidth, y: y - 12 - j * 10, font: fonts.regular, size, color: ACCENT });
    });
  });
}

export async function renderReceiptPdf(receipt: ReceiptView): Promise<Uint8Array> {
  // updateMetadata: false keeps pdf-lib from stamping "now" into the file, so the same receipt
  // always renders to the same bytes.
  const doc = await PDFDocument.create({ updateMetadata: false });
  const fonts: Fonts = {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
    mono: await doc.embedFont(StandardFonts.Courier),
  };

  doc.setTitle(`Attestation receipt ${receipt.verificationCode}`);
  doc.setAuthor("Confidant");
  doc.setSubject(receipt.policyTitle);
  doc.setCreator("Confidant");
  doc.setProducer("Confidant (pdf-lib)");
  doc.setLanguage("en");
  const signed = parseIso(receipt.signedAt);
  if (signed) {
    doc.setCreationDate(signed);
    doc.setModificationDate(signed);
  }

  const lossy = [
    receipt.printedName, receipt.profileName, receipt.email, receipt.statement, receipt.intentLabel,
    receipt.authMethod, receipt.policyTitle, receipt.policyId, receipt.courseTitle ?? "",
    receipt.userAgent ?? "", receipt.policyText ?? "",
  ].some(losesCharacters);

  const layout = new Layout(doc, fonts);
  drawTitle(layout, receipt);
  drawManifestation(layout, receipt, lossy);
  drawDetails(layout, receipt);
  if (receipt.policyText !== undefined) drawPolicyText(layout, receipt, receipt.policyText);
  drawFooters(doc, fonts, receipt);

  return doc.save();
}
