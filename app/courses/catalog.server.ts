// The course catalog: every folder in courses/, validated. A broken course is reported with its
// file and line and left out; it never takes the rest of the catalog (or the app) down.
import fs from "node:fs";
import path from "node:path";
import { LineCounter, parseDocument, isNode } from "yaml";
import type { ZodIssue, ZodType } from "zod";
import {
  courseMetaSchema,
  moduleFrontmatterSchema,
  policyMetaSchema,
  quizSchema,
  RESERVED_MODULE_SLUGS,
  SLUG,
  type CourseMeta,
  type Quiz,
} from "./schema";
import { analyzeMdx, type ScenarioShape } from "./mdx.server";
import { sha256Hex } from "../hash.server";
import { yamlErrorLine, yamlErrorText } from "./yaml-errors.server";
import { COURSE_COMPONENT_NAMES, POLICY_COMPONENT_NAMES } from "../components/course-component-names";

export interface CourseModule {
  slug: string;
  file: string;
  title: string;
  summary: string | null;
  minutes: number | null;
  source: string;
  scenarios: ScenarioShape[];
}

export interface Course {
  id: string;
  dir: string;
  meta: CourseMeta;
  modules: CourseModule[];
  quiz: Quiz | null;
  contentHash: string;
  /** Where a key of course.yaml is, for problems found across courses. */
  lineOf: (path: Array<string | number>) => number;
}

export interface PolicyVersion {
  version: number;
  file: string;
  published: string;
  material: boolean;
  changes: string;
  body: string;
  sha256: string;
}

export interface Policy {
  id: string;
  title: string;
  statement: string;
  validityMonths: number | null;
  /** Signing earlier than this after the text was shown is refused (null: no minimum). */
  minimumReadingSeconds: number | null;
  versions: PolicyVersion[];
  current: PolicyVersion;
}

export interface CatalogProblem {
  file: string;
  line: number;
  message: string;
}

export interface Catalog {
  root: string;
  courses: Map<string, Course>;
  policies: Map<string, Policy>;
  problems: CatalogProblem[];
}

export const POLICIES_DIR = "policies";

/** Statement of meaning with the version filled in. */
export function policyStatement(policy: Pick<Policy, "statement">, version: number): string {
  return policy.statement.replaceAll("{version}", String(version));
}

function rel(root: string, file: string) {
  return path.relative(path.dirname(root), file) || file;
}

interface YamlFile<T> {
  value: T;
  /** The line of a key, for problems found after validation. */
  lineOf: (path: Array<string | number>) => number;
}

/** Reads a YAML file and validates it; problems carry the line of the offending key. */
function readYaml<T>(root: string, file: string, schema: ZodType<T, any, any>, problems: CatalogProblem[]): YamlFile<T> | null {
  const where = rel(root, file);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  } catch {
    problems.push({ file: where, line: 1, message: "file is missing" });
    return null;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      problems.push({ file: where, line: yamlErrorLine(doc, lineCounter, e), message: `not valid YAML: ${yamlErrorText(e)}` });
    }
    return null;
  }
  const raw = doc.toJS() ?? {};
  const parsed = schema.safeParse(raw);
  const lineOf = (p: Array<string | number>) => lineOfPath(doc, lineCounter, p);
  if (parsed.success) return { value: parsed.data, lineOf };
  for (const issue of parsed.error.issues) {
    // An unknown field is on its own line, not on its parent's.
    const at = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]] : issue.path;
    problems.push({ file: where, line: lineOf(at), message: describeIssue(issue, raw) });
  }
  return null;
}

