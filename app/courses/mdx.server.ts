// MDX for courses: static analysis (which components a module uses, the shape of its
// scenarios, with line numbers) and compilation with mdx-bundler, once per content hash.
import { createProcessor } from "@mdx-js/mdx";
import { bundleMDX } from "mdx-bundler";
import { getMDXExport } from "mdx-bundler/client";
import { LineCounter, parseDocument } from "yaml";
import { yamlErrorLine, yamlErrorText } from "./yaml-errors.server";
import { isCourseFilePath, MEDIA_ATTRIBUTES, type MediaReference } from "./media.server";
import { sha256Hex } from "../hash.server";
import { registerMdx } from "../components/mdx-registry";
import { CALLOUT_KINDS, COURSE_COMPONENT_NAMES, POLICY_COMPONENT_NAMES } from "../components/course-component-names";
import { codeProblems, remarkContentOnly, UnsafeMdxError, type MdastNode } from "./mdx-safety.server";

export interface Problem {
  line: number;
  message: string;
}

export interface ScenarioChoiceShape {
  to: string;
  label: string;
  line: number;
}
export interface ScenarioStepShape {
  id: string;
  ending: "best" | "acceptable" | "poor" | null;
  choices: ScenarioChoiceShape[];
  line: number;
  // --- Ending outcomes (scenarios that teach) ---
  /** An ending's outcome (the same as `ending`; null for a step with choices). */
  outcome: "best" | "acceptable" | "poor" | null;
  /** A poor ending's `retry="step-id"`: where "try again" leads (the step with the better choice). */
  retry: string | null;
  /** The text of a poor ending's <BetterMove>, or null. */
  betterMove: string | null;
}
export interface ScenarioShape {
  id: string;
  title: string;
  line: number;
  steps: ScenarioStepShape[];
}

export interface MdxAnalysis {
  frontmatter: Record<string, unknown>;
  /** 1-based line in the file of the first body line, to report positions. */
  bodyLine: number;
  body: string;
  scenarios: ScenarioShape[];
  /** Files named by <Figure> and <Video>, for courses:check to look at. */
  media: MediaReference[];
  problems: Problem[];
}

/** `---js`, `---coffee` …: frontmatter in a language other than YAML (gray-matter would run it). */
const OTHER_FRONTMATTER = /^---[^\S\n]*\S/;
const FRONTMATTER_LANGUAGE = "frontmatter must be YAML between --- lines; ---js and other languages are not allowed";

const ENDINGS = new Set(["best", "acceptable", "poor"]);

/** Splits `---` frontmatter from the body. YAML errors are reported with the file's line. */
export function splitFrontmatter(source: string): {
  frontmatter: Record<string, unknown>;
  body: string;
  bodyLine: number;
  problems: Problem[];
} {
  const text = source.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  if (!text.startsWith("---\n")) return { frontmatter: {}, body: text, bodyLine: 1, problems: [] };
  const end = text.indexOf("\n---", 3);
  if (end === -1) {
    return { frontmatter: {}, body: text, bodyLine: 1, problems: [{ line: 1, message: "frontmatter starts with --- but never ends with a --- line" }] };
  }
  const yamlText = text.slice(4, end + 1);
  const afterMarker = text.indexOf("\n", end + 4);
  const body = afterMarker === -1 ? "" : text.slice(afterMarker + 1);
  const bodyLine = yamlText.split("\n").length + 2;
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // The YAML starts on line 2 of the file.
    const problems = doc.errors.map((e) => ({ line: yamlErrorLine(doc, lineCounter, e) + 1, message: `frontmatter is not valid YAML: ${yamlErrorText(e)}` }));
    return { frontmatter: {}, body, bodyLine, problems: problems.slice(0, 1) };
  }
  const fm = doc.toJS() ?? {};
  if (typeof fm !== "object" || Array.isArray(fm)) {
    return { frontmatter: {}, body, bodyLine, problems: [{ line: 2, message: "frontmatter must be a set of `key: value` lines" }] };
  }
  return { frontmatter: fm as Record<string, unknown>, body, bodyLine, problems: [] };
}

