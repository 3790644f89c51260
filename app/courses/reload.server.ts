// `npm run dev` reloads the courses folder when a file in it changes (development only): the
// drafts are replaced in place, so every page sees the new text at once; published versions
// stay what HR published.
import fs from "node:fs";
import type { Catalog } from "./catalog.server";
import { loadCatalog } from "./catalog.server";

export interface ReloadReport {
  added: string[];
  changed: string[];
  removed: string[];
  problems: number;
}

/** Replaces `target`'s courses, policies and problems with `fresh`'s, in place, and says what
 * changed (by content hash). */
export function replaceCatalog(target: Catalog, fresh: Catalog): ReloadReport {
  const report: ReloadReport = { added: [], changed: [], removed: [], problems: fresh.problems.length };
  for (const [id, course] of fresh.courses) {
    const before = target.courses.get(id);
    if (!before) report.added.push(id);
    else if (before.contentHash !== course.contentHash) report.changed.push(id);
  }
  for (const id of target.courses.keys()) if (!fresh.courses.has(id)) report.removed.push(id);
  target.courses.clear();
  for (const [id, c] of fresh.courses) target.courses.set(id, c);
  target.policies.clear();
  for (const [id, p] of fresh.policies) target.policies.set(id, p);
  target.problems.splice(0, target.problems.length, ...fresh.problems);
  return report;
}

/** Calls `onReload` after files under the folder change (once per burst of changes). Returns a
 * function that stops watching. */
export function watchCourses(
  drafts: Catalog,
  onReload: (report: ReloadReport) => void | Promise<void>,
  { settleMs = 200 }: { settleMs?: number } = {},
): () => void {
  let timer: NodeJS.Timeout | null = null;
  const watcher = fs.watch(drafts.root, { recursive: true }, () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void onReload(replaceCatalog(drafts, loadCatalog(drafts.root)));
    }, settleMs);
  });
  return () => {
    if (timer) clearTimeout(timer);
    watcher.close();
  };
}
