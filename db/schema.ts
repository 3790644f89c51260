// Table types for Kysely, hand-written; tests/integration/schema.test.ts checks them against
// a freshly migrated database so they cannot drift.
import type { Generated, Insertable, Selectable } from "kysely";

export type UserType = "employee" | "contractor";
export type UserStatus = "active" | "leave" | "inactive";

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  employee_id: string | null;
  department: string | null;
  title: string | null;
  manager_id: string | null;
  type: UserType;
  status: UserStatus;
  is_hr: number;
  start_date: string;
  end_date: string | null;
  password_hash: string | null;
  password_changed_at: string | null;
  leave_started_at: string | null;
  board_opt_out: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  id: string;
  secret_hash: string;
  user_id: string;
  created_at: string;
  last_verified_at: string;
  ip: string | null;
  user_agent: string | null;
  /** Single sign-on: the provider and subject that signed the person in (null: password or passkey). */
  sso_issuer: string | null;
  sso_subject: string | null;
  /** 1 when the provider reported a second factor (`amr`), which counts as one for HR pages. */
  sso_mfa: Generated<number>;
}

export interface AuthThrottleTable {
  key: string;
  failures: number;
  window_started_at: string;
}

export interface CourseVersionsTable {
  course_id: string;
  content_hash: string;
  title: string;
  metadata_json: string;
  recorded_at: string;
  /** The whole course as it was (modules' sources and scenario shapes, quiz), so a learner on
   * this version keeps it after the folder changes. Null on rows recorded before publishing. */
  content_json: string | null;
}

export interface PolicyVersionsTable {
  policy_id: string;
  version: number;
  title: string;
  statement: string;
  body: string;
  text_sha256: string;
  material: number;
  changes: string;
  published_on: string;
  validity_months: number | null;
  recorded_at: string;
}

export type AssignmentReason = "onboarding" | "annual" | "policy_change" | "leaving" | "manual";

export interface AssignmentsTable {
  id: string;
  user_id: string;
  course_id: string;
  cycle: string;
  reason: AssignmentReason;
  assigned_at: string;
  due_at: string;
  completed_at: string | null;
  completed_content_hash: string | null;
  expires_at: string | null;
  exempted_at: string | null;
  cancelled_at: string | null;
  note: string | null;
  family: string | null;
  previous_expires_at: string | null;
  renewal_issued_at: string | null;
  /** The course content version this assignment is on (null: recorded before versions were kept). */
  content_hash: string | null;
  /** When a "restart in-progress learners" publication moved it to that version: scenario
   * choices before it belong to the old version. */
  content_since: string | null;
}

export interface ModuleProgressTable {
  assignment_id: string;
  module: string;
  content_hash: string;
  completed_at: string;
}

export interface ScenarioChoicesTable {
  id: Generated<number>;
  assignment_id: string;
  module: string;
  scenario_id: string;
  from_step: string;
  to_step: string;
  ending: string | null;
  chosen_at: string;
}

export interface QuizAttemptsTable {
  id: string;
  assignment_id: string;
  user_id: string;
  course_id: string;
  content_hash: string;
  answers_json: string;
  correct_count: number;
  question_count: number;
  score: number;
  passing_score: number;
  passed: number;
  submitted_at: string;
  /** JSON: the drawn questions and their option order, as shown (null before migration 0018). */
  presented_json: string | null;
  /** JSON: the modules the feedback of a failed attempt named to revisit (null before 0018). */
  revisit_json: string | null;
}

export interface AttestationsTable {
  id: string;
  verification_code: string;
  user_id: string;
  assignment_id: string;
  policy_id: string;
  policy_version: number;
  policy_title: string;
  text_sha256: string;
  statement: string;
  intent_label: string;
  printed_name: string;
  profile_name: string;
  email: string;
  auth_method: string;
  presented_at: string;
  signed_at: string;
  expires_at: string | null;
  ip: string | null;
  user_agent: string | null;
  quiz_attempt_id: string | null;
  recorded_by: string | null;
  on_behalf_reason: string | null;
  outcome: Generated<AttestationOutcome>;
  decline_reason: string | null;
  consent_id: string | null;
  locale: string | null;
  template_version: string | null;
  session_sha256: string | null;
  auth_strength: AuthStrength | null;
  seconds_on_text: number | null;
  paper_signed_on: string | null;
  scan_sha256: string | null;
}

export type AttestationOutcome = "signed" | "declined";
/** How the signer proved it was them at the moment of signing. */
export type AuthStrength = "password_reentered" | "second_factor" | "fresh_sso";

/** Consent to receive and sign records electronically (ESIGN §7001(c)), one row per consent given. */
export interface ElectronicConsentsTable {
  id: string;
  user_id: string;
  policy_id: string;
  policy_version: number;
  text_sha256: string;
  statement: string;
  intent_label: string;
  printed_name: string;
  profile_name: string;
  email: string;
  presented_at: string;
  consented_at: string;
  ip: string | null;
  user_agent: string | null;
  session_sha256: string | null;
  locale: string;
  template_version: string;
}

