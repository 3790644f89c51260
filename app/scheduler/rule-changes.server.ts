// Changing a course's rules (due period, renewal window, audience, recurrence) is previewed
// before it touches anyone: how many current assignments it would move or end, and how many
// people it would newly reach. Applying it is a deliberate, audited step.
import type { Db } from "../../db/connection";
import type { Catalog, Course } from "../courses/catalog.server";
import { appendAudit, auditedTransaction } from "../audit/audit.server";
import { cancelAssignment, hasNoAssignmentIn, shiftDueDates } from "../assignments/assignments.server";
import { recordCourseVersion } from "../courses/versions.server";
import { inAudience } from "../assignments/rules";

const RULE_FIELDS = ["audience", "assign", "duePeriodDays", "renewalWindowDays", "recurrence", "renewWith"] as const;

export interface RuleChange {
  courseId: string;
  title: string;
  changed: Array<{ field: string; from: unknown; to: unknown }>;
  dueDatesToMove: number;
  leavingAudience: number;
  joiningAudience: number;
  upcomingRenewals: number;
}

async function openAssignments(db: Db, course: Course) {
  return db
    .selectFrom("assignments as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .select(["a.id", "a.reason", "a.assigned_at", "a.due_at", "u.start_date", "u.type", "u.id as user_id"])
    .select((eb) => eb.exists(eb.selectFrom("users as r").select("r.id").whereRef("r.manager_id", "=", "u.id").where("r.status", "<>", "inactive")).as("has_reports"))
    .where("a.course_id", "=", course.id)
    .where("a.completed_at", "is", null)
    .where("a.cancelled_at", "is", null)
    .where("a.exempted_at", "is", null)
    .execute();
}

/** Reasons whose due date the course's due period set; renewals are due at the expiry they renew
 * and leaving cycles on the last day. */
const GOVERNED_BY_DUE_PERIOD = new Set(["onboarding", "manual", "policy_change"]);

/** How many days a changed due period moves existing due dates. Shifting (rather than
 * recomputing from the start date) keeps leave extensions and dates HR set by hand. */
function duePeriodShift(course: Course, before: Record<string, unknown>): number {
  const previous = typeof before.duePeriodDays === "number" ? before.duePeriodDays : course.meta.duePeriodDays;
  return course.meta.duePeriodDays - previous;
}

async function recordedRules(db: Db, courseId: string): Promise<Record<string, unknown> | null> {
  const recorded = await db
    .selectFrom("course_versions")
    .select("metadata_json")
    .where("course_id", "=", courseId)
    .orderBy("recorded_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return recorded ? (JSON.parse(recorded.metadata_json) as Record<string, unknown>) : null;
}

export async function previewRuleChanges(db: Db, { catalog, now }: { catalog: Catalog; now: Date }): Promise<RuleChange[]> {
  const out: RuleChange[] = [];
  const today = now.toISOString().slice(0, 10);
  for (const course of catalog.courses.values()) {
    const before = await recordedRules(db, course.id);
    if (!before) continue; // never assigned: nothing to affect
    const changed = RULE_FIELDS.filter((f) => JSON.stringify(before[f] ?? null) !== JSON.stringify(course.meta[f] ?? null)).map((f) => ({
      field: f,
      from: before[f] ?? null,
      to: course.meta[f] ?? null,
    }));
    const open = await openAssignments(db, course);
    const shift = duePeriodShift(course, before);
    const dueDatesToMove = shift === 0 ? 0 : open.filter((a) => GOVERNED_BY_DUE_PERIOD.has(a.reason)).length;
    const leavingAudience = open.filter((a) => !inAudience(course.meta.audience, { type: a.type, hasReports: Boolean(a.has_reports) })).length;
    let joiningAudience = 0;
    if (course.meta.assign === "onboarding") {
      const people = await db
        .selectFrom("users as u")
        .select(["u.type"])
        .select((eb) => eb.exists(eb.selectFrom("users as r").select("r.id").whereRef("r.manager_id", "=", "u.id").where("r.status", "<>", "inactive")).as("has_reports"))
        .where("u.status", "=", "active")
        .where("u.start_date", "<=", today)
        .where((eb) => hasNoAssignmentIn(eb, course.id))
        .execute();
      joiningAudience = people.filter((p) => inAudience(course.meta.audience, { type: p.type, hasReports: Boolean(p.has_reports) })).length;
    }
    const renewals = await db
      .selectFrom("assignments")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("course_id", "=", course.id)
      .where("completed_at", "is not", null)
      .where("expires_at", "is not", null)
      .where("renewal_issued_at", "is", null)
      .executeTakeFirst();
    if (changed.length || dueDatesToMove || leavingAudience || joiningAudience) {
      out.push({ courseId: course.id, title: course.meta.title, changed, dueDatesToMove, leavingAudience, joiningAudience, upcomingRenewals: Number(renewals?.n ?? 0) });
    }
  }
  return out;
}

export async function applyRuleChanges(db: Db, { catalog, now, actorId }: { catalog: Catalog; now: Date; actorId: string | null }) {
  let dueDatesChanged = 0;
  let cancelled = 0;
  for (const change of await previewRuleChanges(db, { catalog, now })) {
    const course = catalog.courses.get(change.courseId)!;
    const open = await openAssignments(db, course);
    const shift = duePeriodShift(course, (await recordedRules(db, course.id)) ?? {});
    await auditedTransaction(db, async (trx) => {
      const moved: string[] = [];
      const ended: string[] = [];
      for (const a of open) {
        if (!inAudience(course.meta.audience, { type: a.type, hasReports: Boolean(a.has_reports) })) {
          await cancelAssignment(trx, { id: a.id, note: "No longer in the course's audience" }, now);
          ended.push(a.id);
          continue;
        }
        if (shift !== 0 && GOVERNED_BY_DUE_PERIOD.has(a.reason)) {
          await shiftDueDates(trx, [a], shift);
          moved.push(a.id);
        }
      }
      await recordCourseVersion(trx, course, now);
      await appendAudit(
        trx,
        { actorId, action: "course.rules_applied", subjectType: "course", subjectId: course.id, data: { changed: change.changed, moved, ended } },
        now,
      );
      dueDatesChanged += moved.length;
      cancelled += ended.length;
    });
  }
  return { dueDatesChanged, cancelled };
}

export function formatRuleChanges(changes: RuleChange[]): string {
  if (changes.length === 0) return "No course rules have changed since they were last applied.";
  return changes
    .map((c) =>
      [
        `${c.title} (${c.courseId})`,
        ...c.changed.map((x) => `  ${x.field}: ${JSON.stringify(x.from)} → ${JSON.stringify(x.to)}`),
        `  Open assignments whose due date would move: ${c.dueDatesToMove}`,
        `  Open assignments of people no longer in the audience (would end): ${c.leavingAudience}`,
        `  People newly in the audience (assigned at the next run): ${c.joiningAudience}`,
        `  Completed cycles awaiting renewal under the new window: ${c.upcomingRenewals}`,
      ].join("\n"),
    )
    .join("\n\n") + "\n\nRun with --apply-rules to apply these to current assignments.";
}
