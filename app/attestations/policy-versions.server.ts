// policy_versions: the exact text of every policy version anyone signed or consented to, kept
// so that it can be shown whatever happens to the files. Written only here, on first use.
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema";
import { policyStatement, type Policy, type PolicyVersion } from "../courses/catalog.server";
import { LearningError } from "../learning/progress.server";

/** Records the version if it is new; refuses text that differs from what was recorded under the same number. */
export async function recordPolicyVersion(trx: Transaction<DB>, policy: Policy, version: PolicyVersion, at: string): Promise<void> {
  await trx
    .insertInto("policy_versions")
    .values({
      policy_id: policy.id,
      version: version.version,
      title: policy.title,
      statement: policyStatement(policy, version.version),
      body: version.body,
      text_sha256: version.sha256,
      material: version.material ? 1 : 0,
      changes: version.changes,
      published_on: version.published,
      validity_months: policy.validityMonths,
      recorded_at: at,
    })
    .onConflict((oc) => oc.columns(["policy_id", "version"]).doNothing())
    .execute();
  const recorded = await trx
    .selectFrom("policy_versions")
    .select("text_sha256")
    .where("policy_id", "=", policy.id)
    .where("version", "=", version.version)
    .executeTakeFirstOrThrow();
  if (recorded.text_sha256 !== version.sha256) {
    // The file was edited without publishing a new version: refuse rather than sign text
    // that differs from what others signed under the same version number.
    throw new LearningError(
      `The text of ${policy.title} version ${version.version} was changed without a new version number. Ask the course owner to publish it as a new version.`,
      409,
    );
  }
}
