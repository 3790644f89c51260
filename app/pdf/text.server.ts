// Text for the PDF standard fonts. They need no font files, but they encode WinAnsi only, so
// every string goes through `toWinAnsi` before it is measured or drawn; then it is wrapped to the
// width it is drawn in.
import type { PDFFont } from "pdf-lib";

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
export function losesCharacters(text: string): boolean {
  const clean = toWinAnsi(text);
  return clean.split("?").length !== text.normalize("NFC").split("?").length;
}

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
export function splitEvenly(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
  const clean = toWinAnsi(text);
  const perLine = Math.max(1, Math.floor(maxWidth / font.widthOfTextAtSize("0", size)));
  const count = Math.ceil(clean.length / perLine);
  const chunk = Math.ceil(clean.length / Math.max(1, count));
  const chunks: string[] = [];
  for (let i = 0; i < clean.length; i += chunk) chunks.push(clean.slice(i, i + chunk));
  return chunks.length > 0 ? chunks : [""];
}
