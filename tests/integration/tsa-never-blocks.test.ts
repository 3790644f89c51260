// A Time-Stamp Authority that never answers does not hold up a signature: while a checkpoint's
// timestamp request hangs on the OpenSSL TSA (in "slow" mode it reads the request and never
// replies), a person signs, the signature is recorded and the next checkpoint covers it; the hung
// request is then cut off and the checkpoint stays pending with the reason. SQLite and PostgreSQL.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import { fixedClock } from "../../app/clock";
import { checkpointFor, stampPending, takeCheckpoint } from "../../app/audit/anchors.server";
import { assign, makePerson, workThroughCourse } from "../../app/demo/factories.server";
import { presentedToken, signAttestation } from "../../app/attestations/attestations.server";
import { COURSE_ID, PASSWORD, passwordHash, realCatalog, SECRET } from "../support/world";
import { freshDb, type TestDb } from "../support/db";
import { startPostgres } from "../support/postgres";
import { testAnchors } from "../support/anchors";
import { startTsa, type TestTsa } from "../support/tsa";

const catalog = realCatalog();
const course = catalog.courses.get(COURSE_ID)!;
const policy = catalog.policies.get(course.meta.policy!)!;
const clock = fixedClock("2027-03-01T09:00:00.000Z");
/** Long enough that a signature waiting for the TSA would come after it: the cut-off. */
const TSA_CUTOFF_MS = 20_000;
let tsa: TestTsa;
let a: ReturnType<typeof testAnchors>;
let sqlite: TestDb;
let pg: Awaited<ReturnType<typeof startPostgres>>;
let pgDb: Db;

beforeAll(async () => {
  tsa = await startTsa();
  a = testAnchors();
  sqlite = await freshDb();
  pg = await startPostgres();
  pgDb = createDb(pg.url);
  await migrateToLatest(pgDb);
}, 120_000);
afterAll(async () => {
  await sqlite?.close();
  await pgDb?.destroy();
  pg?.stop();
  await tsa?.stop();
  a?.cleanup();
});

for (const which of ["SQLite", "PostgreSQL"] as const) {
  test(`${which}: a signature goes through while the TSA hangs; the checkpoint's timestamp stays pending and the next checkpoint covers the signature`, async () => {
    const db = which === "SQLite" ? sqlite.db : pgDb;
    const anchors = { ...a.anchors, anchorFile: `${a.dir}/${which}.jsonl`, tsaUrl: tsa.url, tsaCaFile: tsa.caFile };
    const user = await makePerson(db, { email: `sam-${which}@test.example`, name: "Sam Signer", startDate: "2027-01-01", passwordHash: await passwordHash() }, clock);
    const assignment = await assign(db, { userId: user.id, course }, clock);
    await workThroughCourse(db, { user, assignment, course, catalog, upTo: "quiz", password: PASSWORD, secret: SECRET }, clock);
    const first = await takeCheckpoint(db, { key: a.key, anchors, now: clock() });
    expect(first?.checkpoint.timestamp.status).toBe("pending");

    tsa.mode = "slow";
    const asked = tsa.requests;
    let stampSettled = false;
    const stamping = stampPending(db, { anchors, now: clock(), timeoutMs: TSA_CUTOFF_MS }).finally(() => (stampSettled = true));
    // The request has reached the TSA, which will not answer.
    while (tsa.requests === asked) await new Promise((r) => setTimeout(r, 20));

    const presented = presentedToken(SECRET, { assignmentId: assignment.id, policyId: policy.id, version: policy.current.version, at: "2027-03-01T08:55:00.000Z" });
    const form = { intent: "on", name: user.name, password: PASSWORD, presented };
    const result = await signAttestation(db, { viewer: user, assignment, course, policy, form, ip: "127.0.0.1", userAgent: "test", secret: SECRET, consentPolicy: null }, clock);
    expect(result.ok).toBe(true);
    expect(stampSettled, "the signature did not wait for the TSA").toBe(false);
    const signed = await db.selectFrom("attestations").select("id").where("user_id", "=", user.id).execute();
    expect(signed).toHaveLength(1);
    const second = await takeCheckpoint(db, { key: a.key, anchors, now: clock() });
    expect(second?.created).toBe(true);
    expect(stampSettled, "a checkpoint did not wait for the TSA either").toBe(false);

    expect(await stamping).toMatchObject({ stamped: 0, failed: 1, problems: [expect.stringMatching(/did not answer within 20 s/)] });
    const pending = await db.selectFrom("audit_checkpoints").select(["tree_size", "tsa_status", "tsa_last_error"]).where("tree_size", "=", first!.checkpoint.treeSize).executeTakeFirstOrThrow();
    expect(pending).toMatchObject({ tsa_status: "pending", tsa_last_error: expect.stringMatching(/did not answer/) });
    expect((await checkpointFor(db))!.treeSize).toBeGreaterThan(first!.checkpoint.treeSize);
    tsa.mode = "ok";
  }, 120_000);
}
