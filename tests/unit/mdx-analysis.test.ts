import { expect, test } from "vitest";
import { analyzeMdx, splitFrontmatter } from "../../app/courses/mdx.server";
import { POLICY_COMPONENT_NAMES } from "../../app/components/course-component-names";

/** Five lines of frontmatter, so the body starts on line 6 of the file. */
const FRONTMATTER = ["---", "title: Handling information", "summary: Where things go.", "minutes: 5", "---"];

function moduleSource(...bodyLines: string[]): string {
  return [...FRONTMATTER, ...bodyLines].join("\n") + "\n";
}

/** The 1-based line of the file that contains `needle` (which must occur exactly once). */
function lineOf(source: string, needle: string): number {
  const lines = source.split("\n");
  const hits = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  expect(hits, `'${needle}' should occur on exactly one line`).toHaveLength(1);
  return hits[0];
}

/** A scenario with the given steps, each written [id, attributes, ...inner lines]. */
function scenario(open: string, ...steps: Array<[string, string, ...string[]]>): string[] {
  return [
    "",
    "Some text before the scenario.",
    "",
    open,
    ...steps.flatMap(([id, attrs, ...inner]) => [`  <Step id="${id}"${attrs ? ` ${attrs}` : ""}>`, ...inner.map((l) => (l ? `    ${l}` : "")), "  </Step>"]),
    "</Scenario>",
  ];
}

const goodSource = moduleSource(
  "",
  "Plain **Markdown** first.",
  "",
  '<Callout kind="tip" title="Careful">',
  "  Look before you plug anything in.",
  "</Callout>",
  "",
  '<Scenario id="usb-in-car-park" title="A USB stick in the car park">',
  '  <Step id="start">',
  "    You find a USB stick next to your car.",
  "",
  '    <Choice to="plugged-in">Plug it into your laptop</Choice>',
  '    <Choice to="handed-in">Take it to the IT desk</Choice>',
  "  </Step>",
  '  <Step id="plugged-in" ending="poor">',
  "    The stick runs a script.",
  "  </Step>",
  '  <Step id="handed-in" ending="best">',
  "    IT examines it safely.",
  "  </Step>",
  "</Scenario>",
);

test("a well-formed module has no problems and yields its frontmatter and body position", () => {
  const analysis = analyzeMdx(goodSource);
  expect(analysis.problems).toEqual([]);
  expect(analysis.frontmatter).toEqual({ title: "Handling information", summary: "Where things go.", minutes: 5 });
  expect(analysis.bodyLine).toBe(6);
  expect(analysis.body.startsWith("\nPlain **Markdown** first.")).toBe(true);
});

test("a good scenario yields its shape: steps in order, endings, choices with labels and lines", () => {
  const [shape, ...others] = analyzeMdx(goodSource).scenarios;
  expect(others).toEqual([]);
  expect(shape).toEqual({
    id: "usb-in-car-park",
    title: "A USB stick in the car park",
    line: 13,
    steps: [
      {
        id: "start",
        ending: null,
        outcome: null,
        retry: null,
        betterMove: null,
        line: 14,
        choices: [
          { to: "plugged-in", label: "Plug it into your laptop", line: 17 },
          { to: "handed-in", label: "Take it to the IT desk", line: 18 },
        ],
      },
      { id: "plugged-in", ending: "poor", outcome: "poor", retry: null, betterMove: null, line: 20, choices: [] },
      { id: "handed-in", ending: "best", outcome: "best", retry: null, betterMove: null, line: 23, choices: [] },
    ],
  });
});

test("choices on consecutive lines of a paragraph are each found, with their own lines", () => {
  const source = moduleSource(
    ...scenario(
      '<Scenario id="s" title="T">',
      ["start", "", "What now?", "", '<Choice to="a">Do **A**</Choice>', '<Choice to="b">Do B</Choice>', '<Choice to="c">Do C</Choice>'],
      ["a", 'ending="best"', "Good."],
      ["b", 'ending="acceptable"', "Fine."],
      ["c", 'ending="poor"', "Bad."],
    ),
  );
  const { problems, scenarios } = analyzeMdx(source);
  expect(problems).toEqual([]);
  expect(scenarios[0].steps[0].choices).toEqual([
    { to: "a", label: "Do A", line: lineOf(source, 'to="a"') },
    { to: "b", label: "Do B", line: lineOf(source, 'to="b"') },
    { to: "c", label: "Do C", line: lineOf(source, 'to="c"') },
  ]);
  expect(scenarios[0].steps.map((s) => s.ending)).toEqual([null, "best", "acceptable", "poor"]);
});

