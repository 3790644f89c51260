// Refusals HR must see: people whose newest answer to an agreement is "I do not agree". A later
// signature (or a later paper record) of the same assignment ends it; both records stay.
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema";

export interface StandingDecline {
  code: string;
  personId: string;
  personName: string;
  personEmail: string;
  policyTitle: string;
  policyVersion: number;
  courseId: string;
  cycle: string;
  reason: string | null;
  declinedAt: string;
}

export async function listStandingDeclines(db: Kysely<DB>, { viewer, limit = 50 }: { viewer: { is_hr: number }; limit?: number }): Promise<StandingDecline[]> {
  if (!viewer.is_hr) return [];
  const rows = await db
    .selectFrom("attestations as t")
    .innerJoin("users as u", "u.id", "t.user_id")
    .innerJoin("assignments as a", "a.id", "t.assignment_id")
    .select(["t.verification_code", "u.id as person_id", "u.name", "u.email", "t.policy_title", "t.policy_version", "a.course_id", "a.cycle", "t.decline_reason", "t.signed_at"])
    .where("t.outcome", "=", "declined")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("attestations as later")
            .select("later.id")
            .whereRef("later.assignment_id", "=", "t.assignment_id")
            .whereRef("later.policy_id", "=", "t.policy_id")
            .whereRef("later.signed_at", ">", "t.signed_at"),
        ),
      ),
    )
    .where("a.cancelled_at", "is", null)
    .where("a.exempted_at", "is", null)
    .orderBy("t.signed_at", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    code: r.verification_code,
    personId: r.person_id,
    personName: r.name,
    personEmail: r.email,
    policyTitle: r.policy_title,
    policyVersion: Number(r.policy_version),
    courseId: r.course_id,
    cycle: r.cycle,
    reason: r.decline_reason,
    declinedAt: r.signed_at,
  }));
}
