import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { afterAll, expect, test } from "vitest";
import { renderReceiptPdf, type ReceiptView } from "../../app/attestations/receipt-pdf.server";
import { toWinAnsi, wrapText } from "../../app/pdf/text.server";

const receipt: ReceiptView = {
  verificationCode: "7QK4-M2PX-9HDA-3RTE",
  printedName: "Zoë Marchetti",
  profileName: "Zoe Marchetti",
  email: "zoe.marchetti@example.com",
  signedAt: "2026-11-27T21:04:05.123Z",
  presentedAt: "2026-11-27T20:58:41.900Z",
  statement:
    "I have read, understood and agree to comply with the Confidentiality and Trade Secret " +
    "Agreement, version 3.",
  intentLabel: "I understand that ticking this box and typing my name is my electronic signature.",
  authMethod: "Signed-in session; password re-entered at signing",
  policyId: "confidentiality-agreement",
  policyTitle: "Confidentiality and Trade Secret Agreement",
  policyVersion: 3,
  textSha256: "9f2c4e1a7b3d5c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6",
  courseTitle: "Protecting Confidential Information and Trade Secrets",
  quizScore: 90,
  quizAttemptId: "qa_01HZX3Q8K2M4N6P8R0T2V4W6Y8",
  expiresAt: "2027-11-27T21:04:05.123Z",
  ip: "203.0.113.42",
  userAgent:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) " +
    "Version/18.0 Safari/605.1.15",
  verifyUrl: "http://localhost:3000/receipts/7QK4-M2PX-9HDA-3RTE",
};

/** A policy of several thousand words, using every Markdown construct policies may use. */
function longPolicyText(): string {
  const words = ["confidential", "information", "employee", "company", "trade", "secret",
    "disclose", "protect", "reasonable", "steps", "records", "access", "customer", "pricing"];
  const sentence = (seed: number) =>
    Array.from({ length: 16 }, (_, i) => words[(seed * 7 + i * 3) % words.length]).join(" ") + ".";
  const parts = ["# Confidentiality and Trade Secret Agreement", ""];
  for (let s = 1; s <= 24; s++) {
    parts.push(`## ${s}. Section ${s}`, "");
    parts.push(Array.from({ length: 8 }, (_, i) => sentence(s + i)).join(" "), "");
    parts.push(`<Callout kind="warning" title="Remember section ${s}">`);
    parts.push(`  You **must** ${sentence(s)}`, "</Callout>", "");
    parts.push("### What this covers", "");
    parts.push(`- ${sentence(s + 1)}`, `* ${sentence(s + 2)}`, `1. ${sentence(s + 3)}`, "");
  }
  parts.push("This is the last sentence of the agreement.");
  return parts.join("\n");
}

const tempDir = mkdtempSync(join(tmpdir(), "receipt-pdf-"));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

