// Publishing a course (decision 024): previewed by a dry run of the scheduler itself with the
// folder's version live, confirmed, audited, and only then live. A publication moves open
// assignments that have not started (or, with "restart in-progress learners", every unfinished
// one) to the new version. At the first start after the upgrade every course then in the folder is
// recorded as published, so nobody's assignments change. The only module that writes
// `course_publications` and `publishing_baseline`.
import type { Kysely, Transaction } from "kysely";
import type { Db } from "../../db/connection";
import type { DB } from "../../db/schema";
import type { ReminderRules } from "../config.server";
import { appendAudit, auditedTransaction } from "../audit/audit.server";
import { moveToContentVersion, pinContentVersion } from "../assignments/assignments.server";
import { randomId } from "../ids.server";
import type { Catalog, Course } from "../courses/catalog.server";
import { compileMdx } from "../courses/mdx.server";
import { recordCourseVersion } from "../courses/versions.server";
import { keepCompiledModules } from "../courses/compiled-store.server";
import { latestPublications, syncLiveCatalog, type Catalogs } from "../courses/live.server";
import { runScheduler } from "./scheduler.server";

async function compileAll(course: Course) {
  for (const m of course.modules) await compileMdx(m.source);
}

/** First start after the upgrade (or of a new database): every course in the folder is recorded
 * as published, and open assignments as being on that content, so nobody's assignments change.
 * Runs once, on one instance. Returns the courses recorded. */
export async function recordBaseline(db: Db, drafts: Catalog, now: Date): Promise<string[]> {
  const pending = await db.selectFrom("publishing_baseline").select("recorded_at").where("id", "=", 1).executeTakeFirst();
  if (!pending || pending.recorded_at) return [];
  for (const course of drafts.courses.values()) await compileAll(course);
  return auditedTransaction(db, async (trx) => {
    const claimed = await trx.updateTable("publishing_baseline").set({ recorded_at: now.toISOString() }).where("id", "=", 1).where("recorded_at", "is", null).executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return [];
    const courses: Array<{ id: string; contentHash: string; pinned: number }> = [];
    for (const course of drafts.courses.values()) {
      await keepVersion(trx, course, now);
      await insertPublication(trx, { course, mode: "baseline", actorId: null, now, counts: { assignments: 0, emails: 0, restarted: 0 } });
      courses.push({ id: course.id, contentHash: course.contentHash, pinned: await pinContentVersion(trx, { courseId: course.id, contentHash: course.contentHash }) });
    }
    await appendAudit(trx, { actorId: null, action: "course.baseline_published", subjectType: "course", subjectId: null, data: { courses } }, now);
    return courses.map((c) => c.id);
  });
}

async function keepVersion(trx: Transaction<DB>, course: Course, now: Date) {
  await recordCourseVersion(trx, course, now);
  await keepCompiledModules(trx, course, now);
}

async function insertPublication(
  trx: Transaction<DB>,
  { course, mode, actorId, now, counts }: { course: Course; mode: "baseline" | "publish" | "restart"; actorId: string | null; now: Date; counts: { assignments: number; emails: number; restarted: number } },
) {
  await trx
    .insertInto("course_publications")
    .values({ id: `pub_${randomId()}`, course_id: course.id, content_hash: course.contentHash, mode, published_at: now.toISOString(), actor_id: actorId, ...counts })
    .execute();
}

// --- what a publication would do ---------------------------------------------------------------

export interface PublishOptions {
  catalogs: Catalogs;
  courseId: string;
  restart: boolean;
  now: Date;
  rules: ReminderRules;
  origin: string;
}

export interface PublicationPlan {
  courseId: string;
  title: string;
  contentHash: string;
  previousHash: string | null;
  restart: boolean;
  /** New assignments the next scheduler run would issue once it is published, by reason. */
  issues: number;
  byReason: Record<string, number>;
  /** Emails those runs would queue for them (the "assigned" mail and any reminder due at once). */
  emails: number;
  /** The first people it reaches, by name, and how many in all. */
  people: Array<{ name: string; email: string }>;
  /** Open assignments on an older version: not started (moved to this one), started (they stay
   * on theirs, or start their unfinished modules again with `restart`). */
  notStarted: number;
  inProgress: number;
}

export type PlanRefusal = "no_such_draft";

/** Open assignments of the course on another version, split by whether the person has begun. */
async function openOnOtherVersions(db: Kysely<DB>, course: Course) {
  const rows = await db
    .selectFrom("assignments as a")
    .select(["a.id"])
    .select((eb) => [
      eb
        .or([
          eb.exists(eb.selectFrom("module_progress as p").select("p.assignment_id").whereRef("p.assignment_id", "=", "a.id")),
          eb.exists(eb.selectFrom("scenario_choices as c").select("c.assignment_id").whereRef("c.assignment_id", "=", "a.id")),
          eb.exists(eb.selectFrom("quiz_attempts as q").select("q.assignment_id").whereRef("q.assignment_id", "=", "a.id")),
        ])
        .as("started"),
    ])
    .where("a.course_id", "=", course.id)
    .where("a.completed_at", "is", null)
    .where("a.cancelled_at", "is", null)
    .where("a.exempted_at", "is", null)
    .where((eb) => eb.or([eb("a.content_hash", "is", null), eb("a.content_hash", "<>", course.contentHash)]))
    .execute();
  return { notStarted: rows.filter((r) => !r.started).map((r) => r.id), started: rows.filter((r) => Boolean(r.started)).map((r) => r.id) };
}

