// Who is late: open assignments past their due date, most days late first, counted live (not
// from the rollup), 50 at a time with keyset pagination so that page 2,000 costs what page 1 does.
//
// The order is by due date, then id: the earlier the due date, the more days late, so this is
// "days late, most first", with the exact lateness and then the id breaking ties. The walks use
// the partial indexes assignments_open_by_due and assignments_open_by_cycle (open assignments
// only, by due date and id), so a page costs the same however many assignments are closed.
import { sql, type Kysely } from "kysely";
import { z } from "zod";
import { dialectOf } from "../../db/connection";
import type { AssignmentReason, DB, UserStatus, UserType } from "../../db/schema";
import { teamIds } from "../people/org.server";
import { applyAssignmentFilters, type AssignmentFilters } from "./filters.server";
import { currentRun, notAnIndex, teamSizeOf } from "./rollup.server";

export const OVERDUE_PAGE_SIZE = 50;
const DAY_MS = 86_400_000;
/** From this many people up, a manager's team is checked while walking the open assignments in
 * due order; a smaller team is read person by person (at most ~9,000 assignments). */
const WALK_BY_DUE_DATE_FROM_TEAM_SIZE = 250;

export interface OverdueRow {
  assignmentId: string;
  personId: string;
  personName: string;
  personEmail: string;
  personStatus: UserStatus;
  department: string | null;
  type: UserType;
  courseId: string;
  cycle: string;
  reason: AssignmentReason;
  dueAt: string;
  /** Whole days since the due date. */
  daysLate: number;
  /** Notifications about this assignment after the first "assigned" email: reminders, overdue
   * notices, nudges, escalations to the manager and HR's own reminders. */
  remindersSent: number;
  lastRemindedAt: string | null;
  /** HR already sent a reminder for it today (UTC), so another click would send nothing. */
  remindedToday: boolean;
  managerId: string | null;
  managerName: string | null;
  /** When the person answered "I do not agree" to this assignment's agreement (null: never). */
  declinedAt: string | null;
}

export interface OverdueInput {
  filters: AssignmentFilters;
  now: Date;
  /** The `next` of the previous page; absent for the first page. */
  after?: string | null;
  limit: number;
}

export interface OverdueCursor {
  dueAt: string;
  id: string;
}

const cursorSchema = z.object({
  dueAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/),
  id: z.string().min(1).max(100),
});

/** Opaque in URLs: base64url of "dueAt|id". */
export function encodeOverdueCursor(c: OverdueCursor): string {
  return Buffer.from(`${c.dueAt}|${c.id}`, "utf8").toString("base64url");
}

/** null when the text is not a cursor this list made (→ 400). */
export function decodeOverdueCursor(text: string): OverdueCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return null;
  const raw = Buffer.from(text, "base64url").toString("utf8");
  const bar = raw.indexOf("|");
  if (bar < 0) return null;
  const parsed = cursorSchema.safeParse({ dueAt: raw.slice(0, bar), id: raw.slice(bar + 1) });
  return parsed.success ? parsed.data : null;
}

export function hrReminderEventKey(assignmentId: string, now: Date): string {
  return `hr-reminder:${assignmentId}:${now.toISOString().slice(0, 10)}`;
}


/** The states the overdue list can hold (open and past due) match these status filters. */
const STATUSES_THAT_CAN_BE_OVERDUE = new Set<AssignmentFilters["status"]>([undefined, "overdue", "open"]);

/** One page of the overdue list. Stable API: the evidence benchmark calls it. */
export async function listOverdue(db: Kysely<DB>, { filters, now, after, limit }: OverdueInput): Promise<{ rows: OverdueRow[]; next: string | null }> {
  const cursor = after ? decodeOverdueCursor(after) : null;
  if (after && !cursor) throw new Error("Not a cursor of the overdue list");
  const pageSize = Math.max(1, Math.min(500, Math.floor(limit)));
  // Every row here is open and past due: a status filter either keeps them all or none.
  if (!STATUSES_THAT_CAN_BE_OVERDUE.has(filters.status)) return { rows: [], next: null };

  // Where to start (see rollup.server.ts): a small team person by person; one cycle's open
  // assignments in due order; or else all open assignments in due order, testing each.
  const run = await currentRun(db);
  let team: string[] | null = null;
  const known = filters.manager ? await teamSizeOf(db, run, filters.manager) : null;
  if (filters.manager) {
    if (known === null || known < WALK_BY_DUE_DATE_FROM_TEAM_SIZE) {
      team = (await teamIds(db, filters.manager).execute()).map((r) => r.id);
      if (team.length >= WALK_BY_DUE_DATE_FROM_TEAM_SIZE) team = null;
    }
  }
  const take = pageSize + 1;
  let ids: string[];
  if (team) ids = await pageOfTeam(db, { people: team, filters, now, cursor, take });
  else if (filters.cycle) ids = await pageOfCycle(db, { filters, now, cursor, take, teamSize: known, people: run?.people ?? null });
  else ids = await pageByDueDate(db, { filters, now, cursor, take, teamSize: known, people: run?.people ?? null });

  const rows = await details(db, ids, now);
  const page = rows.slice(0, pageSize);
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > pageSize && last ? encodeOverdueCursor({ dueAt: last.dueAt, id: last.assignmentId }) : null };
}