/** The parser counts lines from the start of the body; authors count from the top of the file. */
function syntaxProblem(e: unknown, bodyLine: number): Problem {
  const err = e as { line?: number; place?: { line?: number; start?: { line?: number } }; reason?: string };
  const reason = err.reason ?? firstLine(e);
  const shift = (line: number) => line + bodyLine - 1;
  const inReason = /\((\d+):\d+/.exec(reason);
  const line = err.line ?? err.place?.start?.line ?? err.place?.line ?? (inReason ? Number(inReason[1]) : 1);
  const message = reason.replace(/\((\d+):(\d+)(?:-(\d+):(\d+))?\)/g, (_m, l1, c1, l2, c2) =>
    l2 ? `(${shift(Number(l1))}:${c1}-${shift(Number(l2))}:${c2})` : `(${shift(Number(l1))}:${c1})`,
  );
  return { line: shift(line), message: `MDX syntax error: ${message}` };
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0];
}

type Node = {
  type: string;
  name?: string | null;
  attributes?: Array<{ type: string; name?: string; value?: unknown }>;
  children?: Node[];
  value?: string;
  position?: { start: { line: number } };
};

function attr(node: Node, name: string): string | null | undefined {
  const a = node.attributes?.find((x) => x.type === "mdxJsxAttribute" && x.name === name);
  if (!a) return undefined;
  return typeof a.value === "string" ? a.value : null; // null: an expression, not a literal
}

function textOf(node: Node): string {
  if (node.type === "text" || node.type === "inlineCode") return node.value ?? "";
  return (node.children ?? []).map(textOf).join("");
}

function isJsx(n: Node) {
  return n.type === "mdxJsxFlowElement" || n.type === "mdxJsxTextElement";
}

function findAll(node: Node, name: string, out: Node[] = [], stopAt?: string): Node[] {
  for (const child of node.children ?? []) {
    if (isJsx(child) && child.name === name) out.push(child);
    else if (!(isJsx(child) && child.name === stopAt)) findAll(child, name, out, stopAt);
  }
  return out;
}

/** Parses a module or policy and checks the component rules. `allowed` lists the capitalised
 * components the file may use; `requireScenario` is for course modules. Never throws: problems
 * come back with their lines. */
export function analyzeMdx(source: string, allowed: readonly string[] = COURSE_COMPONENT_NAMES, { requireScenario = false } = {}): MdxAnalysis {
  const { frontmatter, body, bodyLine, problems } = splitFrontmatter(source);
  const result: MdxAnalysis = { frontmatter, body, bodyLine, scenarios: [], media: [], problems };
  if (OTHER_FRONTMATTER.test(source.replace(/^\uFEFF/, ""))) {
    result.problems.push({ line: 1, message: FRONTMATTER_LANGUAGE });
    return result;
  }
  const lineOf = (n: Node) => (n.position?.start.line ?? 1) + bodyLine - 1;
  let tree: Node;
  try {
    tree = createProcessor().parse(body) as unknown as Node;
  } catch (e) {
    result.problems.push(syntaxProblem(e, bodyLine));
    return result;
  }

  const walk = (n: Node) => {
    if (isJsx(n) && n.name && /^[A-Z]/.test(n.name) && !allowed.includes(n.name)) {
      result.problems.push({
        line: lineOf(n),
        message: `unknown component <${n.name}>; available: ${allowed.map((a) => `<${a}>`).join(", ")}`,
      });
    }
    n.children?.forEach(walk);
  };
  walk(tree);
  result.problems.push(...codeProblems(tree as MdastNode, (n) => lineOf(n as Node)));

  for (const sc of findAll(tree, "Scenario")) {
    const shape = scenarioShape(sc, lineOf, result.problems);
    if (shape) result.scenarios.push(shape);
  }
  calloutProblems(tree, lineOf, result.problems);
  for (const component of Object.keys(MEDIA_ATTRIBUTES)) {
    if (allowed.includes(component)) for (const n of findAll(tree, component)) mediaAttributes(n, lineOf(n), result);
  }
  // A course module teaches through at least one scenario (courses/README.md); policies have none.
  if (requireScenario && findAll(tree, "Scenario").length === 0) {
    result.problems.push({
      line: bodyLine,
      message: 'a module needs at least one <Scenario id="…" title="…"> with <Step> and <Choice> elements: a situation the learner decides on',
    });
  }
  // Steps and choices only make sense inside a scenario / step.
  const nestedSteps = new Set(findAll(tree, "Scenario").flatMap((s) => findAll(s, "Step")));
  for (const st of findAll(tree, "Step")) {
    if (!nestedSteps.has(st)) result.problems.push({ line: lineOf(st), message: "<Step> must be inside a <Scenario>" });
  }
  const nestedChoices = new Set(findAll(tree, "Step").flatMap((s) => findAll(s, "Choice")));
  for (const ch of findAll(tree, "Choice")) {
    if (!nestedChoices.has(ch)) result.problems.push({ line: lineOf(ch), message: "<Choice> must be inside a <Step>" });
  }
  return result;
}