/** Scans of paper originals, kept in the database by their SHA-256 (decision 012). */
export interface PaperScansTable {
  sha256: string;
  media_type: string;
  byte_size: number;
  content: Buffer;
  uploaded_by: string;
  uploaded_at: string;
}

export type NotificationKind =
  | "assigned"
  | "reminder_before"
  | "due_today"
  | "overdue"
  | "escalation"
  | "hr_digest"
  | "nudge"
  | "kudos"
  | "declined"
  | "invitation"
  | "password_reset";
export type NotificationStatus = "pending" | "sending" | "sent" | "failed";

export interface NotificationsTable {
  id: string;
  event_key: string;
  kind: NotificationKind;
  user_id: string | null;
  to_email: string;
  assignment_id: string | null;
  why: string;
  subject: string;
  body: string;
  created_at: string;
  status: NotificationStatus;
  attempts: number;
  next_attempt_at: string;
  claimed_until: string | null;
  last_error: string | null;
  sent_at: string | null;
}

export interface SchedulerLeaseTable {
  name: string;
  holder: string;
  expires_at: string;
}

export interface RosterImportsTable {
  id: string;
  uploaded_by: string | null;
  file_name: string;
  csv_text: string;
  sha256: string;
  created_at: string;
  applied_at: string | null;
  summary_json: string | null;
}

export type AccountLinkPurpose = "invitation" | "reset";

export interface AccountLinksTable {
  id: string;
  user_id: string;
  purpose: AccountLinkPurpose;
  started_by: string | null;
  created_at: string;
  send_on: string | null;
  queued_at: string | null;
  token_sha256: string | null;
  sent_at: string | null;
  expires_at: string | null;
  used_at: string | null;
  cancelled_at: string | null;
}

export interface TotpCredentialsTable {
  user_id: string;
  key_sealed: string;
  created_at: string;
  confirmed_at: string | null;
  last_used_step: number | null;
  failures: Generated<number>;
  locked_until: string | null;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  code_sha256: string;
  created_at: string;
  used_at: string | null;
}

