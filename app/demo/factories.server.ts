// Factories shared by the demo seed and the tests: they drive the real domain functions (no
// shortcuts into tables), so seeded and tested data are what users would produce.
import type { Db } from "../../db/connection";
import type { Assignment } from "../../db/schema";
import { fixedClock, type Clock } from "../clock";
import type { Catalog, Course } from "../courses/catalog.server";
import type { ScenarioShape } from "../courses/mdx.server";
import { completeModule, getCourseState, recordScenarioChoice } from "../learning/progress.server";
import { submitQuizAttempt } from "../learning/quiz.server";
import { presentedToken, signAttestation } from "../attestations/attestations.server";
import { CONSENT_POLICY_ID, consentPresentedToken, giveConsent } from "../attestations/consent.server";
import { createPerson, type PersonInput } from "../people/people.server";
import { issueAssignment } from "../assignments/assignments.server";
import type { AssignmentReason } from "../../db/schema";
import { auditedTransaction } from "../audit/audit.server";

export async function makePerson(db: Db, input: PersonInput, clock: Clock) {
  return auditedTransaction(db, (trx) => createPerson(trx, input, null, clock));
}

export async function assign(
  db: Db,
  input: { userId: string; course: Course; cycle?: string; reason?: AssignmentReason; dueAt?: string },
  clock: Clock,
): Promise<Assignment> {
  const { id } = await auditedTransaction(db, (trx) =>
    issueAssignment(trx, { userId: input.userId, course: input.course, cycle: input.cycle ?? "onboarding", reason: input.reason ?? "onboarding", actorId: null, dueAt: input.dueAt }, clock),
  );
  return db.selectFrom("assignments").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

/** The choices that lead from the first step to an ending, preferring the best one. */
export function pathToEnding(scenario: ScenarioShape, prefer: "best" | "poor" = "best"): Array<{ from: string; to: string }> {
  const byId = new Map(scenario.steps.map((s) => [s.id, s]));
  let found: Array<{ from: string; to: string }> | null = null;
  const walk = (stepId: string, trail: Array<{ from: string; to: string }>): boolean => {
    const step = byId.get(stepId)!;
    if (step.ending) {
      if (!found || step.ending === prefer) found = trail;
      return step.ending === prefer;
    }
    return step.choices.some((c): boolean => walk(c.to, [...trail, { from: step.id, to: c.to }]));
  };
  walk(scenario.steps[0].id, []);
  return found ?? [];
}

/** Plays every scenario of the named modules again to its best ending, as the quiz's attempt
 * policy asks before a further attempt. */
export async function replayModules(db: Db, { assignment, course, modules }: { assignment: Assignment; course: Course; modules: string[] }, clock: Clock) {
  for (const slug of modules) {
    const mod = course.modules.find((m) => m.slug === slug);
    for (const sc of mod?.scenarios ?? []) {
      for (const step of pathToEnding(sc)) {
        await recordScenarioChoice(db, { assignment, course, module: slug, scenarioId: sc.id, from: step.from, to: step.to }, clock);
      }
    }
  }
}

export function correctAnswers(course: Course): Array<[string, string]> {
  return (course.quiz?.questions ?? []).flatMap((q) => q.options.filter((o) => o.correct).map((o) => [`q.${q.id}`, o.id] as [string, string]));
}

export function wrongAnswers(course: Course): Array<[string, string]> {
  return (course.quiz?.questions ?? []).map((q) => [`q.${q.id}`, (q.options.find((o) => !o.correct) ?? q.options[0]).id] as [string, string]);
}

export interface WorkThrough {
  user: { id: string; name: string; email: string };
  assignment: Assignment;
  course: Course;
  catalog: Catalog;
  /** How far to go. */
  upTo: "modules" | "quiz" | "attested";
  /** Finish after this many modules (for "in progress" people). */
  modules?: number;
  failQuizFirst?: boolean;
  password: string;
  secret: string;
  /** When each step happens; defaults to the clock's now for every step. */
  at?: string;
}

/** Works through a course as the person would: scenarios, modules, quiz, signature. */
export async function workThroughCourse(db: Db, w: WorkThrough, clock: Clock) {
  const when = w.at ? fixedClock(w.at) : clock;
  const modules = w.course.modules.slice(0, w.modules ?? w.course.modules.length);
  for (const m of modules) {
    for (const sc of m.scenarios) {
      for (const step of pathToEnding(sc)) {
        await recordScenarioChoice(db, { assignment: w.assignment, course: w.course, module: m.slug, scenarioId: sc.id, from: step.from, to: step.to }, when);
      }
    }
    await completeModule(db, { assignment: w.assignment, course: w.course, module: m.slug, actorId: w.user.id }, when);
  }
  if (w.upTo === "modules" || modules.length < w.course.modules.length) return;
  if (w.course.quiz) {
    if (w.failQuizFirst) await submitQuizAttempt(db, { assignment: w.assignment, course: w.course, entries: wrongAnswers(w.course), actorId: w.user.id }, when);
    await submitQuizAttempt(db, { assignment: w.assignment, course: w.course, entries: correctAnswers(w.course), actorId: w.user.id }, when);
  }
  if (w.upTo === "quiz") return;
  const policy = w.course.meta.policy ? w.catalog.policies.get(w.course.meta.policy) : undefined;
  if (!policy) return;
  const consentPolicy = w.catalog.policies.get(CONSENT_POLICY_ID) ?? null;
  if (consentPolicy) {
    const shown = consentPresentedToken(w.secret, { userId: w.user.id, policy: consentPolicy, at: when().toISOString() });
    const form = { consent: "on", name: w.user.name, presented: shown };
    const consent = await giveConsent(db, { viewer: w.user, policy: consentPolicy, form, ip: "127.0.0.1", userAgent: "Confidant seed", sessionId: null, secret: w.secret }, when);
    if (!consent.ok) throw new Error(`Could not record consent for ${w.user.email}: ${JSON.stringify(consent)}`);
  }
  const presented = presentedToken(w.secret, { assignmentId: w.assignment.id, policyId: policy.id, version: policy.current.version, at: when().toISOString() });
  const result = await signAttestation(
    db,
    {
      viewer: w.user,
      assignment: w.assignment,
      course: w.course,
      policy,
      consentPolicy,
      form: { intent: "on", name: w.user.name, password: w.password, presented },
      ip: "127.0.0.1",
      userAgent: "Confidant seed",
      secret: w.secret,
    },
    when,
  );
  if (!result.ok) throw new Error(`Could not sign for ${w.user.email}: ${result.formError ?? JSON.stringify(result.fieldErrors)}`);
  return result.code;
}

export async function courseStateOf(db: Db, assignment: Assignment, course: Course) {
  return getCourseState(db, assignment, course);
}