test("a deeper story with several paths that rejoin is accepted", () => {
  const source = moduleSource(
    ...scenario(
      '<Scenario id="s" title="T">',
      ["start", "", "Begin.", "", '<Choice to="left">Left</Choice>', '<Choice to="right">Right</Choice>'],
      ["left", "", "Left.", "", '<Choice to="end">On</Choice>'],
      ["right", "", "Right.", "", '<Choice to="end">On</Choice>'],
      ["end", 'ending="best"', "Done."],
    ),
  );
  expect(analyzeMdx(source).problems).toEqual([]);
});

test("an unknown component is reported at its line, listing the components that exist", () => {
  const source = moduleSource("", "Intro.", "", "<Quiz>", "  What?", "</Quiz>", "");
  expect(analyzeMdx(source).problems).toEqual([
    { line: 9, message: "unknown component <Quiz>; available: <Callout>, <Scenario>, <Step>, <Choice>, <BetterMove>, <Figure>, <Video>" },
  ]);
});

test("an unknown component inside a paragraph is reported too", () => {
  const source = moduleSource("", "Intro with <Highlight>this</Highlight> word.");
  expect(analyzeMdx(source).problems).toEqual([
    { line: 7, message: expect.stringContaining("unknown component <Highlight>") },
  ]);
});

test("lower-case HTML tags are not components and are allowed", () => {
  const source = moduleSource("", "Press <kbd>Ctrl</kbd> and <abbr title=\"Non-disclosure agreement\">NDA</abbr>.");
  expect(analyzeMdx(source).problems).toEqual([]);
});

test("policies may use only Callout", () => {
  const source = ["# Agreement", "", '<Callout kind="law">Text</Callout>', "", '<Scenario id="s" title="T">', '<Step id="a" ending="best">x</Step>', "</Scenario>", ""].join("\n");
  const problems = analyzeMdx(source, POLICY_COMPONENT_NAMES).problems;
  expect(problems).toContainEqual({ line: 5, message: "unknown component <Scenario>; available: <Callout>" });
  expect(problems).toContainEqual({ line: 6, message: "unknown component <Step>; available: <Callout>" });
  expect(problems.some((p) => p.message.includes("<Callout>;"))).toBe(false);
});

test("a choice that leads to a step that does not exist is reported at the choice", () => {
  const source = moduleSource(
    ...scenario(
      '<Scenario id="s" title="T">',
      ["start", "", "Begin.", "", '<Choice to="a">A</Choice>', '<Choice to="nowhere">Elsewhere</Choice>'],
      ["a", 'ending="best"', "Done."],
    ),
  );
  expect(analyzeMdx(source).problems).toEqual([
    { line: lineOf(source, 'to="nowhere"'), message: "choice leads to step 'nowhere', which does not exist in scenario 's'" },
  ]);
});

test("the line of a problem counts the frontmatter lines (an explicit example)", () => {
  const source = moduleSource(
    "", // 6
    '<Scenario id="s" title="T">', // 7
    '  <Step id="start">', // 8
    "    Begin.", // 9
    "", // 10
    '    <Choice to="gone">Go</Choice>', // 11
    "  </Step>", // 12
    "</Scenario>", // 13
  );
  expect(analyzeMdx(source).problems).toEqual([{ line: 11, message: "choice leads to step 'gone', which does not exist in scenario 's'" }]);
});

test("a step that cannot be reached from the first step is reported at that step", () => {
  const source = moduleSource(
    ...scenario(
      '<Scenario id="s" title="T">',
      ["start", "", "Begin.", "", '<Choice to="a">A</Choice>'],
      ["a", 'ending="best"', "Done."],
      ["orphan", 'ending="poor"', "Nobody gets here."],
    ),
  );
  expect(analyzeMdx(source).problems).toEqual([
    { line: lineOf(source, 'id="orphan"'), message: "step 'orphan' cannot be reached from the first step of scenario 's'" },
  ]);
});