function mediaAttributes(n: Node, line: number, result: MdxAnalysis) {
  const component = n.name!;
  for (const [name, rule] of Object.entries(MEDIA_ATTRIBUTES[component])) {
    const value = attr(n, name);
    const example = `${name}="${rule.extensions[0] === ".vtt" ? "captions" : rule.extensions[0] === ".txt" ? "transcript" : "file"}${rule.extensions[0]}"`;
    if (value === undefined || value === null || value.trim() === "") {
      if (rule.required) result.problems.push({ line, message: `<${component}> needs ${name}: a file in the course folder, e.g. ${example}` });
      continue;
    }
    if (!isCourseFilePath(value)) {
      result.problems.push({ line, message: `<${component} ${name}="${value}">: name a file in the course folder, e.g. ${example} (no web addresses, no leading /, no ..)` });
      continue;
    }
    const ext = value.slice(value.lastIndexOf(".")).toLowerCase();
    if (!rule.extensions.includes(ext)) {
      result.problems.push({ line, message: `<${component} ${name}="${value}">: ${name} must be a ${rule.extensions.join(", ")} file` });
      continue;
    }
    result.media.push({ line, component, attribute: name, file: value });
  }
  if (component === "Figure") {
    const alt = attr(n, "alt");
    if (!alt || !alt.trim())
      result.problems.push({ line, message: '<Figure> needs alt text that says what the image shows, for people who cannot see it, e.g. alt="Three teams, each reaching only the folders its work needs"' });
  }
}

function calloutProblems(tree: Node, lineOf: (n: Node) => number, problems: Problem[]) {
  for (const c of findAll(tree, "Callout")) {
    const kind = attr(c, "kind");
    if (kind === undefined || (kind !== null && (CALLOUT_KINDS as string[]).includes(kind))) continue;
    problems.push({
      line: lineOf(c),
      message: `<Callout kind=${kind === null ? "{…}" : `"${kind}"`}> is not a kind of callout; use ${CALLOUT_KINDS.map((k) => `kind="${k}"`).join(", ")} (or leave kind out for a note)`,
    });
  }
}

