// The top-level folders of app/ form layers: a folder may use the ones below it, never one that
// uses it back. A cycle between two folders (scheduler → reports → scheduler) means neither can
// be understood, tested or changed without the other; this test fails on any such cycle.
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";

const root = path.resolve(__dirname, "../..");
const app = path.join(root, "app");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** The top-level folder of app/ a path is in, or null for app/'s own files and outside app/. */
function folderOf(file: string): string | null {
  const parts = path.relative(app, file).split(path.sep);
  return parts.length > 1 && parts[0] !== ".." ? parts[0] : null;
}

/** folder → folder it imports → the files that do (static, type-only and dynamic imports). */
function folderGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of sourceFiles(app)) {
    const from = folderOf(file);
    if (!from) continue;
    const text = fs.readFileSync(file, "utf8");
    for (const [, spec] of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']/g)) {
      const target = spec.startsWith("~/") ? path.join(app, spec.slice(2)) : spec.startsWith(".") ? path.resolve(path.dirname(file), spec) : null;
      const to = target && folderOf(target);
      if (!to || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, edges);
      edges.set(to, [...(edges.get(to) ?? []), path.relative(root, file)]);
    }
  }
  return graph;
}

/** Strongly connected components with more than one folder (Tarjan). */
function cycles(graph: Map<string, Map<string, string[]>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/**
 * Imports that still close a cycle, each being removed elsewhere. The list only shrinks: an entry
 * whose import is gone fails the second test, so that it is struck off as soon as it can be.
 * - people → auth: people/people.server.ts revokes a deactivated person's sessions, while
 *   auth/password-links.server.ts sets a password through people/; the accounts work under way
 *   in auth/ settles which side owns that step.
 */
const PENDING: ReadonlyArray<readonly [string, string]> = [
  ["people", "auth"],
];

test("no two top-level folders of app/ import each other, directly or round a loop", () => {
  const graph = folderGraph();
  for (const [from, to] of PENDING) graph.get(from)?.delete(to);
  const report = cycles(graph).map((component) =>
    component
      .flatMap((from) =>
        [...(graph.get(from) ?? new Map<string, string[]>())]
          .filter(([to]) => component.includes(to))
          .map(([to, files]) => `${from} → ${to} (${files.join(", ")})`),
      )
      .join("; "),
  );
  expect(report).toEqual([]);
});

test("every import listed as pending still exists (strike it off once it is gone)", () => {
  const graph = folderGraph();
  const gone = PENDING.filter(([from, to]) => !graph.get(from)?.has(to)).map(([from, to]) => `${from} → ${to}`);
  expect(gone).toEqual([]);
});
