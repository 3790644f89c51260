// Nudges: a manager reminds people in their team about an assignment, now, with an optional
// personal line. At most one nudge per assignment per day (the outbox's event key makes that
// hold across double clicks, two tabs and two app instances); each one is audited and queued in
// the outbox in the same transaction, so it is delivered like the scheduler's mail.
import { z } from "zod";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";
import type { Db } from "../../db/connection";
import type { Clock } from "../clock";
import type { Catalog } from "../courses/catalog.server";
import { courseTitle, recordedTitle } from "../courses/titles.server";
import { appendAudit } from "../audit/audit.server";
import { enqueueNotification } from "../notifications/outbox.server";
import { reasonText } from "../notifications/templates.server";
import { formatDate } from "../components/format";
import { membersOf } from "../people/org.server";
import { NUDGE_NOTE_MAX } from "./limits";
import { fieldErrorsOf } from "../forms";

export { NUDGE_NOTE_MAX };

/** More than a large team's worth in one go is not a nudge. */
export const NUDGE_MAX_AT_ONCE = 200;

/** One event per assignment per UTC day: the once-a-day limit lives in this key. */
export function nudgeEventKey(assignmentId: string, now: Date): string {
  return `nudge:${assignmentId}:${now.toISOString().slice(0, 10)}`;
}

// Control characters other than line breaks have no business in a mail someone reads.
const CONTROL = /[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F]/g;

export const nudgeFormSchema = z.object({
  assignment: z
    .array(z.string().regex(/^asg_[a-z0-9]{1,64}$/, "That is not an assignment."))
    .min(1, "Choose at least one person to remind.")
    .max(NUDGE_MAX_AT_ONCE, `Remind at most ${NUDGE_MAX_AT_ONCE} at once.`),
  note: z
    .string()
    .transform((s) => s.replace(/\r\n?/g, "\n").replace(CONTROL, "").trim())
    .pipe(z.string().max(NUDGE_NOTE_MAX, `Keep the personal line to ${NUDGE_NOTE_MAX} characters.`))
    .optional(),
});

export type NudgeForm = z.infer<typeof nudgeFormSchema>;

export function parseNudgeForm(form: URLSearchParams): { ok: true; data: NudgeForm } | { ok: false; fieldErrors: Record<string, string> } {
  const parsed = nudgeFormSchema.safeParse({
    assignment: form.getAll("assignment"),
    note: form.get("note") ?? undefined,
  });
  if (parsed.success)
    return {
      ok: true,
      data: {
        ...parsed.data,
        assignment: [...new Set(parsed.data.assignment)],
      },
    };
  return { ok: false, fieldErrors: fieldErrorsOf(parsed.error.issues) as Record<string, string> };
}

export type NudgeResult = "sent" | "already_today" | "not_open" | "on_leave";

export interface NudgeOutcome {
  assignmentId: string;
  personName: string;
  courseTitle: string;
  result: NudgeResult;
}

export function nudgeMail(d: {
  personName: string;
  managerName: string;
  courseTitle: string;
  courseUrl: string;
  dueAt: string;
  daysOverdue: number;
  reason: Parameters<typeof reasonText>[0];
  note?: string;
}) {
  const first = d.personName.split(" ")[0] || d.personName;
  const when =
    d.daysOverdue > 0
      ? `It was due on ${formatDate(d.dueAt)} and is now ${d.daysOverdue} day${d.daysOverdue === 1 ? "" : "s"} overdue.`
      : `It is due on ${formatDate(d.dueAt)}.`;
  return {
    subject: d.daysOverdue > 0 ? `${d.managerName} asks you to finish: ${d.courseTitle}` : `A reminder from ${d.managerName}: ${d.courseTitle}`,
    body:
      `Hello ${first},\n\n` +
      `${d.managerName} asked us to remind you about "${d.courseTitle}". ${when} You were asked to complete it because ${reasonText(d.reason)}.\n\n` +
      (d.note ? `${d.managerName} adds:\n\n${d.note}\n\n` : "") +
      `Continue here: ${d.courseUrl}\n\n` +
      `You can stop at any point and pick up where you left off.` +
      `\n\nThank you,\nConfidant, on behalf of your compliance team\n`,
  };
}

