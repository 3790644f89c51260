// The project's source, for tests that check the rules of the house on it.
import fs from "node:fs";
import path from "node:path";

export const root = path.resolve(__dirname, "../..");

/** Every .ts/.tsx file below `dir` (relative to the project root), declaration files aside. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}
