// The rules of the house (README "Architecture", DESIGN.md), checked on the source so that a
// change which breaks them fails here rather than in the next maintainer's head.
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { expect, test } from "vitest";
import { root, sourceFiles } from "../support/source-files";

const appFiles = sourceFiles("app");
const read = (rel: string) => fs.readFileSync(path.join(root, rel), "utf8");

test("no file in app/ is longer than 500 lines", () => {
  const long = appFiles
    .map((file) => ({ file, lines: read(file).split("\n").length }))
    .filter((f) => f.lines > 500)
    .map((f) => `${f.file}: ${f.lines} lines`);
  expect(long).toEqual([]);
});

// React components (PascalCase functions in .tsx files) are exempt: their length is markup.
test("no function in app/ is longer than 100 lines, React components aside", () => {
  const long: string[] = [];
  for (const file of appFiles) {
    const text = read(file);
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node, name: string | undefined) => {
      let here = name;
      if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) here = node.name?.getText(source);
      if (ts.isVariableDeclaration(node)) here = node.name.getText(source);
      if (ts.isFunctionLike(node) && "body" in node && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const component = file.endsWith(".tsx") && !!here && /^[A-Z]/.test(here);
        if (end - start + 1 > 100 && !component) long.push(`${file}:${start + 1} ${here ?? "(anonymous)"}: ${end - start + 1} lines`);
      }
      ts.forEachChild(node, (child) => visit(child, here));
    };
    visit(source, undefined);
  }
  expect(long).toEqual([]);
});

test("routes hold no SQL: nothing in app/routes/ imports Kysely or db/, or builds a query", () => {
  const offenders = appFiles
    .filter((f) => f.startsWith("app/routes/"))
    .filter((f) => {
      const text = read(f);
      return (
        /from\s+["'](kysely|[^"']*\/db\/[^"']*)["']/.test(text) ||
        /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto)\(/.test(text) ||
        /\bsql`/.test(text)
      );
    });
  expect(offenders).toEqual([]);
});

// HTTP lives in app/http/ (guards, form reading, flash, downloads) and in routes; domain modules
// take plain values and return plain values.
test("domain modules never take a Request or return a Response", () => {
  const httpFree = appFiles.filter(
    (f) =>
      f.endsWith(".server.ts") &&
      !f.startsWith("app/http/") &&
      !f.startsWith("app/routes/") &&
      f !== "app/entry.server.tsx",
  );
  const offenders = httpFree.filter((f) => {
    const text = read(f).replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "");
    return /\b(Request|Response|Headers)\b/.test(text) || /@remix-run\/(node|server-runtime|express)/.test(text);
  });
  expect(offenders).toEqual([]);
});

test("a component never imports server code, and a domain module never imports a route or a component", () => {
  const offenders: string[] = [];
  const isComponent = (rel: string) => rel.endsWith(".tsx") && !rel.startsWith("app/routes/") && !["app/root.tsx", "app/entry.server.tsx", "app/entry.client.tsx"].includes(rel);
  for (const file of appFiles) {
    const specs = [...read(file).matchAll(/from\s+["']([^"']+)["']/g)].map((m) => m[1]).filter((s) => s.startsWith("."));
    for (const spec of specs) {
      const target = path.relative(root, path.resolve(root, path.dirname(file), spec));
      const resolved = [".ts", ".tsx", "/index.ts"].map((ext) => target + ext).find((t) => fs.existsSync(path.join(root, t))) ?? target;
      if (isComponent(file) && resolved.includes(".server")) offenders.push(`${file} imports ${spec}`);
      if (file.endsWith(".server.ts") && (resolved.startsWith("app/routes/") || isComponent(resolved))) offenders.push(`${file} imports ${spec}`);
    }
  }
  expect(offenders).toEqual([]);
});

test("every decision record is listed in docs/decisions/README.md", () => {
  const dir = path.join(root, "docs/decisions");
  const index = fs.readFileSync(path.join(dir, "README.md"), "utf8");
  const records = fs.readdirSync(dir).filter((f) => /^\d{3}-.*\.md$/.test(f));
  expect(records.length).toBeGreaterThan(0);
  expect(records.filter((f) => !index.includes(`(${f})`))).toEqual([]);
});

test("README's architecture table names every top-level folder of app/", () => {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const folders = fs.readdirSync(path.join(root, "app"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  expect(folders.filter((f) => !readme.includes(`| \`app/${f}/\` |`))).toEqual([]);
});