/** Reminds the people behind these assignments. Returns null — and writes nothing — if any of
 * them is outside the manager's tree (the route answers 404). Assignments already complete,
 * exempt or cancelled, and people on leave, are reported and left alone. */
export async function nudge(
  db: Db,
  {
    manager,
    assignmentIds,
    note,
    catalog,
    origin,
  }: {
    manager: { id: string; name: string };
    assignmentIds: string[];
    note?: string;
    catalog: Catalog;
    origin: string;
  },
  clock: Clock,
): Promise<NudgeOutcome[] | null> {
  const now = clock();
  const wanted = [...new Set(assignmentIds)];
  if (wanted.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    const rows = await scopedAssignments(trx, manager.id, wanted);
    if (rows.length !== wanted.length) return null;
    const outcomes: NudgeOutcome[] = [];
    for (const r of rows) {
      const base = { assignmentId: r.id, personName: r.name, courseTitle: courseTitle(catalog, r.course_id, r.recorded_title) };
      if (r.completed_at || r.exempted_at || r.cancelled_at || r.status === "inactive") {
        outcomes.push({ ...base, result: "not_open" });
        continue;
      }
      // Leave pauses a person's clocks; the scheduler sends them nothing, and neither do we.
      if (r.status === "leave") {
        outcomes.push({ ...base, result: "on_leave" });
        continue;
      }
      const daysOverdue = Math.max(0, Math.floor((now.getTime() - Date.parse(r.due_at)) / 86_400_000));
      const mail = nudgeMail({
        personName: r.name,
        managerName: manager.name,
        courseTitle: base.courseTitle,
        courseUrl: `${origin}/courses/${r.course_id}`,
        dueAt: r.due_at,
        daysOverdue,
        reason: r.reason,
        note: note || undefined,
      });
      const queued = await enqueueNotification(
        trx,
        {
          eventKey: nudgeEventKey(r.id, now),
          kind: "nudge",
          userId: r.user_id,
          toEmail: r.email,
          assignmentId: r.id,
          why: `${manager.name} sent a reminder from their team page`,
          subject: mail.subject,
          body: mail.body,
        },
        now,
      );
      if (!queued) {
        outcomes.push({ ...base, result: "already_today" });
        continue;
      }
      await appendAudit(
        trx,
        {
          actorId: manager.id,
          action: "assignment.nudged",
          subjectType: "assignment",
          subjectId: r.id,
          data: {
            userId: r.user_id,
            courseId: r.course_id,
            cycle: r.cycle,
            daysOverdue,
            withNote: Boolean(note),
          },
        },
        now,
      );
      outcomes.push({ ...base, result: "sent" });
    }
    return outcomes.sort((a, b) => a.personName.localeCompare(b.personName) || a.courseTitle.localeCompare(b.courseTitle));
  });
}

async function scopedAssignments(db: Kysely<DB>, managerId: string, ids: string[]) {
  const rows = await db
    .selectFrom("assignments as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .select((eb) => [
      "a.id",
      "a.user_id",
      "a.course_id",
      "a.cycle",
      "a.reason",
      "a.due_at",
      "a.completed_at",
      "a.exempted_at",
      "a.cancelled_at",
      "u.name",
      "u.email",
      "u.status",
      recordedTitle(eb),
    ])
    .where("a.id", "in", ids)
    .execute();
  // Walking up from each person rather than listing a team that may be 100,000 strong.
  const members = await membersOf(db, managerId, [...new Set(rows.map((r) => r.user_id))]);
  return rows.filter((r) => members.has(r.user_id));
}
