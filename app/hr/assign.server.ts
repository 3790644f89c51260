// HR assigns a course to a person or a group. A group is previewed first — how many people, who
// the first few are, how many already have it, who is refused and why, how many emails go — and
// acted on only when HR confirms those same numbers. Two contradictions are refused for each
// person: a second open course asking for the same agreement, and a refresher for someone who has
// not completed the course it refreshes.
import type { ExpressionBuilder, Kysely } from "kysely";
import type { DB, UserType } from "../../db/schema";
import type { Clock } from "../clock";
import type { Catalog, Course } from "../courses/catalog.server";
import { appendAudit, auditedTransaction } from "../audit/audit.server";
import { issueAssignment } from "../assignments/assignments.server";
import { enqueueNotification } from "../notifications/outbox.server";
import { assignedMail } from "../notifications/templates.server";
import { teamIds } from "../people/org.server";
import type { AssignGroup } from "./assign-form";
import { ASSIGN_BATCH, endOfDay, invalid, type ActionResult, type AssignForm, type HrViewer } from "./actions.server";

export interface AssignOutcome {
  courseId: string;
  courseTitle: string;
  cycle: string;
  dueAt: string;
  group: string;
  people: number;
  assigned: number;
  alreadyHad: number;
  refused: number;
}

export interface AssignPlan {
  courseTitle: string;
  cycle: string;
  dueAt: string;
  group: string;
  people: number;
  alreadyHad: number;
  /** Who would get it now (and one "assigned" email each). */
  newlyAssigned: number;
  firstNames: string[];
  refusals: { reason: string; one: string; count: number; firstNames: string[] }[];
}

const FIRST_NAMES = 5;

type Users = ExpressionBuilder<DB, "users">;

/** The people a group means: active people (one named person may also be on leave). */
function groupQuery(db: Kysely<DB>, f: AssignForm) {
  let q = db.selectFrom("users").select(["users.id", "users.name", "users.email"]);
  switch (f.group) {
    case "person": {
      const who = f.person!.trim();
      q = q.where((eb) => eb.or([eb("users.email", "=", who.toLowerCase()), eb("users.id", "=", who)])).where("users.status", "<>", "inactive");
      break;
    }
    case "department":
      q = q.where("users.department", "=", f.department!).where("users.status", "=", "active");
      break;
    case "team":
      q = q.where("users.id", "in", teamIds(db, f.manager!)).where("users.status", "=", "active");
      break;
    case "type":
      q = q.where("users.type", "=", f.type as UserType).where("users.status", "=", "active");
      break;
    case "everyone":
      q = q.where("users.status", "=", "active");
      break;
  }
  return q;
}

async function describeGroup(db: Kysely<DB>, f: AssignForm): Promise<string> {
  switch (f.group) {
    case "person":
      return f.person!;
    case "department":
      return `everyone active in ${f.department}`;
    case "team": {
      const m = await db.selectFrom("users").select("name").where("id", "=", f.manager!).executeTakeFirst();
      return `everyone active in ${m?.name ?? "that manager"}'s team`;
    }
    case "type":
      return f.type === "contractor" ? "every active contractor" : "every active employee";
    case "everyone":
      return "everyone active";
  }
}

const GROUP_FIELD: Record<AssignGroup, string> = { person: "person", department: "department", team: "manager", type: "type", everyone: "group" };
const NOBODY: Record<AssignGroup, string> = {
  person: "There is no current person with that email address.",
  department: "Nobody active works in that department.",
  team: "That manager has nobody active in their team.",
  type: "There is nobody active of that type.",
  everyone: "There is nobody active to assign it to.",
};