/** What publishing the folder's version of a course would do: the scheduler's own dry run with
 * that version live, counted inside its transaction before it is rolled back. */
export async function planPublication(db: Db, opts: PublishOptions): Promise<PublicationPlan | PlanRefusal> {
  const draft = opts.catalogs.drafts.courses.get(opts.courseId);
  if (!draft) return "no_such_draft";
  const courses = new Map(opts.catalogs.live.courses);
  courses.set(draft.id, draft);
  const at = opts.now.toISOString();
  let counted: Pick<PublicationPlan, "issues" | "byReason" | "emails" | "people"> = { issues: 0, byReason: {}, emails: 0, people: [] };
  await runScheduler(db, {
    catalog: { ...opts.catalogs.live, courses },
    now: opts.now,
    dryRun: true,
    rules: opts.rules,
    origin: opts.origin,
    beforeRollback: async (trx) => {
      const issued = trx.selectFrom("assignments as a").where("a.course_id", "=", draft.id).where("a.assigned_at", "=", at);
      const reasons = await issued.select((eb) => ["a.reason", eb.fn.countAll<number>().as("n")]).groupBy("a.reason").execute();
      const mails = await issued
        .innerJoin("notifications as n", "n.assignment_id", "a.id")
        .where("n.created_at", "=", at)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirst();
      const people = await issued.innerJoin("users as u", "u.id", "a.user_id").select(["u.name", "u.email"]).orderBy("u.name").limit(50).execute();
      const byReason = Object.fromEntries(reasons.map((r) => [r.reason, Number(r.n)]));
      counted = { issues: Object.values(byReason).reduce((a, b) => a + b, 0), byReason, emails: Number(mails?.n ?? 0), people };
    },
  });
  const open = await openOnOtherVersions(db, draft);
  const previous = (await latestPublications(db)).get(draft.id);
  return {
    courseId: draft.id,
    title: draft.meta.title,
    contentHash: draft.contentHash,
    previousHash: previous?.content_hash ?? null,
    restart: opts.restart,
    ...counted,
    notStarted: open.notStarted.length,
    inProgress: open.started.length,
  };
}

export type PublishRefusal = "no_such_draft" | "changed_since_preview" | "already_published";

/** Publishes the folder's version of a course, if it is still the one that was previewed
 * (`contentHash`). Audited with the actor, the hash and the counts. */
export async function publishCourse(
  db: Db,
  opts: PublishOptions & { contentHash: string; actorId: string | null },
): Promise<{ plan: PublicationPlan } | PublishRefusal> {
  const draft = opts.catalogs.drafts.courses.get(opts.courseId);
  if (!draft) return "no_such_draft";
  if (draft.contentHash !== opts.contentHash) return "changed_since_preview";
  const plan = await planPublication(db, opts);
  if (plan === "no_such_draft") return plan;
  if (plan.previousHash === draft.contentHash && !opts.restart) return "already_published";
  await compileAll(draft);
  const mode = opts.restart ? "restart" : "publish";
  await auditedTransaction(db, async (trx) => {
    await keepVersion(trx, draft, opts.now);
    const open = await openOnOtherVersions(trx, draft);
    await moveToContentVersion(trx, { ids: open.notStarted, contentHash: draft.contentHash, since: null });
    if (opts.restart) await moveToContentVersion(trx, { ids: open.started, contentHash: draft.contentHash, since: opts.now.toISOString() });
    const restarted = opts.restart ? open.started.length : 0;
    await insertPublication(trx, { course: draft, mode, actorId: opts.actorId, now: opts.now, counts: { assignments: plan.issues, emails: plan.emails, restarted } });
    await appendAudit(
      trx,
      {
        actorId: opts.actorId,
        action: "course.published",
        subjectType: "course",
        subjectId: draft.id,
        data: { contentHash: draft.contentHash, previousHash: plan.previousHash, mode, assignments: plan.issues, emails: plan.emails, byReason: plan.byReason, moved: open.notStarted.length, restarted, stayOnTheirVersion: opts.restart ? 0 : open.started.length },
      },
      opts.now,
    );
  });
  await syncLiveCatalog(db, opts.catalogs.live, opts.catalogs.drafts);
  return { plan };
}


/** The preview as the command line prints it. */
export function formatPublicationPlan(p: PublicationPlan): string {
  const n = (x: number) => x.toLocaleString("en");
  const lines = [
    `${p.title} (${p.courseId}) version ${p.contentHash}${p.previousHash ? `, replacing ${p.previousHash}` : ", never published before"}`,
    `Publishing issues ${n(p.issues)} assignment${p.issues === 1 ? "" : "s"}, ${n(p.emails)} email${p.emails === 1 ? "" : "s"} at the next scheduler run.`,
    ...Object.entries(p.byReason).map(([reason, count]) => `  ${n(count)} ${reason.replace("_", " ")}`),
    `Open assignments not yet started that move to this version: ${n(p.notStarted)}`,
    `People part-way through: ${n(p.inProgress)} (${p.restart ? "they move to this version and start their unfinished modules again" : "they stay on the version they are on"})`,
  ];
  if (p.people.length) lines.push(`It reaches${p.issues > p.people.length ? ` (the first ${p.people.length})` : ""}:`, ...p.people.map((x) => `  ${x.name} <${x.email}>`));
  return lines.join("\n");
}
