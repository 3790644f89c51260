// The layout engine of the printable documents (receipts, evidence packs, certificates): A4
// pages, the standard fonts, one set of colours so that the documents look like one set, and a
// flowing layout that draws lines, paragraphs, headings and label/value rows and starts a new
// page when the next piece does not fit.
import { PDFDocument, StandardFonts, rgb } from "pdf-lib";
import type { PDFFont, PDFPage, RGB } from "pdf-lib";
import { splitEvenly, toWinAnsi, wrapText } from "./text.server";

export const PAGE_WIDTH = 595.28; // A4 in points
export const PAGE_HEIGHT = 841.89;
export const MARGIN_X = 56;
export const MARGIN_TOP = 52;
export const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X;
export const LINE_FACTOR = 1.34;

export const INK = rgb(0.11, 0.13, 0.17);
export const MUTED = rgb(0.4, 0.43, 0.49);
export const ACCENT = rgb(0.1, 0.24, 0.45);
export const RULE = rgb(0.78, 0.81, 0.86);
export const BOX_FILL = rgb(0.95, 0.96, 0.98);

export interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  mono: PDFFont;
}

export interface Style {
  font: PDFFont;
  size: number;
  color: RGB;
  /** Break only between characters, in equal chunks (hashes). */
  even?: boolean;
}

/** One piece of a row's value, or one wrapped line; pieces stack vertically. */
export interface Piece {
  text: string;
  style: Style;
}

export interface Row {
  label: string;
  value: Piece[];
}

export interface MeasuredRow {
  label: string[];
  value: Piece[];
  height: number;
}

/** What differs between two documents' pages. */
export interface Geometry {
  /** Room left at the foot of each page for its footer. */
  marginBottom: number;
  /** Width of the label column of label/value rows. */
  labelWidth: number;
  /** Space kept between a label and its value. */
  labelGap: number;
  /** Space under a section heading's rule. */
  headingGap: number;
}

const ROW_GAP = 3;

/** Helvetica, Helvetica Bold and Courier: no font files to ship. */
export async function embedStandardFonts(doc: PDFDocument): Promise<Fonts> {
  return {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
    mono: await doc.embedFont(StandardFonts.Courier),
  };
}

/** A new document. updateMetadata: false keeps pdf-lib from stamping "now" into the file, so the
 * same record always renders to the same bytes. */
export async function createDocument(): Promise<{ doc: PDFDocument; fonts: Fonts }> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  return { doc, fonts: await embedStandardFonts(doc) };
}

/** The document's properties; `at` (the moment it records) is its creation and modification date. */
export function describeDocument(doc: PDFDocument, { title, subject, at }: { title: string; subject: string; at: Date | null }): void {
  doc.setTitle(title);
  doc.setAuthor("Confidant");
  doc.setSubject(subject);
  doc.setCreator("Confidant");
  doc.setProducer("Confidant (pdf-lib)");
  doc.setLanguage("en");
  if (at) {
    doc.setCreationDate(at);
    doc.setModificationDate(at);
  }
}

/** A rule across the foot of `page` and a line under it: a muted prefix, then a value in the
 * monospace font (a code, a hash), and `right` (a page number) at the right. */
export function drawFootLine(
  page: PDFPage,
  fonts: Fonts,
  { y, prefix, value, valueSize, right }: { y: number; prefix: string; value: string; valueSize: number; right?: string },
): void {
  page.drawLine({ start: { x: MARGIN_X, y: y + 14 }, end: { x: PAGE_WIDTH - MARGIN_X, y: y + 14 }, thickness: 0.5, color: RULE });
  if (right) {
    const x = PAGE_WIDTH - MARGIN_X - fonts.regular.widthOfTextAtSize(right, 8);
    page.drawText(right, { x, y, font: fonts.regular, size: 8, color: MUTED });
  }
  page.drawText(prefix, { x: MARGIN_X, y, font: fonts.regular, size: 8, color: MUTED });
  page.drawText(toWinAnsi(value), {
    x: MARGIN_X + fonts.regular.widthOfTextAtSize(prefix, 8), y: y - 0.2, font: fonts.mono, size: valueSize, color: INK,
  });
}

/** Flowing layout over A4 pages; `y` is the baseline of the last line drawn. Each document names
 * its own text styles (`S`); the label style of rows is the same everywhere. */
export class Layout<S extends string = never> {
  page!: PDFPage;
  y = 0;
  readonly marginBottom: number;
  readonly labelWidth: number;
  readonly contentHeight: number;
  /** Gap, 12 pt bold line, gap, rule, gap: what `heading` takes. */
  readonly headingHeight: number;

