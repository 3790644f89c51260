// Markdown (the policy text a person signed), drawn into a PDF. Deliberately simple: the source
// is plain Markdown plus <Callout>; formatting is simplified, the words are all kept.
import type { RGB } from "pdf-lib";
import { ACCENT, CONTENT_WIDTH, INK, LINE_FACTOR, MARGIN_X, MUTED, RULE, type Layout, type Style } from "./layout.server";
import { wrapText } from "./text.server";

export type Block = (
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

type Item = Extract<Block, { kind: "item" }>;

/** Reads Markdown line by line into blocks. */
class MarkdownParser {
  readonly blocks: Block[] = [];
  private paragraph: string[] = [];
  private paragraphIndent = 0;
  private lastItem: Item | null = null;
  private listIndents: number[] = []; // leading-space counts of the open list levels
  private inFence = false;
  private inCallout = false;

  constructor(private readonly lines: string[]) {}

  parse(): Block[] {
    for (let i = 0; i < this.lines.length; i++) i = this.parseLine(i);
    this.flush();
    return this.blocks;
  }

  private push(block: Block): void {
    if (this.inCallout) block.boxed = true;
    this.blocks.push(block);
  }

  private flush(): void {
    if (this.paragraph.length > 0) {
      this.push({ kind: "paragraph", text: inline(this.paragraph.join(" ")), indent: this.paragraphIndent });
    }
    this.paragraph = [];
    this.paragraphIndent = 0;
  }

  private endList(): void {
    this.lastItem = null;
    this.listIndents = [];
  }

  /** Reads line `i` (and the following lines of a tag that spans several); returns the index of
   * the last line read. */
  private parseLine(i: number): number {
    const raw = this.lines[i];
    const trimmed = raw.trim();
    const leading = raw.length - raw.trimStart().length;

    if (trimmed.startsWith("```")) {
      this.flush();
      this.endList();
      this.inFence = !this.inFence;
      return i;
    }
    if (this.inFence) {
      this.push({ kind: "code", text: raw.replace(/\t/g, "  ") });
      return i;
    }
    if (trimmed === "") {
      this.flush();
      this.lastItem = null; // a blank line ends continuation lines, not necessarily the list
      return i;
    }

    // <Callout ...> and </Callout> lines are markup, not text. An opening tag may span lines.
    if (/^<\/?[A-Z]/.test(trimmed)) {
      let tag = trimmed;
      while (!tag.includes(">") && i + 1 < this.lines.length) tag += ` ${this.lines[++i].trim()}`;
      if (JSX_TAG_LINE.test(tag)) {
        this.tag(tag);
        return i;
      }
    }
    if (!this.block(trimmed, leading)) this.text(trimmed, leading);
    return i;
  }

  private tag(tag: string): void {
    this.flush();
    this.endList();
    if (/^<\/?Callout\b/.test(tag) && !tag.endsWith("/>")) this.inCallout = !tag.startsWith("</");
    // The callout's title was shown to the signer, so keep it.
    const title = /\btitle=(?:"([^"]*)"|'([^']*)')/.exec(tag);
    if (!tag.startsWith("</") && title) {
      this.push({ kind: "paragraph", text: inline(title[1] ?? title[2]), indent: 0, bold: true });
    }
  }

  /** A heading, rule, list item, quote or table row; false for anything else. */
  private block(trimmed: string, leading: number): boolean {
    const heading = /^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/.exec(trimmed);
    const item = /^([-*+]|\d{1,9}[.)])\s+(.*)$/.exec(trimmed);
    if (heading) {
      this.flush();
      this.endList();
      const level = Math.min(heading[1].length, 3) as 1 | 2 | 3;
      this.push({ kind: "heading", level, text: inline(heading[2]) });
    } else if (/^(-{3,}|\*{3,}|_{3,})$/.test(trimmed.replace(/\s/g, ""))) {
      this.flush();
      this.endList();
      this.push({ kind: "rule" });
    } else if (item) {
      this.flush();
      const indents = this.listIndents;
      while (indents.length > 0 && leading < indents[indents.length - 1]) indents.pop();
      if (indents.length === 0 || leading > indents[indents.length - 1]) indents.push(leading);
      const marker = /^\d/.test(item[1]) ? item[1].replace(")", ".") : "\u2022";
      this.lastItem = { kind: "item", marker, text: inline(item[2]), depth: indents.length - 1 };
      this.push(this.lastItem);
    } else if (trimmed.startsWith(">")) {
      this.flush();
      this.endList();
      this.push({ kind: "quote", text: inline(trimmed.replace(/^(>\s?)+/, "")) });
    } else if (trimmed.startsWith("|")) {
      this.flush();
      this.endList();
      if (/^\|[\s|:-]+\|?$/.test(trimmed)) return true; // the |---|---| separator row
      const cells = trimmed.replace(/^\||\|$/g, "").split("|").map((c) => inline(c.trim()));
      this.push({ kind: "paragraph", text: cells.join("   |   "), indent: 0 });
    } else {
      return false;
    }
    return true;
  }

  /** Plain text: a lazy continuation of the list item above, a paragraph indented under a list
   * item, or an ordinary paragraph. */
  private text(trimmed: string, leading: number): void {
    const current = this.lastItem;
    if (current && this.paragraph.length === 0) {
      current.text += ` ${inline(trimmed)}`;
      return;
    }
    if (this.paragraph.length === 0) {
      if (this.listIndents.length > 0 && leading > this.listIndents[0]) {
        let depth = 0;
        while (depth + 1 < this.listIndents.length && leading > this.listIndents[depth + 1]) depth++;
        this.paragraphIndent = depth + 1;
      } else {
        this.endList();
      }
    }
    this.paragraph.push(trimmed);
  }
}

export function parseMarkdown(source: string): Block[] {
  return new MarkdownParser(source.replace(/\r\n?/g, "\n").split("\n")).parse();
}

const LIST_INDENT = 16;
const CALLOUT_INDENT = 14;

/** Draws the Markdown `source` at the layout's position, flowing over as many pages as it takes. */
export function renderMarkdown(layout: Layout<string>, source: string): void {
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
    if (block.boxed && previous?.boxed && layout.page === page && layout.y >= layout.marginBottom) {
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
