// One writer per table: the one module (under app/) allowed to insert, update or delete each
// table's rows. Every other module calls that module's named functions, passing its transaction.
// `tests/unit/table-owners.test.ts` reads the source and fails when another module writes a table,
// or when a table in db/schema.ts has no owner here.
import type { DB } from "./schema";

export const tableOwners: Record<keyof DB, string> = {
  users: "app/people/people.server.ts",
  sessions: "app/auth/session.server.ts",
  auth_throttle: "app/auth/throttle.server.ts",
  account_links: "app/auth/account-links.server.ts",
  totp_credentials: "app/auth/totp.server.ts",
  recovery_codes: "app/auth/totp.server.ts",
  passkeys: "app/auth/passkeys.server.ts",
  webauthn_challenges: "app/auth/passkeys.server.ts",
  pending_sign_ins: "app/auth/second-factor.server.ts",
  course_versions: "app/courses/versions.server.ts",
  policy_versions: "app/attestations/policy-versions.server.ts",
  assignments: "app/assignments/assignments.server.ts",
  module_progress: "app/learning/progress.server.ts",
  scenario_choices: "app/learning/progress.server.ts",
  quiz_attempts: "app/learning/quiz.server.ts",
  attestations: "app/attestations/attestations.server.ts",
  electronic_consents: "app/attestations/consent.server.ts",
  paper_scans: "app/attestations/paper.server.ts",
  audit_log: "app/audit/audit.server.ts",
  audit_tree_nodes: "app/audit/tree.server.ts",
  audit_checkpoints: "app/audit/anchors.server.ts",
  notifications: "app/notifications/outbox.server.ts",
  scheduler_lease: "app/jobs/lease.server.ts",
  roster_imports: "app/roster/import.server.ts",
  kudos: "app/recognition/kudos.server.ts",
  report_runs: "app/reports/rollup.server.ts",
  report_rollup: "app/reports/rollup.server.ts",
  report_months: "app/reports/rollup.server.ts",
  report_cycles: "app/reports/rollup.server.ts",
  report_managers: "app/reports/rollup.server.ts",
  score_runs: "app/recognition/scores-refresh.server.ts",
  person_scores: "app/recognition/scores-refresh.server.ts",
  evidence_packs: "app/evidence/stored-packs.server.ts",
  course_publications: "app/scheduler/publishing.server.ts",
  compiled_modules: "app/courses/compiled-store.server.ts",
  publishing_baseline: "app/scheduler/publishing.server.ts",
  scim_tokens: "app/roster/scim-tokens.server.ts",
  oidc_requests: "app/auth/oidc.server.ts",
};

/** Writers besides the owner, each with the reason routing it through the owner would change
 * behaviour. Keep this short; an entry is a debt, not a permission. */
export const ownerExceptions: Array<{ table: keyof DB; module: string; why: string }> = [];