/** The two contradictions, each as a condition on the person (users row) and the words HR reads. */
function refusalRules(catalog: Catalog, course: Course, cycle: string) {
  const rules: { reason: string; one: string; applies: (eb: Users) => ReturnType<Users["exists"]> | ReturnType<Users["not"]> }[] = [];
  const policy = course.meta.policy;
  if (policy) {
    const samePolicy = [...catalog.courses.values()].filter((c) => c.meta.policy === policy).map((c) => c.id);
    const title = catalog.policies.get(policy)?.title ?? policy;
    rules.push({
      reason: `already have an open course asking them to sign the same agreement (${title})`,
      one: `already has an open course asking them to sign the same agreement (${title}); finish, exempt or cancel that one first`,
      applies: (eb) =>
        eb.exists(
          eb
            .selectFrom("assignments as o")
            .select("o.id")
            .whereRef("o.user_id", "=", "users.id")
            .where("o.course_id", "in", samePolicy)
            .where("o.completed_at", "is", null)
            .where("o.exempted_at", "is", null)
            .where("o.cancelled_at", "is", null)
            .where((x) => x.or([x("o.course_id", "<>", course.id), x("o.cycle", "<>", cycle)])),
        ),
    });
  }
  if (course.meta.assign === "renewal") {
    const renews = [...catalog.courses.values()].filter((c) => c.id !== course.id && c.meta.renewWith === course.id);
    if (renews.length > 0) {
      rules.push({
        reason: `have not completed ${renews.map((c) => c.meta.title).join(" or ")} yet, which this refresher follows`,
        one: `has not completed ${renews.map((c) => c.meta.title).join(" or ")} yet, which this refresher follows; assign that course instead`,
        applies: (eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom("assignments as d")
                .select("d.id")
                .whereRef("d.user_id", "=", "users.id")
                .where("d.course_id", "in", renews.map((c) => c.id))
                .where("d.completed_at", "is not", null),
            ),
          ),
      });
    }
  }
  return rules;
}

const hasThisCycle = (course: Course, cycle: string) => (eb: Users) =>
  eb.exists(eb.selectFrom("assignments as a").select("a.id").whereRef("a.user_id", "=", "users.id").where("a.course_id", "=", course.id).where("a.cycle", "=", cycle));

async function countOf(q: ReturnType<typeof groupQuery>): Promise<number> {
  const row = await q.clearSelect().select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst();
  return Number(row?.n ?? 0);
}

const namesOf = async (q: ReturnType<typeof groupQuery>) => (await q.orderBy("users.name").orderBy("users.id").limit(FIRST_NAMES).execute()).map((p) => p.name);

/** Checks the form against the catalogue and the people, and counts what assigning would do. */
export async function planAssignment(
  db: Kysely<DB>,
  { viewer, catalog, form }: { viewer: HrViewer; catalog: Catalog; form: AssignForm },
  clock: Clock,
): Promise<ActionResult<{ plan: AssignPlan }> | null> {
  if (viewer.is_hr !== 1) return null;
  const course = catalog.courses.get(form.course);
  if (!course) return invalid({ course: "There is no course with that name." });
  const dueAt = endOfDay(form.due);
  if (dueAt <= clock().toISOString()) return invalid({ due: "The due date must be after today." });
  if (form.group === "team" && !(await db.selectFrom("users").select("id").where("id", "=", form.manager!).executeTakeFirst())) {
    return invalid({ manager: "There is no such manager." });
  }
  const people = await countOf(groupQuery(db, form));
  if (people === 0) return invalid({ [GROUP_FIELD[form.group]]: NOBODY[form.group] });
  const fresh = groupQuery(db, form).where((eb) => eb.not(hasThisCycle(course, form.cycle)(eb)));
  const alreadyHad = people - (await countOf(fresh));
  // A person refused by the first rule is not counted again under the second.
  const refusals: AssignPlan["refusals"] = [];
  let open = fresh;
  for (const rule of refusalRules(catalog, course, form.cycle)) {
    const hit = open.where((eb) => rule.applies(eb));
    const count = await countOf(hit);
    if (count > 0) refusals.push({ reason: rule.reason, one: rule.one, count, firstNames: await namesOf(hit) });
    open = open.where((eb) => eb.not(rule.applies(eb)));
  }
  const newlyAssigned = await countOf(open);
  return {
    ok: true,
    plan: {
      courseTitle: course.meta.title,
      cycle: form.cycle,
      dueAt,
      group: await describeGroup(db, form),
      people,
      alreadyHad,
      newlyAssigned,
      firstNames: await namesOf(open),
      refusals,
    },
  };
}