/** Walks the open assignments by due date (the partial index), testing each against the filters,
 * and stops after a page. */
async function pageByDueDate(db: Kysely<DB>, o: { filters: AssignmentFilters; now: Date; cursor: OverdueCursor | null; take: number; teamSize: number | null; people: number | null }): Promise<string[]> {
  const f = o.filters;
  let q = db
    .selectFrom("assignments as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .select("a.id")
    .where("a.completed_at", "is", null)
    .where("a.exempted_at", "is", null)
    .where("a.cancelled_at", "is", null)
    .where("a.due_at", "<", o.now.toISOString());
  q = applyAssignmentFilters(db, q, { department: f.department, type: f.type }, o.now);
  if (f.course) q = q.where(sql<boolean>`${notAnIndex(db, "course_id")} = ${f.course}`);
  if (f.cycle) q = q.where(sql<boolean>`${notAnIndex(db, "cycle")} = ${f.cycle}`);
  if (f.manager) q = q.where(inTeamWhileWalking(db, f.manager, o.teamSize, o.people));
  const c = o.cursor;
  // As a row value, so that the walk starts exactly at the cursor, even inside a run of equal due dates.
  if (c) q = q.where((eb) => eb(eb.refTuple("a.due_at", "a.id"), ">", eb.tuple(c.dueAt, c.id)));
  return (await q.orderBy("a.due_at", "asc").orderBy("a.id", "asc").limit(o.take).execute()).map((r) => r.id);
}

/** From this many people (or half the organisation) up, membership is tested by walking up from
 * each person — a page is found quickly, most people being in the team — rather than by listing
 * the whole team first. */
const WALK_UP_FROM_TEAM_SIZE = 5_000;

/** "This person is in the manager's team", for a walk over open assignments. The same relation
 * as teamIds() (below the manager, at most 50 levels down), asked from either end. */
function inTeamWhileWalking(db: Kysely<DB>, managerId: string, teamSize: number | null, people: number | null) {
  if (dialectOf(db) !== "sqlite") return sql<boolean>`u.id in (${teamIds(db, managerId)})`;
  if (teamSize !== null && (teamSize >= WALK_UP_FROM_TEAM_SIZE || (people !== null && teamSize * 2 >= people))) {
    return sql<boolean>`exists (with recursive up(id, depth) as (select u.manager_id, 1 union all select x.manager_id, up.depth + 1 from users x join up on x.id = up.id where up.depth < 50) select 1 from up where up.id = ${managerId})`;
  }
  // `+u.id` only tells SQLite not to start from the team list; the meaning is the same.
  return sql<boolean>`+u.id in (${teamIds(db, managerId)})`;
}

const byDueThenId = (x: { due_at: string; id: string }, y: { due_at: string; id: string }) =>
  x.due_at < y.due_at ? -1 : x.due_at > y.due_at ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0;

/** The open/past-due tests, kept off the indexes (so the planner cannot prefer the index of all
 * open assignments to the way in chosen here). */
function openAndPastDue(db: Kysely<DB>, now: Date) {
  return sql<boolean>`${notAnIndex(db, "completed_at")} is null and ${notAnIndex(db, "exempted_at")} is null and ${notAnIndex(db, "cancelled_at")} is null and ${notAnIndex(db, "due_at")} < ${now.toISOString()}`;
}

/** A small team read whole, person by person (the index on user_id), then ordered here. */
async function pageOfTeam(db: Kysely<DB>, o: { people: string[]; filters: AssignmentFilters; now: Date; cursor: OverdueCursor | null; take: number }): Promise<string[]> {
  const f = o.filters;
  if (o.people.length === 0) return [];
  let q = db.selectFrom("assignments as a").innerJoin("users as u", "u.id", "a.user_id").select(["a.id", "a.due_at"]).where(openAndPastDue(db, o.now)).where("a.user_id", "in", o.people);
  q = applyAssignmentFilters(db, q, { department: f.department, type: f.type }, o.now);
  if (f.course) q = q.where(sql<boolean>`${notAnIndex(db, "course_id")} = ${f.course}`);
  if (f.cycle) q = q.where(sql<boolean>`${notAnIndex(db, "cycle")} = ${f.cycle}`);
  const c = o.cursor;
  return (await q.execute())
    .filter((r) => !c || r.due_at > c.dueAt || (r.due_at === c.dueAt && r.id > c.id))
    .sort(byDueThenId)
    .slice(0, o.take)
    .map((r) => r.id);
}

/** One cycle: its open assignments in due order (the partial index assignments_open_by_cycle),
 * testing each against the other filters, until a page is found. */
async function pageOfCycle(db: Kysely<DB>, o: { filters: AssignmentFilters; now: Date; cursor: OverdueCursor | null; take: number; teamSize: number | null; people: number | null }): Promise<string[]> {
  const f = o.filters;
  let q = db
    .selectFrom("assignments as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .select("a.id")
    .where("a.cycle", "=", f.cycle!)
    .where("a.completed_at", "is", null)
    .where("a.exempted_at", "is", null)
    .where("a.cancelled_at", "is", null)
    .where("a.due_at", "<", o.now.toISOString());
  q = applyAssignmentFilters(db, q, { department: f.department, type: f.type }, o.now);
  if (f.course) q = q.where(sql<boolean>`${notAnIndex(db, "course_id")} = ${f.course}`);
  if (f.manager) q = q.where(inTeamWhileWalking(db, f.manager, o.teamSize, o.people));
  const c = o.cursor;
  if (c) q = q.where((eb) => eb(eb.refTuple("a.due_at", "a.id"), ">", eb.tuple(c.dueAt, c.id)));
  return (await q.orderBy("a.due_at", "asc").orderBy("a.id", "asc").limit(o.take).execute()).map((r) => r.id);
}

/** What a page shows about each assignment, in the order of `ids`. */
async function details(db: Kysely<DB>, ids: string[], now: Date): Promise<OverdueRow[]> {
  if (ids.length === 0) return [];
  const today = now.toISOString().slice(0, 10);
  const rows = await db
    .selectFrom("assignments as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .leftJoin("users as m", "m.id", "u.manager_id")
    .select((eb) => [
      "a.id",
      "a.course_id",
      "a.cycle",
      "a.reason",
      "a.due_at",
      "u.id as person_id",
      "u.name as person_name",
      "u.email as person_email",
      "u.status as person_status",
      "u.department",
      "u.type",
      "m.id as manager_id",
      "m.name as manager_name",
      eb
        .selectFrom("notifications as n")
        .select((e) => e.fn.countAll<number>().as("c"))
        .whereRef("n.assignment_id", "=", "a.id")
        .where("n.kind", "<>", "assigned")
        .as("reminders"),
      eb
        .selectFrom("notifications as n")
        .select((e) => e.fn.max("n.created_at").as("t"))
        .whereRef("n.assignment_id", "=", "a.id")
        .where("n.kind", "<>", "assigned")
        .as("last_reminded_at"),
      eb
        .selectFrom("notifications as n")
        .select("n.id")
        .where("n.event_key", "=", sql<string>`${"hr-reminder:"} || a.id || ${`:${today}`}`)
        .limit(1)
        .as("reminded_today"),
      eb
        .selectFrom("attestations as t")
        .select((e) => e.fn.max("t.signed_at").as("d"))
        .whereRef("t.assignment_id", "=", "a.id")
        .where("t.outcome", "=", "declined")
        .as("declined_at"),
    ])
    .where("a.id", "in", ids)
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids
    .map((id) => byId.get(id))
    .filter((r): r is (typeof rows)[number] => Boolean(r))
    .map((r) => ({
      assignmentId: r.id,
      personId: r.person_id,
      personName: r.person_name,
      personEmail: r.person_email,
      personStatus: r.person_status,
      department: r.department,
      type: r.type,
      courseId: r.course_id,
      cycle: r.cycle,
      reason: r.reason,
      dueAt: r.due_at,
      daysLate: Math.floor((now.getTime() - Date.parse(r.due_at)) / DAY_MS),
      remindersSent: Number(r.reminders ?? 0),
      lastRemindedAt: r.last_reminded_at ? String(r.last_reminded_at) : null,
      remindedToday: Boolean(r.reminded_today),
      managerId: r.manager_id,
      managerName: r.manager_name,
      declinedAt: r.declined_at ? String(r.declined_at) : null,
    }));
}
