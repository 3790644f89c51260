// A YAML mistake is reported at the line where the author made it, counted from the top of the
// file, not where the parser gave up.
import { LineCounter, parseDocument } from "yaml";
import { expect, test } from "vitest";
import { splitFrontmatter } from "../../app/courses/mdx.server";
import { yamlErrorLine, yamlErrorText } from "../../app/courses/yaml-errors.server";

function firstError(text: string) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const e = doc.errors[0];
  return { line: yamlErrorLine(doc, lineCounter, e), message: yamlErrorText(e) };
}

test("an unclosed quote is reported at its key, not at the end of the file", () => {
  expect(firstError("title: T\nsummary: 'Unclosed\nowner: O\nreviewDate: 2027-01-01\n")).toEqual({ line: 2, message: "Missing closing 'quote" });
});

test("an unclosed list is reported at its key, not at the next line", () => {
  expect(firstError("title: T\naudience: [both\npassingScore: 80\n").line).toBe(2);
});

test("a quote left open inside a quiz question points at that option's key", () => {
  expect(firstError('questions:\n  - id: x\n    text: "unclosed\n  - id: y\n').line).toBe(3);
});

test("a duplicate key is reported at its own line", () => {
  expect(firstError("title: A\ntitle: B\n")).toEqual({ line: 2, message: "Map keys must be unique" });
});

test("in frontmatter the line counts the opening --- too, and the parser's own line numbers are dropped", () => {
  const { problems } = splitFrontmatter("---\ntitle: A\nsummary: 'Unclosed\nminutes: 5\n---\n\nBody\n");
  expect(problems).toEqual([{ line: 3, message: "frontmatter is not valid YAML: Missing closing 'quote" }]);
});
