// One writer per table (README "Architecture", db/owners.ts): reads every module in app/ for the
// writes it makes — Kysely's insertInto / updateTable / deleteFrom / replaceInto and raw `sql`
// INSERT / UPDATE / DELETE — and fails, naming the file, when a module other than a table's owner
// writes it, when a table has no owner, or when a write names its table in a way this cannot follow.
//
// A write whose table is a parameter (`insertInto(table)` in a helper that fills tables kept by
// generation) is followed to the helper's callers: the module that names the table is its writer.
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { expect, test } from "vitest";
import { ownerExceptions, tableOwners } from "../../db/owners";
import { root, sourceFiles } from "../support/source-files";

const WRITE_METHODS = new Set(["insertInto", "updateTable", "deleteFrom", "replaceInto"]);
const SQL_WRITE = /\b(?:insert\s+(?:or\s+\w+\s+)?into|replace\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s+["`]?([a-z_][a-z0-9_]*)/gi;
const SQL_WRITE_BEFORE_HOLE = /\b(?:insert\s+(?:or\s+\w+\s+)?into|replace\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s*$/i;

function parse(rel: string) {
  return ts.createSourceFile(rel, fs.readFileSync(path.join(root, rel), "utf8"), ts.ScriptTarget.Latest, true);
}

/** The tables of db/schema.ts: the members of its `DB` interface. */
function schemaTables(): string[] {
  const source = parse("db/schema.ts");
  const db = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "DB");
  if (!db) throw new Error("db/schema.ts has no DB interface");
  return db.members.map((m) => m.name!.getText(source));
}

interface FnParam {
  file: string;
  fn: string;
  index: number;
}
/** A parameter's default value is a table name of its own module. */
type Resolved = { tables: string[] } | { param: FnParam; fallback?: ts.Expression } | { unresolved: string };

interface Write {
  file: string;
  line: number;
  tables: string[];
}

const line = (source: ts.SourceFile, node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
const functionName = (fn: ts.SignatureDeclaration): string | undefined => {
  if (fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  if (ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) return fn.parent.name.text;
  return undefined;
};

/** What table names an expression can hold, followed through constants, arrays, loops over
 * arrays and — as a parameter of a named function — to that function's callers. */
function resolve(expr: ts.Expression, file: string, source: ts.SourceFile): Resolved {
  if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return { tables: [expr.text.split(/\s+as\s+/i)[0].trim()] };
  if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr) || ts.isNonNullExpression(expr)) {
    return resolve(expr.expression, file, source);
  }
  if (ts.isArrayLiteralExpression(expr) || ts.isConditionalExpression(expr)) {
    const parts = ts.isArrayLiteralExpression(expr) ? [...expr.elements] : [expr.whenTrue, expr.whenFalse];
    const tables: string[] = [];
    for (const part of parts) {
      const r = resolve(part, file, source);
      if (!("tables" in r)) return "param" in r ? { unresolved: `${part.getText(source)} (a parameter inside an expression)` } : r;
      tables.push(...r.tables);
    }
    return { tables };
  }
  if (ts.isIdentifier(expr)) {
    const name = expr.text;
    // A parameter of an enclosing function, or a loop variable over something resolvable.
    for (let node: ts.Node | undefined = expr.parent; node; node = node.parent) {
      if (ts.isForOfStatement(node) && ts.isVariableDeclarationList(node.initializer)) {
        const decl = node.initializer.declarations[0];
        if (ts.isIdentifier(decl.name) && decl.name.text === name) return resolve(node.expression, file, source);
      }
      if (ts.isFunctionLike(node)) {
        const index = node.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === name);
        if (index >= 0) {
          const fn = functionName(node);
          if (!fn) return { unresolved: `${name} (a parameter of an unnamed function)` };
          return { param: { file, fn, index }, fallback: node.parameters[index].initializer };
        }
      }
    }
    // A constant of the module.
    let found: ts.Expression | undefined;
    const visit = (node: ts.Node) => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name && node.initializer) found = node.initializer;
      ts.forEachChild(node, visit);
    };
    visit(source);
    if (found) return resolve(found, file, source);
  }
  return { unresolved: expr.getText(source) };
}

interface Scan {
  writes: Write[];
  delegated: Array<{ line: number; param: FnParam }>;
  unresolved: string[];
}

function scanFile(file: string, source: ts.SourceFile, tableNames: Set<string>): Scan {
  const scan: Scan = { writes: [], delegated: [], unresolved: [] };
  const record = (node: ts.Node, r: Resolved) => {
    if ("tables" in r) scan.writes.push({ file, line: line(source, node), tables: r.tables });
    else if ("param" in r) {
      scan.delegated.push({ line: line(source, node), param: r.param });
      if (r.fallback) record(node, resolve(r.fallback, file, source));
    }
    else scan.unresolved.push(`${file}:${line(source, node)} writes a table this test cannot name: ${r.unresolved}`);
  };
  const rawSql = (node: ts.Node, text: string) => {
    const tables = [...text.matchAll(SQL_WRITE)].map((m) => m[1].toLowerCase()).filter((t) => tableNames.has(t));
    if (tables.length) scan.writes.push({ file, line: line(source, node), tables });
  };
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && WRITE_METHODS.has(node.expression.name.text)) {
      const arg = node.arguments[0];
      if (arg) record(node, resolve(arg, file, source));
    }
    if (ts.isTaggedTemplateExpression(node) && node.tag.getText(source) === "sql") {
      const template = node.template;
      if (ts.isNoSubstitutionTemplateLiteral(template)) rawSql(node, template.text);
      else {
        let before = template.head.text;
        rawSql(node, before);
        for (const span of template.templateSpans) {
          const hole = span.expression;
          if (SQL_WRITE_BEFORE_HOLE.test(before)) {
            const named = ts.isCallExpression(hole) && /^sql\.(table|id|ref)$/.test(hole.expression.getText(source)) ? hole.arguments[0] : hole;
            record(node, resolve(named, file, source));
          }
          before = span.literal.text;
          rawSql(node, before);
        }
      }
    }
    if (ts.isCallExpression(node) && /^(sql\.raw|CompiledQuery\.raw)$/.test(node.expression.getText(source))) {
      const arg = node.arguments[0];
      if (arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) rawSql(node, arg.text);
      else if (arg) rawSql(node, arg.getText(source));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return scan;
}