  constructor(
    readonly doc: PDFDocument,
    readonly fonts: Fonts,
    private readonly geometry: Geometry,
    private readonly styles: Record<S, Style>,
  ) {
    this.marginBottom = geometry.marginBottom;
    this.labelWidth = geometry.labelWidth;
    this.contentHeight = PAGE_HEIGHT - MARGIN_TOP - geometry.marginBottom;
    this.headingHeight = 12 + 12 * LINE_FACTOR + 5 + geometry.headingGap;
    this.addPage();
  }

  addPage(): PDFPage {
    this.page = this.doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
    this.y = PAGE_HEIGHT - MARGIN_TOP;
    return this.page;
  }

  /** Starts a new page unless `height` more points fit on this one; true if it did. */
  ensure(height: number): boolean {
    if (this.y - height < this.marginBottom) {
      this.addPage();
      return true;
    }
    return false;
  }

  gap(points: number): void {
    this.y -= points;
  }

  style(kind: S | "label"): Style {
    return kind === "label" ? { font: this.fonts.bold, size: 8.5, color: MUTED } : this.styles[kind];
  }

  /** Draws one line at the next baseline, breaking the page first if needed. */
  line(text: string, style: Style, x = MARGIN_X): void {
    const leading = style.size * LINE_FACTOR;
    this.ensure(leading);
    this.y -= leading;
    this.page.drawText(toWinAnsi(text), { x, y: this.y, font: style.font, size: style.size, color: style.color });
  }

  paragraph(text: string, style: Style, x = MARGIN_X, width = CONTENT_WIDTH): void {
    for (const l of wrapText(text, style.font, style.size, width)) this.line(l, style, x);
  }

  rule(color: RGB = RULE, thickness = 0.75): void {
    this.page.drawLine({ start: { x: MARGIN_X, y: this.y }, end: { x: PAGE_WIDTH - MARGIN_X, y: this.y }, thickness, color });
  }

  /** A section heading over a rule, kept on a page with `keepWith` points of what follows. */
  heading(title: string, keepWith: number): void {
    this.ensure(this.headingHeight + keepWith);
    this.gap(12);
    this.line(title, { font: this.fonts.bold, size: 12, color: ACCENT });
    this.gap(5);
    this.rule();
    this.gap(this.geometry.headingGap);
  }

  /** A document's first lines: its title and subtitle, a caption and value in the top right
   * corner (where people look for a reference), then an introduction. */
  titleBlock(o: { title: string; subtitle: string; caption: string; value: Piece; intro: string }): void {
    const { regular, bold } = this.fonts;
    const top = this.y;
    this.line(o.title, { font: bold, size: 22, color: INK });
    this.gap(2);
    this.line(o.subtitle, { font: regular, size: 10, color: MUTED });
    const value = toWinAnsi(o.value.text);
    const { font, size } = o.value.style;
    const x = PAGE_WIDTH - MARGIN_X - Math.max(font.widthOfTextAtSize(value, size), bold.widthOfTextAtSize(o.caption, 7.5));
    this.page.drawText(o.caption, { x, y: top - 10, font: bold, size: 7.5, color: MUTED });
    this.page.drawText(value, { x, y: top - (14 + size), font, size, color: o.value.style.color });
    this.gap(10);
    this.paragraph(o.intro, { font: regular, size: 9.5, color: INK });
  }

  /** Wraps pieces into lines no wider than `width`. */
  measure(pieces: Piece[], width: number): Piece[] {
    return pieces.flatMap((p) => {
      const { font, size } = p.style;
      const lines = p.style.even ? splitEvenly(p.text, font, size, width) : wrapText(p.text, font, size, width);
      return lines.map((text) => ({ text, style: p.style }));
    });
  }

  measureRow(row: Row, valueWidth: number): MeasuredRow {
    const labelStyle = this.style("label");
    const label = wrapText(row.label, labelStyle.font, labelStyle.size, this.labelWidth - this.geometry.labelGap);
    const value = this.measure(row.value, valueWidth);
    const valueHeight = value.reduce((h, l) => h + l.style.size * LINE_FACTOR, 0);
    const labelHeight = label.length * labelStyle.size * LINE_FACTOR;
    return { label, value, height: Math.max(valueHeight, labelHeight) + ROW_GAP };
  }

  /**
   * A label in the left column and its value on the right. Rows are kept on one page when
   * they fit on one; an enormous value flows on, line by line.
   */
  row(row: Row): void {
    const measured = this.measureRow(row, CONTENT_WIDTH - this.labelWidth);
    this.ensure(Math.min(measured.height, this.contentHeight));
    this.drawMeasuredRow(measured, MARGIN_X);
  }

  drawMeasuredRow(measured: Omit<MeasuredRow, "height">, x: number): void {
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
    for (const l of measured.value) this.line(l.text, l.style, x + this.labelWidth);
    if (this.page === page) {
      const labelBottom = top - firstLeading - (measured.label.length - 1) * labelStyle.size * LINE_FACTOR;
      this.y = Math.min(this.y, labelBottom);
    }
    this.gap(ROW_GAP);
  }
}
