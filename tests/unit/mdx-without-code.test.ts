// Every construct that could run code is refused twice: by the check (analyzeMdx, which the
// catalog and `courses:check` use) with its line and what to write instead, and by the compiler
// itself, whichever path calls it.
import { createProcessor } from "@mdx-js/mdx";
import { expect, test } from "vitest";
import { analyzeMdx, compileMdx } from "../../app/courses/mdx.server";
import { codeProblems, isLiteral, remarkContentOnly, UnsafeMdxError, type MdastNode } from "../../app/courses/mdx-safety.server";

const HEAD = ["---", "title: Handling information", "---", "", "Some text first.", ""];
/** The forbidden line is always line 7 of the file. */
const withLine = (line: string) => [...HEAD, line, "", "More text."].join("\n") + "\n";

const FORBIDDEN: Array<[string, string, RegExp]> = [
  ["an expression in text", "Stop: {process.exit(1)}", /JavaScript expression.*write the words themselves/],
  ["typeof process", "It is {typeof process}.", /JavaScript expression/],
  ["a flow expression", "{globalThis.fetch}", /JavaScript expression/],
  ["an import", 'import fs from "node:fs"', /import\/export statements are not allowed/],
  ["an export", "export const secret = 1", /import\/export statements are not allowed/],
  ["<script>", "<script>alert(1)</script>", /<script> is not allowed.*Describe the step in words/],
  ["<style>", "<style>{`p { color: red }`}</style>", /<style> is not allowed/],
  ["<iframe>", '<iframe src="https://example.com" />', /<iframe> is not allowed.*<Video/],
  ["an on* attribute on a component", '<Callout kind="tip" onClick="alert(1)">Careful</Callout>', /'onClick'.*event handler/],
  ["an on* attribute on HTML", '<abbr title="x" onMouseOver="alert(1)">NDA</abbr>', /'onMouseOver'.*event handler/],
  ["an expression as an attribute", "<Callout kind={globalThis.kind}>Careful</Callout>", /attribute 'kind'.*JavaScript expression.*write a literal/],
  ["a function as an attribute", '<Callout title={(() => "x")()}>Careful</Callout>', /attribute 'title'.*JavaScript expression/],
  ["a spread attribute", "<Callout {...props}>Careful</Callout>", /spreads a JavaScript value/],
  ["a javascript: link", "[Click](javascript:alert(1))", /link to 'javascript:' is not allowed/],
  ["a javascript: link disguised with a tab and capitals", "[Click](JaVa&#x09;Script:alert(1))", /link to 'javascript:' is not allowed/],
  ["a data: link", "[Open](data:text/html;base64,PHNjcmlwdD4=)", /link to 'data:' is not allowed/],
  ["a reference to a javascript: URL", "[x]: javascript:alert(1)\n\n[Click][x]", /link to 'javascript:' is not allowed/],
  ["a javascript: URL in an attribute", '<Callout kind="tip" href="javascript:alert(1)">x</Callout>', /'href'.*javascript: URL/],
  ["a Markdown image", "![A chart](data:image/png;base64,AAAA)", /Markdown images .* <Figure src=/],
  ["raw HTML", "<div>Boxed</div>", /HTML element <div> is not allowed.*<Callout>/],
  ["a raw link element", '<a href="https://example.com">x</a>', /HTML element <a> is not allowed/],
  ["an attribute HTML may not take", '<abbr title="Non-disclosure" style="color:red">NDA</abbr>', /attribute 'style' on <abbr> is not allowed/],
];

for (const [what, line, message] of FORBIDDEN) {
  test(`the check refuses ${what} at its line`, () => {
    const problems = analyzeMdx(withLine(line)).problems;
    expect(problems.length, JSON.stringify(problems)).toBeGreaterThan(0);
    expect(problems.some((p) => p.line === 7 && message.test(p.message)), JSON.stringify(problems)).toBe(true);
  });

  test(`the compiler refuses ${what}`, async () => {
    const compiling = compileMdx(withLine(line));
    await expect(compiling).rejects.toBeInstanceOf(UnsafeMdxError);
    const error = (await compiling.catch((e: unknown) => e)) as UnsafeMdxError;
    expect(error.problems.some((p) => p.line === 7 && message.test(p.message)), JSON.stringify(error.problems)).toBe(true);
  });
}

test("frontmatter in JavaScript is refused by the check and never evaluated by the compiler", async () => {
  const source = "---js\n{ title: (globalThis.__ran = 'yes', 'x') }\n---\n\nHello.\n";
  expect(analyzeMdx(source).problems).toEqual([{ line: 1, message: expect.stringMatching(/frontmatter must be YAML/) }]);
  await expect(compileMdx(source)).rejects.toBeInstanceOf(UnsafeMdxError);
  expect((globalThis as { __ran?: string }).__ran).toBeUndefined();
});

test("the compiler's own step refuses code in the tree it compiles, whatever checked it before", () => {
  const tree = createProcessor().parse("Hi {process.exit(1)}\n") as unknown as MdastNode;
  expect(() => remarkContentOnly()(tree)).toThrow(UnsafeMdxError);
  const fine = createProcessor().parse('<Callout kind="tip">Fine</Callout>\n') as unknown as MdastNode;
  expect(() => remarkContentOnly()(fine)).not.toThrow();
});

test("literal attribute values, comments, allowed HTML and ordinary links are content, and compile", async () => {
  const source = withLine(
    [
      '<Callout kind="tip" title="Careful" count={3} open={true} offset={-2} tags={["a", "b"]} meta={{ level: 1, "label": "x", list: [null] }}>',
      "  Look first. {/* a note for other authors */}",
      "</Callout>",
      "",
      'An <abbr title="non-disclosure agreement">NDA</abbr> is signed, press <kbd>Ctrl</kbd>, H<sub>2</sub>O, x<sup>2</sup>.<br />',
      "",
      "[The policy](https://example.com/policy), [mail us](mailto:legal@example.com), [home](/), [below](#more).",
    ].join("\n"),
  );
  expect(analyzeMdx(source).problems).toEqual([]);
  await expect(compileMdx(source)).resolves.toMatchObject({ hash: expect.any(String) });
});

test("only literals count as literals", () => {
  const expr = (js: string) => {
    const tree = createProcessor().parse(`<Callout x={${js}} />\n`) as unknown as MdastNode;
    const attr = tree.children![0].attributes![0] as { value: { data: { estree: { body: Array<{ expression: never }> } } } };
    return attr.value.data.estree.body[0].expression;
  };
  for (const ok of ["3", "-2", "true", "null", '"x"', "[1, 'a', [true]]", "{ a: 1, 'b': [2] }"]) expect(isLiteral(expr(ok)), ok).toBe(true);
  for (const bad of ["x", "/re/", "`t`", "[...a]", "{ [k]: 1 }", "{ a }", "{ f() {} }", "-x", "!0", "a.b", "f()", "1 + 1"])
    expect(isLiteral(expr(bad)), bad).toBe(false);
});

test("every problem names its line in the file, counting the frontmatter", () => {
  const tree = createProcessor().parse("Line one.\n\n{1 + 1}\n") as unknown as MdastNode;
  expect(codeProblems(tree, (n) => (n.position?.start.line ?? 0) + 10).map((p) => p.line)).toEqual([13]);
});