/** Calls to `fn` (defined in `definedIn`) from `file`: the file itself, or one importing it. */
function callsTo(fn: string, definedIn: string, file: string, source: ts.SourceFile): ts.CallExpression[] {
  if (file !== definedIn) {
    const imports = source.statements.some((s) => {
      if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier)) return false;
      const spec = s.moduleSpecifier.text.replace(/^~\//, `${path.relative(path.dirname(file), "app") || "."}/`);
      const target = path.normalize(path.join(path.dirname(file), spec));
      const named = s.importClause?.namedBindings;
      return [`${target}.ts`, `${target}.tsx`, target].includes(definedIn) && !!named && ts.isNamedImports(named) && named.elements.some((e) => e.name.text === fn);
    });
    if (!imports) return [];
  }
  const calls: ts.CallExpression[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === fn) calls.push(node);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return calls;
}

/** Every write in the given files, with writes through a helper's parameter credited to the
 * module that names the table. */
function findWrites(files: string[], tableNames: Set<string>): { writes: Write[]; unresolved: string[] } {
  const sources = new Map(files.map((f) => [f, parse(f)]));
  const writes: Write[] = [];
  const unresolved: string[] = [];
  const pending: Array<{ param: FnParam; via: string }> = [];
  for (const [file, source] of sources) {
    const scan = scanFile(file, source, tableNames);
    writes.push(...scan.writes);
    unresolved.push(...scan.unresolved);
    pending.push(...scan.delegated.map((d) => ({ param: d.param, via: `${file}:${d.line}` })));
  }
  const seen = new Set<string>();
  while (pending.length) {
    const { param, via } = pending.pop()!;
    const key = `${param.file}#${param.fn}#${param.index}`;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const [file, source] of sources) {
      for (const call of callsTo(param.fn, param.file, file, source)) {
        const arg = call.arguments[param.index];
        if (!arg) continue;
        const r = resolve(arg, file, source);
        if ("tables" in r) writes.push({ file, line: line(source, call), tables: r.tables });
        else if ("param" in r) {
          pending.push({ param: r.param, via });
          const fallback = r.fallback && resolve(r.fallback, file, source);
          if (fallback && "tables" in fallback) writes.push({ file, line: line(source, call), tables: fallback.tables });
        }
        else unresolved.push(`${file}:${line(source, call)} passes ${param.fn} (which writes at ${via}) a table this test cannot name: ${r.unresolved}`);
      }
    }
  }
  return { writes, unresolved };
}

const tables = schemaTables();
const appFiles = sourceFiles("app");

test("every table in db/schema.ts has exactly one owning module, and it exists", () => {
  const problems: string[] = [];
  const owners = tableOwners as Record<string, string>;
  for (const t of tables) {
    if (!owners[t]) problems.push(`${t} has no owner in db/owners.ts`);
    else if (!fs.existsSync(path.join(root, owners[t]))) problems.push(`${t}'s owner ${owners[t]} does not exist`);
  }
  for (const t of Object.keys(owners)) if (!tables.includes(t)) problems.push(`db/owners.ts names ${t}, which is not in db/schema.ts`);
  expect(problems).toEqual([]);
});

const scanned = findWrites(appFiles, new Set(tables));

test("only a table's owner writes it", () => {
  const { writes, unresolved } = scanned;
  const allowed = (table: string, file: string) =>
    (tableOwners as Record<string, string>)[table] === file || ownerExceptions.some((e) => e.table === table && e.module === file);
  const problems = [...unresolved];
  for (const w of writes) {
    for (const t of w.tables) {
      if (!tables.includes(t)) problems.push(`${w.file}:${w.line} writes ${t}, which is not a table in db/schema.ts`);
      else if (!allowed(t, w.file)) problems.push(`${w.file}:${w.line} writes ${t}, owned by ${(tableOwners as Record<string, string>)[t]}`);
    }
  }
  expect(problems).toEqual([]);
});

test("the scan sees every kind of write, including through a helper's parameter", () => {
  // A sanity check of the reader itself on the modules known to write in each way.
  const { writes } = scanned;
  const written = new Set(writes.flatMap((w) => w.tables.map((t) => `${t} ${w.file}`)));
  expect(written).toContain(`assignments ${tableOwners.assignments}`);
  expect(written).toContain(`report_rollup ${tableOwners.report_rollup}`);
  expect(written).toContain(`person_scores ${tableOwners.person_scores}`);
  expect(written).toContain(`score_runs ${tableOwners.score_runs}`);
});