function lineOfPath(doc: ReturnType<typeof parseDocument>, lc: LineCounter, p: Array<string | number>): number {
  for (let n = p.length; n >= 0; n--) {
    const node = doc.getIn(p.slice(0, n), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return 1;
}

/** `raw` is the file as parsed: a problem inside a quiz question is named by the question's id
 * (`question 'q-usb': options has no correct option`), not by its position. */
export function describeIssue(issue: ZodIssue, raw?: unknown): string {
  const [list, index, ...rest] = issue.path;
  const id = list === "questions" && typeof index === "number" ? (raw as { questions?: Array<{ id?: unknown }> } | undefined)?.questions?.[index]?.id : undefined;
  if (issue.code === "custom" && rest.length === 1 && rest[0] === "id") return issue.message; // "duplicate question id 'x'"
  if (typeof id === "string" && id) {
    const inner = describeIssue({ ...issue, path: rest } as ZodIssue);
    return `question '${id}': ${rest.length ? inner : inner.replace(/^the file /, "")}`;
  }
  const where = issue.path.length ? issue.path.join(".") : "the file";
  if (issue.code === "unrecognized_keys") return `${where === "the file" ? "" : where + ": "}unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(", ")}`;
  if (issue.code === "invalid_type" && issue.received === "undefined") return `${where} is required`;
  if (issue.code === "invalid_enum_value") return `${where} must be one of ${issue.options.join(", ")}`;
  if (issue.code === "invalid_type") return `${where} must be ${issue.expected}, not ${issue.received}`;
  return `${where} ${issue.message}`;
}

function loadPolicy(root: string, id: string, problems: CatalogProblem[]): Policy | null {
  const dir = path.join(root, POLICIES_DIR, id);
  const before = problems.length;
  const metaFile = readYaml(root, path.join(dir, "policy.yaml"), policyMetaSchema, problems);
  if (!metaFile) return null;
  const meta = metaFile.value;
  const versions: PolicyVersion[] = [];
  for (const v of meta.versions) {
    const file = path.join(dir, v.file);
    let body: string;
    try {
      body = fs.readFileSync(file, "utf8");
    } catch {
      problems.push({ file: rel(root, path.join(dir, "policy.yaml")), line: metaFile.lineOf(["versions", meta.versions.indexOf(v), "file"]), message: `version ${v.version}: file ${v.file} is missing` });
      continue;
    }
    const analysis = analyzeMdx(body, POLICY_COMPONENT_NAMES);
    for (const p of analysis.problems) problems.push({ file: rel(root, file), ...p });
    if (Object.keys(analysis.frontmatter).length > 0)
      problems.push({ file: rel(root, file), line: 1, message: "policy text takes no frontmatter; put its details in policy.yaml" });
    versions.push({ version: v.version, file: v.file, published: v.published, material: v.material, changes: v.changes, body, sha256: sha256Hex(body) });
  }
  if (problems.length > before || versions.length === 0) return null;
  return {
    id,
    title: meta.title,
    statement: meta.statement,
    validityMonths: meta.validityMonths ?? null,
    minimumReadingSeconds: meta.minimumReadingSeconds ?? null,
    versions,
    current: versions[versions.length - 1],
  };
}

function loadCourse(root: string, id: string, policies: Map<string, Policy>, problems: CatalogProblem[]): Course | null {
  const dir = path.join(root, id);
  const before = problems.length;
  const metaFile = path.join(dir, "course.yaml");
  const metaYaml = readYaml(root, metaFile, courseMetaSchema, problems);
  const meta = metaYaml?.value;
  if (meta?.policy && !policies.has(meta.policy)) {
    problems.push({
      file: rel(root, metaFile),
      line: metaYaml!.lineOf(["policy"]),
      message: `policy '${meta.policy}' does not exist (or is broken) in ${rel(root, path.join(root, POLICIES_DIR))}/`,
    });
  }
  const files = fs.readdirSync(dir).sort();
  const modules: CourseModule[] = [];
  const scenarioIds = new Map<string, string>();
  const hashParts: string[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    if (fs.statSync(file).isFile()) hashParts.push(name, fs.readFileSync(file, "utf8"));
    if (!name.endsWith(".mdx")) continue;
    const m = /^\d+-([a-z0-9]+(?:-[a-z0-9]+)*)\.mdx$/.exec(name);
    if (!m) {
      problems.push({ file: rel(root, file), line: 1, message: "module file names look like 01-module-name.mdx (number, hyphen, lower-case name)" });
      continue;
    }
    const slug = m[1];
    if (RESERVED_MODULE_SLUGS.has(slug)) {
      problems.push({ file: rel(root, file), line: 1, message: `'${slug}' is reserved and cannot be a module name` });
      continue;
    }
    if (modules.some((x) => x.slug === slug)) {
      problems.push({ file: rel(root, file), line: 1, message: `another module is also named '${slug}'` });
      continue;
    }
    const source = fs.readFileSync(file, "utf8");
    const analysis = analyzeMdx(source, COURSE_COMPONENT_NAMES, { requireScenario: true });
    for (const p of analysis.problems) problems.push({ file: rel(root, file), ...p });
    const fm = moduleFrontmatterSchema.safeParse(analysis.frontmatter);
    if (!fm.success) {
      for (const issue of fm.error.issues) problems.push({ file: rel(root, file), line: 2, message: `frontmatter: ${describeIssue(issue)}` });
      continue;
    }
    for (const sc of analysis.scenarios) {
      const other = scenarioIds.get(sc.id);
      if (other) problems.push({ file: rel(root, file), line: sc.line, message: `scenario id '${sc.id}' is already used in ${other}` });
      scenarioIds.set(sc.id, name);
    }
    modules.push({
      slug,
      file: name,
      title: fm.data.title,
      summary: fm.data.summary ?? null,
      minutes: fm.data.minutes ?? null,
      source,
      scenarios: analysis.scenarios,
    });
  }
  if (modules.length === 0 && !meta?.policy) {
    problems.push({ file: rel(root, dir), line: 1, message: "a course needs at least one module (01-name.mdx) or a policy" });
  }
  let quiz: Quiz | null = null;
  const quizFile = path.join(dir, "quiz.yaml");
  if (fs.existsSync(quizFile)) {
    const quizYaml = readYaml(root, quizFile, quizSchema, problems);
    quiz = quizYaml?.value ?? null;
    quiz?.questions.forEach((q, i) => {
      if (q.module && !modules.some((m) => m.slug === q.module))
        problems.push({ file: rel(root, quizFile), line: quizYaml!.lineOf(["questions", i, "module"]), message: `question '${q.id}' names module '${q.module}', which does not exist` });
    });
    for (const pool of Object.keys(quiz?.pools ?? {})) {
      if (!quiz!.questions.some((q) => q.module === pool))
        problems.push({ file: rel(root, quizFile), line: quizYaml!.lineOf(["pools", pool]), message: `pools names module '${pool}', which no question belongs to` });
    }
  }
  if (problems.length > before || !meta || !metaYaml) return null;
  return { id, dir, meta, modules, quiz, contentHash: sha256Hex(hashParts.join("\0")).slice(0, 16), lineOf: metaYaml.lineOf };
}

export function loadCatalog(root: string): Catalog {
  const catalog: Catalog = { root, courses: new Map(), policies: new Map(), problems: [] };
  if (!fs.existsSync(root)) {
    catalog.problems.push({ file: root, line: 1, message: "courses folder does not exist" });
    return catalog;
  }
  const policiesRoot = path.join(root, POLICIES_DIR);
  if (fs.existsSync(policiesRoot)) {
    for (const id of fs.readdirSync(policiesRoot).sort()) {
      if (!fs.statSync(path.join(policiesRoot, id)).isDirectory()) continue;
      if (!SLUG.test(id)) {
        catalog.problems.push({ file: rel(root, path.join(policiesRoot, id)), line: 1, message: "policy folder names use lower-case letters, digits and hyphens" });
        continue;
      }
      const policy = loadPolicy(root, id, catalog.problems);
      if (policy) catalog.policies.set(id, policy);
    }
  }
  const ids = fs.readdirSync(root).sort();
  for (const id of ids) {
    if (id === POLICIES_DIR || id.startsWith(".") || !fs.statSync(path.join(root, id)).isDirectory()) continue;
    if (!SLUG.test(id)) {
      catalog.problems.push({ file: rel(root, path.join(root, id)), line: 1, message: "course folder names use lower-case letters, digits and hyphens" });
      continue;
    }
    const course = loadCourse(root, id, catalog.policies, catalog.problems);
    if (course) catalog.courses.set(id, course);
  }
  // Until nothing changes: removing one course can leave another pointing at nothing.
  for (let changed = true; changed; ) {
    changed = false;
    for (const course of [...catalog.courses.values()]) {
      const renewWith = course.meta.renewWith;
      if (renewWith && !catalog.courses.has(renewWith)) {
        catalog.problems.push({ file: rel(root, path.join(course.dir, "course.yaml")), line: course.lineOf(["renewWith"]), message: `renewWith names course '${renewWith}', which does not exist (or is broken)` });
        catalog.courses.delete(course.id);
        changed = true;
      }
    }
  }
  return catalog;
}

export function formatProblems(problems: CatalogProblem[]): string {
  return problems.map((p) => `${p.file}:${p.line}  ${p.message}`).join("\n");
}