function scenarioShape(sc: Node, lineOf: (n: Node) => number, problems: Problem[]): ScenarioShape | null {
  const id = attr(sc, "id");
  const title = attr(sc, "title");
  const line = lineOf(sc);
  if (!id) {
    problems.push({ line, message: '<Scenario> needs an id, e.g. <Scenario id="usb-in-car-park" title="…">' });
    return null;
  }
  if (!title) problems.push({ line, message: `<Scenario id="${id}"> needs a title` });
  // Scenario renders only its direct <Step> children; a Step nested deeper would never show.
  const stepNodes = (sc.children ?? []).filter((n) => isJsx(n) && n.name === "Step");
  const direct = new Set(stepNodes);
  const nested = findAll(sc, "Step", [], "Scenario").filter((n) => !direct.has(n));
  for (const n of nested) {
    problems.push({ line: lineOf(n), message: `a <Step> must stand directly inside <Scenario id="${id}">, not inside another element` });
  }
  if (stepNodes.length === 0) {
    if (nested.length === 0) problems.push({ line, message: `scenario '${id}' has no <Step>` });
    return null;
  }
  const steps: ScenarioStepShape[] = [];
  const ids = new Set<string>();
  for (const st of stepNodes) {
    const sid = attr(st, "id");
    if (!sid) {
      problems.push({ line: lineOf(st), message: `a <Step> in scenario '${id}' has no id` });
      continue;
    }
    if (ids.has(sid)) problems.push({ line: lineOf(st), message: `step id '${sid}' is used twice in scenario '${id}'` });
    ids.add(sid);
    const choices = findAll(st, "Choice", [], "Step").map((c) => ({
      to: attr(c, "to") ?? "",
      label: textOf(c).trim(),
      line: lineOf(c),
    }));
    const ending = attr(st, "ending");
    if (choices.length === 0 && !ending)
      problems.push({ line: lineOf(st), message: `step '${sid}' has no choices, so it is an ending: add ending="best", "acceptable" or "poor"` });
    if (ending && !ENDINGS.has(ending))
      problems.push({ line: lineOf(st), message: `step '${sid}' has ending="${ending}"; use best, acceptable or poor` });
    if (choices.length > 0 && ending)
      problems.push({ line: lineOf(st), message: `step '${sid}' has choices, so it cannot be an ending` });
    for (const c of choices) {
      if (!c.to) problems.push({ line: c.line, message: `a <Choice> in step '${sid}' has no to="…"` });
      if (!c.label) problems.push({ line: c.line, message: `a <Choice> in step '${sid}' has no text` });
    }
    const outcome = ending && ENDINGS.has(ending) ? (ending as ScenarioStepShape["ending"]) : null;
    const better = findAll(st, "BetterMove", [], "Step");
    steps.push({ id: sid, ending: outcome, choices, line: lineOf(st), outcome, retry: attr(st, "retry") ?? null, betterMove: better.length ? textOf(better[0]).trim() : null });
  }
  const byId = new Map(steps.map((s) => [s.id, s]));
  for (const s of steps) {
    for (const c of s.choices) {
      if (c.to && !byId.has(c.to))
        problems.push({ line: c.line, message: `choice leads to step '${c.to}', which does not exist in scenario '${id}'` });
    }
    endingOutcomeProblems(s, byId, id, problems);
  }
  // Reachability from the first step, and no loops (every path must end).
  const state = new Map<string, "visiting" | "done">();
  const visit = (s: ScenarioStepShape) => {
    state.set(s.id, "visiting");
    for (const c of s.choices) {
      const next = byId.get(c.to);
      if (!next) continue;
      if (state.get(next.id) === "visiting") {
        problems.push({ line: c.line, message: `choice in step '${s.id}' loops back to step '${next.id}'; every path must reach an ending` });
      } else if (!state.has(next.id)) visit(next);
    }
    state.set(s.id, "done");
  };
  visit(steps[0]);
  for (const s of steps) {
    if (!state.has(s.id)) problems.push({ line: s.line, message: `step '${s.id}' cannot be reached from the first step of scenario '${id}'` });
  }
  return { id, title: title ?? id, line, steps };
}

/** A poor ending's `retry` names a step with choices; `retry` and <BetterMove> belong on poor endings. */
function endingOutcomeProblems(s: ScenarioStepShape, byId: Map<string, ScenarioStepShape>, scenario: string, problems: Problem[]) {
  if (s.retry !== null && s.ending !== "poor")
    problems.push({ line: s.line, message: `step '${s.id}' has retry="…", which only a poor ending takes (where "try again" leads)` });
  if (s.betterMove !== null && s.ending !== "poor")
    problems.push({ line: s.line, message: `step '${s.id}' has a <BetterMove>, which only a poor ending takes` });
  const target = s.retry ? byId.get(s.retry) : undefined;
  if (s.retry && (!target || target.choices.length === 0))
    problems.push({ line: s.line, message: `step '${s.id}' has retry="${s.retry}", which is not a step with choices in scenario '${scenario}'` });
}

// ---------------------------------------------------------------------------------------

export interface CompiledMdx {
  hash: string;
  code: string;
}

const compiled = new Map<string, Promise<CompiledMdx>>();

export function mdxHash(source: string): string {
  return sha256Hex(source).slice(0, 32);
}

/** gray-matter would evaluate `---js` frontmatter; only YAML frontmatter is read. */
const refuseEngine = {
  parse: () => {
    throw new UnsafeMdxError([{ line: 1, message: FRONTMATTER_LANGUAGE }]);
  },
};