test("a loop is reported at the choice that closes it", () => {
  const source = moduleSource(
    ...scenario(
      '<Scenario id="s" title="T">',
      ["start", "", "Begin.", "", '<Choice to="think">Think it over</Choice>'],
      ["think", "", "Hmm.", "", '<Choice to="start">Start again</Choice>', '<Choice to="done">Decide</Choice>'],
      ["done", 'ending="best"', "Decided."],
    ),
  );
  expect(analyzeMdx(source).problems).toEqual([
    { line: lineOf(source, 'to="start"'), message: "choice in step 'think' loops back to step 'start'; every path must reach an ending" },
  ]);
});

test("a choice that leads back to its own step is a loop", () => {
  const source = moduleSource(
    ...scenario(
      '<Scenario id="s" title="T">',
      ["start", "", "Begin.", "", '<Choice to="start">Wait</Choice>', '<Choice to="end">Go</Choice>'],
      ["end", 'ending="best"', "Done."],
    ),
  );
  expect(analyzeMdx(source).problems).toEqual([
    { line: lineOf(source, 'to="start"'), message: "choice in step 'start' loops back to step 'start'; every path must reach an ending" },
  ]);
});

test("a step without choices must say how it ended", () => {
  const source = moduleSource(
    ...scenario(
      '<Scenario id="s" title="T">',
      ["start", "", "Begin.", "", '<Choice to="a">A</Choice>'],
      ["a", "", "It just stops."],
    ),
  );
  expect(analyzeMdx(source).problems).toEqual([
    { line: lineOf(source, 'id="a"'), message: 'step \'a\' has no choices, so it is an ending: add ending="best", "acceptable" or "poor"' },
  ]);
});

test("an ending other than best, acceptable or poor is reported", () => {
  const source = moduleSource(
    ...scenario(
      '<Scenario id="s" title="T">',
      ["start", "", "Begin.", "", '<Choice to="a">A</Choice>'],
      ["a", 'ending="good"', "Done."],
    ),
  );
  const analysis = analyzeMdx(source);
  expect(analysis.problems).toEqual([{ line: lineOf(source, 'ending="good"'), message: 'step \'a\' has ending="good"; use best, acceptable or poor' }]);
  expect(analysis.scenarios[0].steps[1].ending).toBeNull();
});

test("a step with choices cannot also be an ending", () => {
  const source = moduleSource(
    ...scenario(
      '<Scenario id="s" title="T">',
      ["start", 'ending="best"', "Begin.", "", '<Choice to="a">A</Choice>'],
      ["a", 'ending="best"', "Done."],
    ),
  );
  expect(analyzeMdx(source).problems).toEqual([{ line: lineOf(source, '<Step id="start"'), message: "step 'start' has choices, so it cannot be an ending" }]);
});

test("a scenario without an id is reported, and yields no shape", () => {
  const source = moduleSource(...scenario('<Scenario title="No id">', ["start", 'ending="best"', "Done."]));
  const analysis = analyzeMdx(source);
  expect(analysis.problems).toEqual([{ line: lineOf(source, "<Scenario"), message: '<Scenario> needs an id, e.g. <Scenario id="usb-in-car-park" title="…">' }]);
  expect(analysis.scenarios).toEqual([]);
});

test("a scenario without a title is reported", () => {
  const source = moduleSource(...scenario('<Scenario id="untitled">', ["start", 'ending="best"', "Done."]));
  expect(analyzeMdx(source).problems).toEqual([{ line: lineOf(source, "<Scenario"), message: '<Scenario id="untitled"> needs a title' }]);
});

test("a scenario with no steps is reported", () => {
  const source = moduleSource("", '<Scenario id="empty" title="T">', "  Nothing here.", "</Scenario>");
  expect(analyzeMdx(source).problems).toEqual([{ line: 7, message: "scenario 'empty' has no <Step>" }]);
});

