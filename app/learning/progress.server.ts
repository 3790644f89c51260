// A person's way through a course: completed modules, scenario choices, quiz attempts, the
// attestation, and the moment the assignment counts as complete.
import type { Transaction } from "kysely";
import type { Db } from "../../db/connection";
import type { Assignment, DB } from "../../db/schema";
import type { Clock } from "../clock";
import { expiryFor } from "../assignments/rules";
import { completeAssignment } from "../assignments/assignments.server";
import type { Course, CourseModule } from "../courses/catalog.server";
import type { ScenarioProgress } from "../components/learner-views";
import { auditedTransaction } from "../audit/audit.server";
import { retryStepOf, scenarioProgressOf } from "./scenario-progress";

export class LearningError extends Error {
  constructor(message: string, readonly status: 400 | 404 | 409 = 400) {
    super(message);
  }
}

export interface CourseState {
  /** A policy-change cycle asks only for the signature of the new version. */
  trainingWaived: boolean;
  completedModules: Set<string>;
  scenarios: Record<string, ScenarioProgress>;
  quiz: { attempts: number; passedAttemptId: string | null; lastAttemptId: string | null; bestScore: number | null };
  attestationCode: string | null;
}

/** What a preview (no assignment) starts from. */
export function emptyState(): CourseState {
  return { trainingWaived: false, completedModules: new Set(), scenarios: {}, quiz: { attempts: 0, passedAttemptId: null, lastAttemptId: null, bestScore: null }, attestationCode: null };
}

export function nextModule(course: Course, state: Pick<CourseState, "completedModules" | "trainingWaived">): CourseModule | null {
  if (state.trainingWaived) return null;
  return course.modules.find((m) => !state.completedModules.has(m.slug)) ?? null;
}

function modulesDone(course: Course, state: Pick<CourseState, "completedModules" | "trainingWaived">) {
  return state.trainingWaived || course.modules.every((m) => state.completedModules.has(m.slug));
}

/** A module is open when every module before it is complete. */
export function moduleUnlocked(course: Course, state: Pick<CourseState, "completedModules">, slug: string): boolean {
  for (const m of course.modules) {
    if (m.slug === slug) return true;
    if (!state.completedModules.has(m.slug)) return false;
  }
  return false;
}

export function quizUnlocked(course: Course, state: Pick<CourseState, "completedModules" | "trainingWaived">) {
  return course.quiz !== null && !state.trainingWaived && modulesDone(course, state);
}

export function attestationUnlocked(course: Course, state: CourseState) {
  if (!course.meta.policy) return false;
  if (state.trainingWaived) return true;
  if (!modulesDone(course, state)) return false;
  return course.quiz === null || state.quiz.passedAttemptId !== null;
}

/** Where "Continue" takes a learner: the first unfinished module, then the quiz until it is
 * passed, then the signature; the course page once nothing is left to do. */
export function continuePath(course: Course, state: CourseState): string {
  const base = `/courses/${course.id}`;
  const next = nextModule(course, state);
  if (next) return `${base}/${next.slug}`;
  if (quizUnlocked(course, state) && state.quiz.passedAttemptId === null) return `${base}/quiz`;
  if (attestationUnlocked(course, state) && state.attestationCode === null) return `${base}/attest`;
  return base;
}

export async function getCourseState(
  db: Db | Transaction<DB>,
  assignment: Pick<Assignment, "id" | "reason"> & Partial<Pick<Assignment, "content_since">>,
  course: Course,
): Promise<CourseState> {
  const assignmentId = assignment.id;
  // After a "restart in-progress learners" publication, earlier choices belong to the old version.
  const since = assignment.content_since ?? "";
  const [modules, choices, attempts, attestation] = await Promise.all([
    db.selectFrom("module_progress").select("module").where("assignment_id", "=", assignmentId).execute(),
    db
      .selectFrom("scenario_choices")
      .select(["scenario_id", "from_step", "to_step", "ending"])
      .where("assignment_id", "=", assignmentId)
      .where("chosen_at", ">=", since)
      .orderBy("id", "asc")
      .execute(),
    db
      .selectFrom("quiz_attempts")
      .select(["id", "passed", "score"])
      .where("assignment_id", "=", assignmentId)
      .orderBy("submitted_at", "asc")
      .execute(),
    db.selectFrom("attestations").select("verification_code").where("assignment_id", "=", assignmentId).where("outcome", "=", "signed").executeTakeFirst(),
  ]);
  const scenarios = scenarioProgressOf(choices, course.modules.flatMap((m) => m.scenarios));
  const passed = attempts.find((a) => a.passed === 1);
  return {
    trainingWaived: assignment.reason === "policy_change" && Boolean(course.meta.policy),
    completedModules: new Set(modules.map((m) => m.module)),
    scenarios,
    quiz: {
      attempts: attempts.length,
      passedAttemptId: passed?.id ?? null,
      lastAttemptId: attempts.at(-1)?.id ?? null,
      bestScore: attempts.length ? Math.max(...attempts.map((a) => a.score)) : null,
    },
    attestationCode: attestation?.verification_code ?? null,
  };
}

