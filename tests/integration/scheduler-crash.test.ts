// The command-line scheduler killed with SIGKILL in the middle of a run over a large
// organisation, then run again: what it had done is consistent (every assignment with its
// "assigned" mail and its audit entry, written together), the dead run's lease does not block
// the rerun, and the end state has exactly one of everything.
import fs from "node:fs";
import { afterEach, expect, test } from "vitest";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { freshDb, type TestDb } from "../support/db";
import { addPeople, childPids, duplicates, MANAGERS, NO_DUPLICATES, ONBOARDING, startCli, tempDir } from "../support/org";

const NOW = "2027-01-04T09:00:00.000Z";
// Big enough that issuing takes a good second (11 batches of 500, each its own transaction).
const PEOPLE = 5000;

let t: TestDb | null = null;
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await t?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("killed mid-run and run again: the partial state is consistent, the dead holder's lease does not block, and the end state has one of everything", async () => {
  t = await freshDb();
  const db = t.db;
  const org = await addPeople(db, PEOPLE, { at: "2027-01-03T12:00:00.000Z", startDate: "2027-01-01", managersEvery: 10, hr: 2 });
  const expected = org.people + org.managers;
  const dataDir = tempDir("confidant-data-");
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const countAssignments = async () =>
    Number((await db.selectFrom("assignments").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);

  // --- the first run, killed once some but not all assignments are in -------------------------
  const first = startCli(["--once", "--now", NOW], { databaseUrl: t.url, dataDir });
  let exited = false;
  void first.done.then(() => (exited = true));
  cleanups.push(() => {
    if (!exited) first.child.kill("SIGKILL");
  });
  let killedPid = 0;
  const deadline = Date.now() + 120_000;
  while (!killedPid) {
    if (exited) {
      const r = await first.done;
      throw new Error(`The run ended before it could be killed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
    }
    if (Date.now() > deadline) throw new Error("The run never got under way");
    const lease = await db.selectFrom("scheduler_lease").selectAll().executeTakeFirst();
    const n = await countAssignments();
    if (n >= expected) throw new Error("The run issued everything before it could be killed; make the organisation bigger.");
    if (lease && n > 0) {
      // tsx runs the script in a child process: the one holding the lease is the one working.
      const [, pid] = lease.holder.split(":");
      expect(childPids(first.child.pid!)).toContain(Number(pid));
      process.kill(Number(pid), "SIGKILL");
      killedPid = Number(pid);
    } else {
      await sleep(5);
    }
  }
  const killed = await first.done;
  expect(killed.code).toBe(128 + 9);
  expect(killed.stdout).toBe("");

  // --- what the killed run left behind ---------------------------------------------------------
  const partial = await countAssignments();
  expect(partial).toBeGreaterThan(0);
  expect(partial).toBeLessThan(expected);
  // Every assignment that exists has its "assigned" mail, once, and no mail lacks its assignment.
  expect(await duplicates(db)).toEqual(NO_DUPLICATES);
  const mails = await db.selectFrom("notifications").select(["kind"]).execute();
  expect(mails.length).toBe(partial);
  expect(mails.every((m) => m.kind === "assigned")).toBe(true);
  // The audit log names exactly the assignments that exist, and its chain holds.
  const named = (await db.selectFrom("audit_log").select("data_json").where("action", "=", "scheduler.assignments_issued").execute()).flatMap(
    (e) => (JSON.parse(e.data_json) as { assignments: string[] }).assignments,
  );
  const ids = (await db.selectFrom("assignments").select("id").execute()).map((r) => r.id);
  expect(named.sort()).toEqual(ids.sort());
  expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  // The dead run still holds the lease (it never let go), and never recorded a finished run.
  const lease = await db.selectFrom("scheduler_lease").selectAll().executeTakeFirstOrThrow();
  expect(lease.holder.split(":")[1]).toBe(String(killedPid));
  expect(lease.expires_at > new Date().toISOString()).toBe(true);
  expect(await db.selectFrom("audit_log").select("seq").where("action", "=", "scheduler.run").execute()).toEqual([]);

  // --- the rerun: not blocked by the dead holder, it finishes the work --------------------------
  const again = await startCli(["--once", "--now", NOW], { databaseUrl: t.url, dataDir }).done;
  expect(again.stderr).toBe("");
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(`Scheduler run at ${NOW}\n`);
  expect(again.stdout).toContain(`Assignments issued: onboarding ${expected - partial}, annual renewal 0, policy change 0, leaving 0\n`);
  expect(again.stdout).toContain(`HR digests: ${org.hr}\n`);

  expect(await duplicates(db)).toEqual(NO_DUPLICATES);
  const byCourse = await db
    .selectFrom("assignments")
    .select((eb) => ["course_id", "cycle", eb.fn.countAll<number>().as("n"), eb.fn.count<number>("user_id").distinct().as("people")])
    .groupBy(["course_id", "cycle"])
    .orderBy("course_id")
    .execute();
  expect(byCourse.map((r) => [r.course_id, r.cycle, Number(r.n), Number(r.people)])).toEqual([
    [MANAGERS, "onboarding", org.managers, org.managers],
    [ONBOARDING, "onboarding", org.people, org.people],
  ]);
  const byKind = await db.selectFrom("notifications").select((eb) => ["kind", eb.fn.countAll<number>().as("n")]).groupBy("kind").orderBy("kind").execute();
  expect(byKind.map((r) => [r.kind, Number(r.n)])).toEqual([
    ["assigned", expected],
    ["hr_digest", org.hr],
  ]);
  expect(await db.selectFrom("scheduler_lease").selectAll().execute()).toEqual([]);
  expect((await db.selectFrom("audit_log").select("seq").where("action", "=", "scheduler.run").execute()).length).toBe(1);
  expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
}, 180_000);
