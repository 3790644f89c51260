// One lock order on PostgreSQL: every pair of writers that touch one assignment, raced many
// times on a real server, finishes without a deadlock or any other database error. Each writer's
// transaction takes the audit lock first (auditedTransaction), so none can hold an assignment's
// row while waiting for the audit lock another writer holds while waiting for that row.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { fixedClock } from "../../app/clock";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { presentedToken, signAttestation } from "../../app/attestations/attestations.server";
import { assign, workThroughCourse } from "../../app/demo/factories.server";
import { exemptAssignment, grantExtension } from "../../app/hr/actions.server";
import { LearningError } from "../../app/learning/progress.server";
import { nudge } from "../../app/team/nudge.server";
import type { Assignment, User } from "../../db/schema";
import { hire, ORIGIN, run } from "../support/org";
import { startPostgres } from "../support/postgres";
import { PASSWORD, realCatalog, SECRET, COURSE_ID } from "../support/world";

const ROUNDS = 20;
/** The second writer starts this much later in each round, sweeping across the first one's work. */
const STAGGER_MS = 8;
const NOW = "2027-03-01T09:00:00.000Z";
const clock = fixedClock(NOW);
const catalog = realCatalog();
const course = catalog.courses.get(COURSE_ID)!;
const policy = catalog.policies.get(course.meta.policy!)!;

let pg: Awaited<ReturnType<typeof startPostgres>>;
let db: Db;
let hr: User;
let manager: User;

beforeAll(async () => {
  pg = await startPostgres();
  db = createDb(pg.url);
  await migrateToLatest(db);
  hr = await hire(db, { name: "Helen Harper", startDate: "2025-01-01", hr: true }, NOW);
  manager = await hire(db, { name: "Mark Mendes", startDate: "2025-01-01" }, NOW);
}, 120_000);

afterAll(async () => {
  await db?.destroy();
  pg?.stop();
});

let serial = 0;
/** A new learner with one open assignment, worked through up to the signature. */
async function learner(): Promise<{ user: User; assignment: Assignment }> {
  serial++;
  const user = await hire(db, { name: `Learner ${serial}`, email: `learner${serial}@org.test`, startDate: "2027-02-20", manager }, NOW);
  const assignment = await assign(db, { userId: user.id, course }, clock);
  await workThroughCourse(db, { user, assignment, course, catalog, upTo: "quiz", password: PASSWORD, secret: SECRET }, clock);
  return { user, assignment };
}

type Writer = (p: { user: User; assignment: Assignment }) => Promise<unknown>;

const sign: Writer = ({ user, assignment }) =>
  signAttestation(
    db,
    {
      viewer: user,
      assignment,
      course,
      policy,
      consentPolicy: null,
      form: {
        intent: "on",
        name: user.name,
        password: PASSWORD,
        presented: presentedToken(SECRET, { assignmentId: assignment.id, policyId: policy.id, version: policy.current.version, at: "2027-03-01T08:55:00.000Z" }),
      },
      ip: "203.0.113.7",
      userAgent: "race",
      secret: SECRET,
    },
    clock,
  );
const extend: Writer = ({ user, assignment }) =>
  grantExtension(db, { viewer: hr, personId: user.id, form: { assignment: assignment.id, due: "2027-12-31", reason: "Parental leave" } }, clock);
const exempt: Writer = ({ user, assignment }) =>
  exemptAssignment(db, { viewer: hr, personId: user.id, form: { assignment: assignment.id, reason: "Contractor under a separate NDA" } }, clock);
const remind: Writer = ({ assignment }) => nudge(db, { manager, assignmentIds: [assignment.id], note: "Please finish", catalog, origin: ORIGIN }, clock);
// The scheduler a month and a half later: the assignment is overdue, so it reminds and escalates.
const schedule: Writer = () => run(db, "2027-04-15T09:00:00.000Z");

/** Races two writers on one assignment; returns the database errors (refusals such as 409 are answers, not errors). */
async function race(a: Writer, b: Writer): Promise<string[]> {
  const errors: string[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const p = await learner();
    const later = new Promise((resolve) => setTimeout(resolve, i * STAGGER_MS)).then(() => b(p));
    const settled = await Promise.allSettled([a(p), later]);
    for (const s of settled) {
      if (s.status === "rejected" && !(s.reason instanceof LearningError)) errors.push(String((s.reason as Error).message ?? s.reason));
    }
  }
  return errors;
}

test.each([
  ["sign", "extend", sign, extend],
  ["sign", "exempt", sign, exempt],
  ["extend", "exempt", extend, exempt],
  ["nudge", "extend", remind, extend],
  ["scheduler", "extend", schedule, extend],
  ["scheduler", "exempt", schedule, exempt],
  ["scheduler", "sign", schedule, sign],
] as const)(`%s against %s on one assignment: ${ROUNDS} rounds, no deadlock, no error`, async (_a, _b, a, b) => {
  expect(await race(a, b)).toEqual([]);
}, 120_000);

test("the audit chain holds after all the races", async () => {
  const report = await verifyAuditChain(db);
  expect(report.ok).toBe(true);
});