/** Text of each page, via poppler's pdftotext (pages are separated by form feeds). */
function pdfPages(bytes: Uint8Array): string[] {
  const file = join(tempDir, `receipt-${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, bytes);
  let text: string;
  try {
    text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error("pdftotext is needed for this test: apt-get install -y poppler-utils");
    }
    throw error;
  }
  return text.split("\f").slice(0, -1); // pdftotext ends the last page with a form feed too
}

/** Collapses runs of whitespace (including line wraps) so wrapped phrases can be matched. */
const flat = (text: string) => text.replace(/\s+/g, " ");

test("renders a PDF that loads back with one page and the receipt's metadata", async () => {
  const bytes = await renderReceiptPdf(receipt);

  expect(Buffer.from(bytes.subarray(0, 5)).toString("latin1")).toBe("%PDF-");
  const doc = await PDFDocument.load(bytes);
  expect(doc.getPageCount()).toBe(1);
  expect(doc.getTitle()).toBe("Attestation receipt 7QK4-M2PX-9HDA-3RTE");
  expect(doc.getAuthor()).toBe("Confidant");
  expect(doc.getSubject()).toBe("Confidentiality and Trade Secret Agreement");
  // PDF dates have whole seconds.
  expect(doc.getCreationDate()?.toISOString()).toBe("2026-11-27T21:04:05.000Z");
});

test("states who signed, when in UTC, and what the signature means, on the first page", async () => {
  const [first] = pdfPages(await renderReceiptPdf(receipt));
  const text = flat(first);

  expect(text).toContain("Attestation receipt");
  expect(text).toContain("Signature manifestation");
  expect(text).toContain("Zoë Marchetti");
  expect(text).toContain("27 November 2026, 21:04:05 UTC");
  expect(text).toContain("2026-11-27T21:04:05.123Z");
  expect(text).toContain(receipt.statement);
  expect(text).toContain(receipt.textSha256);
  expect(text).toContain("7QK4-M2PX-9HDA-3RTE");
  expect(text).toContain(receipt.verifyUrl);
  // The evidence sections follow the manifestation.
  expect(text).toContain(receipt.intentLabel);
  expect(text).toContain("Zoe Marchetti (differs from the typed name)"); // "Zoë" was typed
  expect(text).toContain(receipt.authMethod);
  expect(text).toContain("203.0.113.42");
  expect(text).toContain("Quiz score 90%");
  expect(text).toContain("qa_01HZX3Q8K2M4N6P8R0T2V4W6Y8");
  expect(text).toContain("27 November 2027, 21:04:05 UTC");
  expect(text).toContain("Page 1 of 1");
});

test("appends a long policy text on following pages, with the footer on every page", async () => {
  const policyText = longPolicyText();
  expect(policyText.split(/\s+/).length).toBeGreaterThan(3000);

  const bytes = await renderReceiptPdf({ ...receipt, policyText });
  const doc = await PDFDocument.load(bytes);
  expect(doc.getPageCount()).toBeGreaterThan(4);

  const pages = pdfPages(bytes);
  expect(pages).toHaveLength(doc.getPageCount());
  pages.forEach((page, i) => {
    expect(page).toContain(`Page ${i + 1} of ${pages.length}`);
    expect(page).toContain("7QK4-M2PX-9HDA-3RTE");
    expect(page).toContain(receipt.verifyUrl);
  });
  // The text starts on a page of its own, after the receipt.
  expect(flat(pages[0])).not.toContain("Text signed");
  expect(flat(pages[1])).toContain(`Text signed (version 3, SHA-256 ${receipt.textSha256})`);
  const all = flat(pages.join(" "));
  expect(all).toContain("Section 24");
  expect(all).toContain("You must");
  expect(all).toContain("Remember section 24");
  expect(all).toContain("This is the last sentence of the agreement.");
  expect(all).not.toContain("**");
  expect(all).not.toContain("Callout");
  expect(all).not.toContain("## ");
});

test("renders names the standard fonts cannot encode without throwing", async () => {
  const name = "Zoë Łukasz “Quote” — dash";
  const bytes = await renderReceiptPdf({ ...receipt, printedName: name, profileName: name });

  const text = flat(pdfPages(bytes)[0]);
  expect(text).toContain('Zoë ?ukasz "Quote" - dash'); // ë is WinAnsi; Ł is not
  expect(text).toContain("(matches the typed name)");
  expect(text).toContain('cannot show are printed as "?"');
});

test("toWinAnsi leaves only characters the standard fonts can encode", async () => {
  expect(toWinAnsi("“Quote” ‘it’s’ — dash – range… a\u00A0b")).toBe(`"Quote" 'it's' - dash - range... a b`);
  expect(toWinAnsi("Zoë Łukasz 😀")).toBe("Zoë ?ukasz ?");
  expect(toWinAnsi("Zoe\u0308")).toBe("Zoë"); // decomposed ë is composed, not replaced

  const doc = await PDFDocument.create();
  const fonts = await Promise.all(
    [StandardFonts.Helvetica, StandardFonts.HelveticaBold, StandardFonts.Courier].map((f) => doc.embedFont(f)),
  );
  const everything = Array.from({ length: 0x3000 }, (_, i) => String.fromCodePoint(i)).join("") + "😀𝔘";
  const clean = toWinAnsi(everything).replace(/\n/g, "");
  for (const font of fonts) expect(() => font.encodeText(clean)).not.toThrow();
});

test("wraps text within the width, breaking words too long for a line", async () => {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const text = `${"word ".repeat(60)}${"x".repeat(200)}\nnext paragraph`;

  const lines = wrapText(text, font, 10, 200);
  for (const line of lines) expect(font.widthOfTextAtSize(line, 10)).toBeLessThanOrEqual(200);
  expect(lines.join("").replace(/ /g, "")).toBe(`${"word".repeat(60)}${"x".repeat(200)}nextparagraph`);
  expect(lines[lines.length - 1]).toBe("next paragraph");
});

test("omits missing training lines and says when the signature does not expire", async () => {
  const bytes = await renderReceiptPdf({
    ...receipt,
    courseTitle: null,
    quizScore: null,
    quizAttemptId: null,
    expiresAt: null,
    ip: null,
    userAgent: null,
  });

  const text = flat(pdfPages(bytes)[0]);
  expect(text).toContain("Does not expire");
  expect(text).toContain("No course or quiz was linked to this signature.");
  expect(text).not.toContain("Quiz score");
  expect(text).not.toContain("Quiz attempt id");
  expect(text).toContain("IP address Not recorded");
});

test("renders the same receipt to the same bytes", async () => {
  const a = await renderReceiptPdf({ ...receipt, policyText: "# Title\n\nText." });
  const b = await renderReceiptPdf({ ...receipt, policyText: "# Title\n\nText." });
  expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
});