test("a step id used twice in one scenario is reported at the second", () => {
  const source = moduleSource(
    "",
    '<Scenario id="s" title="T">',
    '  <Step id="start">',
    "",
    '    <Choice to="end">Go</Choice>',
    "  </Step>",
    '  <Step id="end" ending="best">',
    "    One.",
    "  </Step>",
    '  <Step id="end" ending="poor">',
    "    Two.",
    "  </Step>",
    "</Scenario>",
  );
  expect(analyzeMdx(source).problems).toEqual([{ line: 15, message: "step id 'end' is used twice in scenario 's'" }]);
});

test("a choice without a target or without text is reported", () => {
  const source = moduleSource(
    ...scenario(
      '<Scenario id="s" title="T">',
      ["start", "", "Begin.", "", "<Choice>Somewhere</Choice>", '<Choice to="end"></Choice>', '<Choice to="end">Go</Choice>'],
      ["end", 'ending="best"', "Done."],
    ),
  );
  const problems = analyzeMdx(source).problems;
  expect(problems).toContainEqual({ line: lineOf(source, "<Choice>Somewhere"), message: "a <Choice> in step 'start' has no to=\"…\"" });
  expect(problems).toContainEqual({ line: lineOf(source, '<Choice to="end"></Choice>'), message: "a <Choice> in step 'start' has no text" });
});

test("a Step that is not directly inside its Scenario is reported", () => {
  const source = moduleSource(
    "",
    '<Scenario id="s" title="T">', // 7
    '  <Callout kind="tip">', // 8
    '    <Step id="start" ending="best">', // 9
    "      Everything is fine.",
    "    </Step>",
    "  </Callout>",
    "</Scenario>",
  );
  expect(analyzeMdx(source).problems).toEqual([{ line: 9, message: expect.stringContaining("<Step>") }]);
});

test("a Step outside a Scenario is reported at its line", () => {
  const source = moduleSource("", "Intro.", "", '<Step id="lost" ending="best">', "  Where am I?", "</Step>");
  expect(analyzeMdx(source).problems).toEqual([{ line: 9, message: "<Step> must be inside a <Scenario>" }]);
});

test("a Choice outside a Step is reported at its line", () => {
  const source = moduleSource("", "Intro.", "", '<Choice to="x">Stray</Choice>');
  expect(analyzeMdx(source).problems).toEqual([{ line: 9, message: "<Choice> must be inside a <Step>" }]);
});

test("import statements are not allowed", () => {
  const source = moduleSource("", 'import { Chart } from "./chart.js"', "", "Text.");
  expect(analyzeMdx(source).problems).toEqual([{ line: 7, message: "import/export statements are not allowed; components are provided" }]);
});

test("export statements are not allowed", () => {
  const source = moduleSource("", "Text.", "", "export const secret = 42");
  expect(analyzeMdx(source).problems).toEqual([{ line: 9, message: "import/export statements are not allowed; components are provided" }]);
});

test("a closing tag that does not match is an MDX syntax error at the line of the closing tag", () => {
  const source = moduleSource("", "Intro.", "", '<Callout kind="tip">', "", "Text.", "", "</Step>", "");
  const problems = analyzeMdx(source).problems;
  expect(problems).toHaveLength(1);
  expect(problems[0].line).toBe(lineOf(source, "</Step>"));
  expect(problems[0].message).toMatch(/^MDX syntax error: Unexpected closing tag `<\/Step>`/);
});

test("an unclosed expression is an MDX syntax error at its line", () => {
  const source = moduleSource("", "Intro.", "", "Costs {about 5", "", "More text.");
  const problems = analyzeMdx(source).problems;
  expect(problems).toHaveLength(1);
  expect(problems[0].line).toBe(9);
  expect(problems[0].message).toMatch(/^MDX syntax error: /);
});

test("an unclosed attribute quote is an MDX syntax error", () => {
  const source = moduleSource("", "Intro.", "", '<Callout kind="tip>', "Text", "</Callout>");
  const problems = analyzeMdx(source).problems;
  expect(problems).toHaveLength(1);
  expect(problems[0].message).toMatch(/^MDX syntax error: /);
  expect(problems[0].line).toBeGreaterThanOrEqual(9);
});