/** Assigns a course to a person or a group, once per person, course and cycle: people who
 * already have it for this cycle are counted, not changed, and people a contradiction rule
 * refuses are left out. Newly assigned people get the "assigned" email. A group is handled
 * ASSIGN_BATCH people per transaction (each person's assignment, audit entry and email
 * together); the summary entry goes with the last batch. */
export async function assignCourse(
  db: Kysely<DB>,
  { viewer, catalog, origin, form }: { viewer: HrViewer; catalog: Catalog; origin: string; form: AssignForm },
  clock: Clock,
): Promise<ActionResult<{ outcome: AssignOutcome }> | null> {
  const checked = await planAssignment(db, { viewer, catalog, form }, clock);
  if (!checked || !checked.ok) return checked;
  const { plan } = checked;
  const course = catalog.courses.get(form.course)!;
  const refused = plan.refusals.reduce((n, r) => n + r.count, 0);
  if (form.group === "person" && refused > 0 && plan.alreadyHad === 0) {
    return { ok: false, status: 409, fieldErrors: {}, formError: `Nothing was assigned: ${form.person} ${plan.refusals[0].one}.` };
  }
  const now = clock();
  const rules = refusalRules(catalog, course, form.cycle);
  const eligible = () => rules.reduce((q, rule) => q.where((eb) => eb.not(rule.applies(eb))), groupQuery(db, form));
  let assigned = 0;
  let alreadyHad = 0;
  let seen = 0;
  let after = "";
  for (;;) {
    const batch = await eligible().where("users.id", ">", after).orderBy("users.id").limit(ASSIGN_BATCH).execute();
    after = batch.length ? batch[batch.length - 1].id : after;
    seen += batch.length;
    const last = batch.length < ASSIGN_BATCH;
    await auditedTransaction(db, async (trx) => {
      for (const p of batch) {
        const issued = await issueAssignment(trx, { userId: p.id, course, cycle: form.cycle, reason: "manual", actorId: viewer.id, dueAt: plan.dueAt, note: form.reason }, clock);
        if (!issued.created) {
          alreadyHad++;
          continue;
        }
        assigned++;
        const mail = assignedMail({ personName: p.name, courseTitle: course.meta.title, courseUrl: `${origin}/courses/${course.id}`, reason: "manual", dueAt: plan.dueAt });
        await enqueueNotification(
          trx,
          { eventKey: `assigned:${issued.id}`, kind: "assigned", userId: p.id, toEmail: p.email, assignmentId: issued.id, why: "Assigned by HR (manual)", ...mail },
          now,
        );
      }
      if (last) {
        await appendAudit(
          trx,
          {
            actorId: viewer.id,
            action: "hr.course_assigned",
            subjectType: "course",
            subjectId: course.id,
            data: {
              courseId: course.id,
              cycle: form.cycle,
              dueAt: plan.dueAt,
              reason: form.reason,
              group: { kind: form.group, value: groupValue(form), description: plan.group },
              people: seen + refused,
              assigned,
              alreadyHad,
              refused,
            },
          },
          now,
        );
      }
    });
    if (last) break;
  }
  return { ok: true, outcome: { courseId: course.id, courseTitle: course.meta.title, cycle: form.cycle, dueAt: plan.dueAt, group: plan.group, people: seen + refused, assigned, alreadyHad, refused } };
}

function groupValue(f: AssignForm): string | null {
  return f.group === "person" ? f.person! : f.group === "department" ? f.department! : f.group === "team" ? f.manager! : f.group === "type" ? f.type! : null;
}
