// HR's recognition page: the report, its list of managers and of "quiet" managers (those who
// have recognised nobody in the window), each shown a page at a time.
import type { Db } from "../../db/connection";
import { recognitionReport, type ManagerRecognition } from "./kudos.server";

// At 100,000 people there are about a thousand managers: each list shows 50 at a time.
export const RECOGNITION_PAGE_SIZE = 50;

/** Page `asked` of `all` (the last page when asked past the end), with what the pager says. */
export function recognitionPageOf<T>(all: T[], asked: number) {
  const pageCount = Math.max(1, Math.ceil(all.length / RECOGNITION_PAGE_SIZE));
  const page = Math.min(asked, pageCount);
  return { rows: all.slice((page - 1) * RECOGNITION_PAGE_SIZE, page * RECOGNITION_PAGE_SIZE), total: all.length, page, pageCount, pageSize: RECOGNITION_PAGE_SIZE };
}

/** Quiet managers: those who have sent no kudos in the window. */
export function quietManagers<M extends Pick<ManagerRecognition, "sentInWindow">>(managers: M[]): M[] {
  return managers.filter((m) => m.sentInWindow === 0);
}

export async function recognitionPage(db: Db, pages: { quietPage: number; managersPage: number }, now: Date) {
  const { managers, ...report } = await recognitionReport(db, now);
  return { ...report, quiet: recognitionPageOf(quietManagers(managers), pages.quietPage), managers: recognitionPageOf(managers, pages.managersPage) };
}