/** Compiles once per content hash; later calls for the same text share the result. Content
 * that contains code (see mdx-safety.server.ts) is refused before any code is generated. */
export function compileMdx(source: string): Promise<CompiledMdx> {
  const hash = mdxHash(source);
  let pending = compiled.get(hash);
  if (!pending) {
    const unsafe = codeProblemsOf(source);
    if (unsafe.length > 0) return Promise.reject(new UnsafeMdxError(unsafe));
    pending = bundleMDX({
      source,
      esbuildOptions: (options) => ({ ...options, logLevel: "silent" }),
      grayMatterOptions: (options) => ({ ...options, language: "yaml", engines: { javascript: refuseEngine, coffee: refuseEngine, json: refuseEngine } }),
      mdxOptions: (options) => ({ ...options, remarkPlugins: [remarkContentOnly, ...(options.remarkPlugins ?? [])] }),
    }).then(({ code }) => {
      registerMdx(hash, getMDXExport(code).default as never);
      return { hash, code };
    });
    pending.catch(() => compiled.delete(hash));
    compiled.set(hash, pending);
  }
  return pending;
}

/** The code rule on the text as the author wrote it (lines of the file); the compiler's own
 * remark step checks the tree it compiles as well. */
function codeProblemsOf(source: string) {
  const { body, bodyLine } = splitFrontmatter(source);
  if (OTHER_FRONTMATTER.test(source.replace(/^\uFEFF/, ""))) return [{ line: 1, message: FRONTMATTER_LANGUAGE }];
  let tree: MdastNode;
  try {
    tree = createProcessor().parse(body) as unknown as MdastNode;
  } catch {
    return []; // the compiler reports syntax errors with their lines
  }
  return codeProblems(tree, (n) => (n.position?.start.line ?? 1) + bodyLine - 1);
}

/** For a page: the hash and, when the text does not compile, why (the page shows HR the reason
 * and learners "temporarily unavailable"; a request never fails because of content). */
export async function compileForPage(source: string): Promise<{ hash: string; failure: string | null }> {
  try {
    return { hash: (await compileMdx(source)).hash, failure: null };
  } catch (e) {
    return { hash: mdxHash(source), failure: compileFailureText(e) };
  }
}

type EsbuildFailure = { errors?: Array<{ text?: string; location?: { line?: number } | null }> };

/** The line a compile failure points at, for "file:line" messages. */
export function compileFailureLine(e: unknown): number {
  if (e instanceof UnsafeMdxError) return e.problems[0].line;
  return (e as EsbuildFailure).errors?.[0]?.location?.line ?? 1;
}

export function compileFailureText(e: unknown): string {
  if (e instanceof UnsafeMdxError) return e.problems[0].message;
  const first = (e as EsbuildFailure).errors?.[0]?.text;
  return (first ?? (e instanceof Error ? e.message : String(e))).split("\n")[0];
}

/** The compiled module for a hash; compiles it from `sources` when this process has not yet
 * (after a restart, or on another instance behind the same load balancer); null when there is no
 * such text or it does not compile. */
export async function compiledByHash(hash: string, sources: () => Iterable<string>): Promise<CompiledMdx | null> {
  const known = compiled.get(hash);
  if (known) return known.catch(() => null);
  for (const source of sources()) {
    // Text that does not compile has no module: the page shows why instead.
    if (mdxHash(source) === hash) return compileMdx(source).catch(() => null);
  }
  return null;
}

export function* catalogSources(catalog: { courses: Map<string, { modules: Array<{ source: string }> }>; policies: Map<string, { versions: Array<{ body: string }> }> }) {
  for (const c of catalog.courses.values()) for (const m of c.modules) yield m.source;
  for (const p of catalog.policies.values()) for (const v of p.versions) yield v.body;
}

/** The compiled module as an ES module the browser can import: the page's CSP then needs no
 * 'unsafe-eval' (see docs/decisions/002-mdx-without-unsafe-eval.md). */
export function asBrowserModule(code: string): string {
  return `export default function (React, ReactDOM, _jsx_runtime) {\n${code}\n}\n`;
}