function openAssignment(assignment: Assignment) {
  if (assignment.completed_at) throw new LearningError("This course is already complete for this cycle.", 409);
}

export async function recordScenarioChoice(
  db: Db,
  input: { assignment: Assignment; course: Course; module: string; scenarioId: string; from: string; to: string },
  clock: Clock,
) {
  const { assignment, course } = input;
  openAssignment(assignment);
  const mod = course.modules.find((m) => m.slug === input.module);
  const scenario = mod?.scenarios.find((s) => s.id === input.scenarioId);
  if (!mod || !scenario) throw new LearningError("That scenario is not part of this module.");
  const from = scenario.steps.find((s) => s.id === input.from);
  // A choice of the step, or a poor ending's "try again" (which shows the better move).
  const choice = from?.choices.find((c) => c.to === input.to) ?? (from && retryStepOf(scenario, from.id) === input.to ? from : undefined);
  const target = scenario.steps.find((s) => s.id === input.to);
  if (!from || !choice || !target) throw new LearningError("That choice is not part of this scenario.");
  const state = await getCourseState(db, assignment, course);
  if (!moduleUnlocked(course, state, mod.slug)) throw new LearningError("Finish the earlier modules first.", 409);
  const path = state.scenarios[scenario.id]?.path ?? [];
  const atStart = from.id === scenario.steps[0].id;
  if (!atStart && path[path.length - 1] !== from.id) {
    throw new LearningError("That choice is not available at this point of the scenario; reload the page.", 409);
  }
  await db
    .insertInto("scenario_choices")
    .values({
      assignment_id: assignment.id,
      module: mod.slug,
      scenario_id: scenario.id,
      from_step: from.id,
      to_step: target.id,
      ending: target.outcome,
      chosen_at: clock().toISOString(),
    })
    .execute();
}

export async function completeModule(
  db: Db,
  input: { assignment: Assignment; course: Course; module: string; actorId: string },
  clock: Clock,
) {
  const { assignment, course } = input;
  openAssignment(assignment);
  const mod = course.modules.find((m) => m.slug === input.module);
  if (!mod) throw new LearningError("That module is not part of this course.", 404);
  const state = await getCourseState(db, assignment, course);
  if (!moduleUnlocked(course, state, mod.slug)) throw new LearningError("Finish the earlier modules first.", 409);
  const unfinished = mod.scenarios.filter((s) => !state.scenarios[s.id]?.completed);
  if (unfinished.length > 0) {
    throw new LearningError(`Work through the scenario “${unfinished[0].title}” to its end before you continue.`);
  }
  const now = clock();
  await auditedTransaction(db, async (trx) => {
    const inserted = await trx
      .insertInto("module_progress")
      .values({ assignment_id: assignment.id, module: mod.slug, content_hash: course.contentHash, completed_at: now.toISOString() })
      .onConflict((oc) => oc.columns(["assignment_id", "module"]).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
    await completeIfDone(trx, { assignment, course, actorId: input.actorId }, now);
  });
}

/** Marks the assignment complete once everything the course asks for is done. */
export async function completeIfDone(
  trx: Transaction<DB>,
  { assignment, course, actorId }: { assignment: Assignment; course: Course; actorId: string },
  now: Date,
): Promise<boolean> {
  const state = await getCourseState(trx, assignment, course);
  const quizDone = state.trainingWaived || course.quiz === null || state.quiz.passedAttemptId !== null;
  const policyDone = !course.meta.policy || state.attestationCode !== null;
  if (!modulesDone(course, state) || !quizDone || !policyDone) return false;
  // A policy-change signature renews no training: the training cycle keeps its own expiry.
  const expiresAt = state.trainingWaived ? null : expiryFor(course.meta.recurrence, now.toISOString(), assignment.previous_expires_at);
  return completeAssignment(trx, { assignment, course, expiresAt, actorId }, now);
}

/** The modules among `modules` revisited since `since`: each of their scenarios played again,
 * from its first step, to an ending that completes it. A module without scenarios has nothing to
 * play again and counts as revisited. */
export async function modulesRevisitedSince(
  db: Db | Transaction<DB>,
  { assignmentId, course, modules, since }: { assignmentId: string; course: Course; modules: string[]; since: string },
): Promise<Set<string>> {
  const choices = await db
    .selectFrom("scenario_choices")
    .select(["scenario_id", "from_step", "to_step", "ending"])
    .where("assignment_id", "=", assignmentId)
    .where("module", "in", modules.length ? modules : [""])
    .where("chosen_at", ">", since)
    .orderBy("id", "asc")
    .execute();
  const revisited = new Set<string>();
  for (const slug of modules) {
    const mod = course.modules.find((m) => m.slug === slug);
    if (!mod) continue;
    const progress = scenarioProgressOf(choices, mod.scenarios);
    if (mod.scenarios.every((s) => progress[s.id]?.completed)) revisited.add(slug);
  }
  return revisited;
}
