// The attempt policy of a course's quiz.yaml, enforced where attempts are recorded: after
// `afterFailedAttempts` failed attempts, each further attempt waits until the modules the last
// failed attempt named have been revisited; after `maxAttempts` failed attempts the quiz is
// closed for the cycle.
import type { Transaction } from "kysely";
import type { Db } from "../../db/connection";
import type { Assignment, DB } from "../../db/schema";
import type { Course } from "../courses/catalog.server";
import { modulesRevisitedSince } from "./progress.server";

export type QuizGate =
  | { kind: "open"; failed: number; attemptsLeft: number | null }
  | { kind: "revisit"; failed: number; modules: Array<{ slug: string; title: string }> }
  | { kind: "closed"; failed: number; message: string };

export async function quizGate(
  db: Db | Transaction<DB>,
  { assignment, course }: { assignment: Pick<Assignment, "id">; course: Course },
): Promise<QuizGate> {
  const policy = course.quiz?.attemptPolicy ?? {};
  const failedRows = await db
    .selectFrom("quiz_attempts")
    .select(["submitted_at", "revisit_json"])
    .where("assignment_id", "=", assignment.id)
    .where("passed", "=", 0)
    .orderBy("submitted_at", "asc")
    .orderBy("id", "asc")
    .execute();
  const failed = failedRows.length;
  if (policy.maxAttempts !== undefined && failed >= policy.maxAttempts) {
    return {
      kind: "closed",
      failed,
      message: `This quiz allows ${policy.maxAttempts} attempts and none passed, so it is closed for this cycle. Contact the course owner, ${course.meta.owner}, to agree what happens next.`,
    };
  }
  const attemptsLeft = policy.maxAttempts !== undefined ? policy.maxAttempts - failed : null;
  const last = failedRows.at(-1);
  if (!last || policy.afterFailedAttempts === undefined || failed < policy.afterFailedAttempts) return { kind: "open", failed, attemptsLeft };
  const named = parseModules(last.revisit_json);
  const revisited = await modulesRevisitedSince(db, { assignmentId: assignment.id, course, modules: named, since: last.submitted_at });
  const pending = course.modules.filter((m) => named.includes(m.slug) && !revisited.has(m.slug));
  if (pending.length === 0) return { kind: "open", failed, attemptsLeft };
  return { kind: "revisit", failed, modules: pending.map((m) => ({ slug: m.slug, title: m.title })) };
}

export function parseModules(json: string | null): string[] {
  if (!json) return [];
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}