export interface PasskeysTable {
  id: string;
  user_id: string;
  public_key: string;
  counter: number | string;
  transports: string | null;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export interface WebauthnChallengesTable {
  challenge: string;
  purpose: string;
  user_id: string | null;
  created_at: string;
  expires_at: string;
}

export interface PendingSignInsTable {
  id: string;
  secret_hash: string;
  user_id: string;
  redirect_to: string;
  ip: string | null;
  user_agent: string | null;
  attempts: Generated<number>;
  created_at: string;
  expires_at: string;
}

export interface KudosTable {
  id: string;
  from_user_id: string;
  to_user_id: string;
  message: string;
  badge: string | null;
  created_at: string;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  data_json: string;
  prev_hash: string;
  hash: string;
}

/** A perfect subtree of the audit log's Merkle tree (migration 0008): 2^level leaves from idx·2^level. */
export interface AuditTreeNodesTable {
  level: number;
  idx: number;
  /** Hex SHA-256. */
  hash: string;
}

export type TsaStatus = "none" | "pending" | "stamped";

/** A signed checkpoint of the audit log (migration 0008) and its RFC 3161 timestamp. */
export interface AuditCheckpointsTable {
  tree_size: number;
  /** Hex SHA-256 root of the first tree_size entries. */
  root_hash: string;
  /** The C2SP signed note. */
  note: string;
  created_at: string;
  tsa_status: TsaStatus;
  /** Base64 DER of the RFC 3161 token (a CMS ContentInfo). */
  tsa_token: string | null;
  tsa_gen_time: string | null;
  tsa_attempts: Generated<number>;
  tsa_last_error: string | null;
  tsa_next_attempt_at: string | null;
}

/** The reporting rollup (migration 0004): rebuilt by refreshRollup, read by HR's dashboards. */
export type ReportRunStatus = "running" | "done" | "failed";

export interface ReportRunsTable {
  generation: number;
  as_of: string;
  started_at: string;
  finished_at: string | null;
  status: ReportRunStatus;
  duration_ms: number | null;
  assignments: number | null;
  people: number | null;
  error: string | null;
}

export interface ReportRollupTable {
  generation: number;
  scope: string;
  course_id: string;
  series: string;
  department: string;
  type: string;
  cancelled_on_time: number;
  cancelled_late: number;
  cancelled_open: number;
  exempt_on_time: number;
  exempt_late: number;
  exempt_open: number;
  on_time: number;
  late: number;
  overdue: number;
  in_progress: number;
  not_started: number;
  last_due_at: string;
}

export interface ReportMonthsTable {
  generation: number;
  scope: string;
  course_id: string;
  series: string;
  department: string;
  type: string;
  month: string;
  on_time: number;
  late: number;
}

export interface ReportCyclesTable {
  generation: number;
  course_id: string;
  cycle: string;
  series: string;
  assignments: number;
  last_due_at: string;
}

export interface ReportManagersTable {
  generation: number;
  manager_id: string;
  team_size: number;
  scoped: number;
}

/** The boards' scores (migration 0006): rebuilt by refreshScores, read by large boards. */
export interface ScoreRunsTable {
  generation: number;
  as_of: string;
  started_at: string;
  finished_at: string | null;
  status: ReportRunStatus;
  duration_ms: number | null;
  people: number | null;
  error: string | null;
}

export interface PersonScoresTable {
  generation: number;
  user_id: string;
  score_tenths: number;
  average_tenths: number;
  ranked: number;
  streak: number;
  streak_bonus: number;
  counted: number;
  completed: number;
  on_time: number;
  first_try: number;
  overdue: number;
  badges_json: string;
  opted_out: number;
  sort_position: number | null;
  tree_position: number | null;
  team_size: number | null;
  /** Active people below, as HR's recognition report counts a team (migration 0015a). */
  active_team_size: number | null;
  computed_at: string;
}

/** An evidence pack as produced: the JSON file and the signed PDF of one snapshot. Append-only. */
export interface EvidencePacksTable {
  id: string;
  user_id: string;
  produced_at: string;
  produced_by: string | null;
  via: string;
  pack_sha256: string;
  json_sha256: string;
  pdf_sha256: string | null;
  json: string;
  pdf_base64: string | null;
}

/** A course version made live by HR (or recorded as live at upgrade: mode `baseline`). */
export interface CoursePublicationsTable {
  id: string;
  course_id: string;
  content_hash: string;
  mode: "baseline" | "publish" | "restart";
  published_at: string;
  actor_id: string | null;
  assignments: Generated<number>;
  emails: Generated<number>;
  restarted: Generated<number>;
}

/** Compiled MDX by the module source's hash, kept so old versions are served after a restart. */
export interface CompiledModulesTable {
  hash: string;
  code: string;
  compiled_at: string;
}

/** One row: whether the courses live at upgrade have been recorded as published yet. */
export interface PublishingBaselineTable {
  id: number;
  recorded_at: string | null;
}

/** A bearer token an identity provider uses for SCIM provisioning; only its SHA-256 is kept. */
export interface ScimTokensTable {
  id: string;
  name: string;
  token_sha256: string;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

/** An OpenID Connect request waiting for the provider's answer; deleted when it is used. */
export interface OidcRequestsTable {
  id: string;
  purpose: string;
  nonce: string;
  code_verifier: string;
  user_id: string | null;
  redirect_to: string;
  form_json: string | null;
  created_at: string;
  expires_at: string;
}

export interface DB {
  users: UsersTable;
  sessions: SessionsTable;
  auth_throttle: AuthThrottleTable;
  course_versions: CourseVersionsTable;
  policy_versions: PolicyVersionsTable;
  assignments: AssignmentsTable;
  module_progress: ModuleProgressTable;
  scenario_choices: ScenarioChoicesTable;
  quiz_attempts: QuizAttemptsTable;
  attestations: AttestationsTable;
  electronic_consents: ElectronicConsentsTable;
  paper_scans: PaperScansTable;
  audit_log: AuditLogTable;
  audit_tree_nodes: AuditTreeNodesTable;
  audit_checkpoints: AuditCheckpointsTable;
  notifications: NotificationsTable;
  scheduler_lease: SchedulerLeaseTable;
  roster_imports: RosterImportsTable;
  kudos: KudosTable;
  account_links: AccountLinksTable;
  report_runs: ReportRunsTable;
  report_rollup: ReportRollupTable;
  report_months: ReportMonthsTable;
  report_cycles: ReportCyclesTable;
  report_managers: ReportManagersTable;
  score_runs: ScoreRunsTable;
  person_scores: PersonScoresTable;
  evidence_packs: EvidencePacksTable;
  totp_credentials: TotpCredentialsTable;
  recovery_codes: RecoveryCodesTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
  pending_sign_ins: PendingSignInsTable;
  course_publications: CoursePublicationsTable;
  compiled_modules: CompiledModulesTable;
  publishing_baseline: PublishingBaselineTable;
  scim_tokens: ScimTokensTable;
  oidc_requests: OidcRequestsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Assignment = Selectable<AssignmentsTable>;
export type Attestation = Selectable<AttestationsTable>;
export type ElectronicConsent = Selectable<ElectronicConsentsTable>;
export type QuizAttempt = Selectable<QuizAttemptsTable>;
export type Notification = Selectable<NotificationsTable>;