test("a tag left unclosed is an MDX syntax error at the line of that tag", () => {
  const source = moduleSource("", "Intro.", "", '<Callout kind="tip">', "", "Text that never ends.", "");
  const problems = analyzeMdx(source).problems;
  expect(problems).toHaveLength(1);
  expect(problems[0].message).toContain("Expected a closing tag for `<Callout>`");
  expect(problems[0].line).toBe(lineOf(source, "<Callout"));
});

test("positions quoted in an MDX syntax error are lines of the file", () => {
  const source = moduleSource("", "Intro.", "", '<Callout kind="tip">', "", "Text.", "", "</Step>", "");
  const [problem] = analyzeMdx(source).problems;
  expect(problem.message).toContain(`(${lineOf(source, "<Callout")}:1-`);
});

test("invalid YAML in the frontmatter is reported at the line of the file where it is", () => {
  const source = ["---", "title: Leaving", "summary: Before you go: what to return", "---", "", "Text."].join("\n");
  const analysis = analyzeMdx(source);
  expect(analysis.problems).toEqual([{ line: 3, message: expect.stringMatching(/^frontmatter is not valid YAML: /) }]);
  expect(analysis.frontmatter).toEqual({});
  // The body is still analysed, from the right line.
  expect(analysis.bodyLine).toBe(5);
});

test("problems in the body are still found when the frontmatter is broken", () => {
  const source = ["---", "title: [unclosed", "---", "", "<Widget />"].join("\n");
  const problems = analyzeMdx(source).problems;
  expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/^frontmatter is not valid YAML/), expect.stringContaining("unknown component <Widget>")]);
  expect(problems[1].line).toBe(5);
});

test("frontmatter that never ends is reported at line 1", () => {
  const analysis = analyzeMdx("---\ntitle: T\n\nText.\n");
  expect(analysis.problems).toEqual([{ line: 1, message: "frontmatter starts with --- but never ends with a --- line" }]);
});

test("frontmatter that is a list, not key: value lines, is reported", () => {
  const analysis = analyzeMdx("---\n- a\n- b\n---\nText.\n");
  expect(analysis.problems).toEqual([{ line: 2, message: "frontmatter must be a set of `key: value` lines" }]);
});

test("a file without frontmatter has its body start at line 1", () => {
  const split = splitFrontmatter("# Agreement\n\nText.\n");
  expect(split).toEqual({ frontmatter: {}, body: "# Agreement\n\nText.\n", bodyLine: 1, problems: [] });
  expect(analyzeMdx("Text.\n\n<Nope />\n").problems).toEqual([{ line: 3, message: expect.stringContaining("unknown component <Nope>") }]);
});

test("splitFrontmatter reads a file saved with a byte-order mark and Windows line endings", () => {
  const split = splitFrontmatter("\uFEFF---\r\ntitle: Leaving\r\nminutes: 3\r\n---\r\n\r\nBody line\r\nSecond\r\n");
  expect(split).toEqual({ frontmatter: { title: "Leaving", minutes: 3 }, body: "\nBody line\nSecond\n", bodyLine: 5, problems: [] });
});

test("splitFrontmatter reads old Mac line endings (CR only)", () => {
  const split = splitFrontmatter("---\rtitle: Leaving\r---\rBody\r");
  expect(split).toEqual({ frontmatter: { title: "Leaving" }, body: "Body\n", bodyLine: 4, problems: [] });
});

test("problem lines are right in a file with a BOM and Windows line endings", () => {
  const source = "\uFEFF" + moduleSource("", "Intro.", "", "<Widget />").replace(/\n/g, "\r\n");
  expect(analyzeMdx(source).problems).toEqual([{ line: 9, message: expect.stringContaining("unknown component <Widget>") }]);
});

test("an empty frontmatter block gives empty frontmatter", () => {
  const split = splitFrontmatter("---\n---\nBody\n");
  expect(split.frontmatter).toEqual({});
  expect(split.body).toBe("Body\n");
  expect(split.problems).toEqual([]);
});
