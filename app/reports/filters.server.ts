// The filters HR's dashboards, lists and exports share (and a manager's, scoped to their team).
// One schema, one place that turns them into SQL, so every view counts the same way.
import type { ExpressionBuilder, Kysely, SelectQueryBuilder } from "kysely";
import { z } from "zod";
import type { DB } from "../../db/schema";
import { teamIds } from "../people/org.server";
import { blankToUndefined } from "../forms";

export const STATUS_FILTERS = ["not_started", "in_progress", "completed", "on_time", "late", "overdue", "exempt", "cancelled", "open"] as const;


export const assignmentFiltersSchema = z.object({
  department: z.preprocess(blankToUndefined, z.string().trim().max(200).optional()),
  manager: z.preprocess(blankToUndefined, z.string().trim().max(64).optional()), // a user id: everyone below them
  course: z.preprocess(blankToUndefined, z.string().regex(/^[a-z0-9-]{1,100}$/).optional()),
  cycle: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()),
  status: z.preprocess(blankToUndefined, z.enum(STATUS_FILTERS).optional()),
  type: z.preprocess(blankToUndefined, z.enum(["employee", "contractor"]).optional()),
});
export type AssignmentFilters = z.infer<typeof assignmentFiltersSchema>;

/** Parses filters from a URL's search params; `null` means a value was not acceptable (→ 400). */
export function parseFilters(params: URLSearchParams): AssignmentFilters | null {
  const raw = Object.fromEntries([...params.entries()].filter(([k]) => k in assignmentFiltersSchema.shape));
  const parsed = assignmentFiltersSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

type AssignmentQuery<O> = SelectQueryBuilder<DB & { a: DB["assignments"]; u: DB["users"] }, "a" | "u", O>;

/** Applies filters to a query over `assignments as a` joined with `users as u`. `now` decides
 * what is overdue. `scopeManagerId` restricts to one manager's tree whatever the filters say. */
export function applyAssignmentFilters<O>(
  db: Kysely<DB>,
  qb: AssignmentQuery<O>,
  f: AssignmentFilters,
  now: Date,
  scopeManagerId?: string,
): AssignmentQuery<O> {
  const nowIso = now.toISOString();
  let q = qb;
  if (scopeManagerId) q = q.where("u.id", "in", teamIds(db, scopeManagerId));
  if (f.manager) q = q.where("u.id", "in", teamIds(db, f.manager));
  if (f.department) q = q.where("u.department", "=", f.department);
  if (f.course) q = q.where("a.course_id", "=", f.course);
  if (f.cycle) q = q.where("a.cycle", "=", f.cycle);
  if (f.type) q = q.where("u.type", "=", f.type);
  if (f.status) q = q.where((eb) => statusCondition(eb as never, f.status!, nowIso));
  return q;
}

type EB = ExpressionBuilder<DB & { a: DB["assignments"] }, "a">;

function statusCondition(eb: EB, status: (typeof STATUS_FILTERS)[number], nowIso: string) {
  const open = eb.and([eb("a.completed_at", "is", null), eb("a.cancelled_at", "is", null), eb("a.exempted_at", "is", null)]);
  const started = eb.exists(eb.selectFrom("module_progress as p").select("p.module").whereRef("p.assignment_id", "=", "a.id"));
  switch (status) {
    case "completed":
      return eb("a.completed_at", "is not", null);
    case "on_time":
      return eb.and([eb("a.completed_at", "is not", null), eb("a.completed_at", "<=", eb.ref("a.due_at"))]);
    case "late":
      return eb.and([eb("a.completed_at", "is not", null), eb("a.completed_at", ">", eb.ref("a.due_at"))]);
    case "overdue":
      return eb.and([open, eb("a.due_at", "<", nowIso)]);
    case "open":
      return open;
    case "exempt":
      return eb.and([eb("a.exempted_at", "is not", null), eb("a.cancelled_at", "is", null)]);
    case "cancelled":
      return eb("a.cancelled_at", "is not", null);
    case "in_progress":
      return eb.and([open, eb("a.due_at", ">=", nowIso), started]);
    case "not_started":
      return eb.and([open, eb("a.due_at", ">=", nowIso), eb.not(started)]);
  }
}

/** For headings and CSV: the filters in words. */
export function describeFilters(f: AssignmentFilters): string {
  const parts = Object.entries(f).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${v}`);
  return parts.length ? parts.join(", ") : "everyone";
}
