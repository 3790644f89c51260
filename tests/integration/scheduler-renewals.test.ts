// Set-based renewals on SQLite and PostgreSQL alike: one INSERT … SELECT per batch issues each due
// cycle's refresher once, the database writes its "assigned" mail in the same words as
// assignedMail(), the renewed cycle is marked, and one audit entry names the rows it issued.
import { describe, expect, test } from "vitest";
import { sql } from "kysely";
import type { Db } from "../../db/connection";
import { auditedTransaction, verifyAuditChain } from "../../app/audit/audit.server";
import { recordHash } from "../../app/audit/rows.server";
import { issueDueRenewals } from "../../app/assignments/assignments.server";
import { renewalDueAt } from "../../app/assignments/rules";
import { assignedMail } from "../../app/notifications/templates.server";
import { formatDateSql } from "../../app/notifications/templates-sql.server";
import { formatDate } from "../../app/components/format";
import { bothDatabases } from "../support/both-databases";
import { realCatalog } from "../support/world";
import { addPeople, duplicates, ONBOARDING, ORIGIN, REFRESHER, run } from "../support/org";

const catalog = realCatalog();
const NOW = "2027-12-01T09:00:00.000Z";
const both = bothDatabases();

/** A completed onboarding cycle of the trade-secrets course, expiring at `expiresAt`. */
async function completed(db: Db, userId: string, expiresAt: string, extra: { cancelled?: boolean; id?: string } = {}) {
  const id = extra.id ?? `asg_seed_${userId}`;
  await db
    .insertInto("assignments")
    .values({
      id,
      user_id: userId,
      course_id: ONBOARDING,
      family: ONBOARDING,
      cycle: "onboarding",
      reason: "onboarding",
      assigned_at: "2026-11-01T09:00:00.000Z",
      due_at: "2026-12-01T09:00:00.000Z",
      completed_at: "2026-11-20T09:00:00.000Z",
      completed_content_hash: "seed",
      expires_at: expiresAt,
      cancelled_at: extra.cancelled ? "2026-11-25T09:00:00.000Z" : null,
    })
    .execute();
  return id;
}

describe.each(both.names)("on %s", (name) => {
  const dbOf = () => both.db(name);

  test("formatDateSql writes every month's dates as formatDate does", async () => {
    const db = dbOf();
    const dates = ["2028-01-05T10:00:00.000Z", "2028-02-29T23:59:59.000Z", "2027-03-10T00:00:00.000Z", "2027-04-30T09:00:00.000Z", "2027-05-01T09:00:00.000Z", "2027-06-15T09:00:00.000Z", "2027-07-31T09:00:00.000Z", "2027-08-09T09:00:00.000Z", "2027-09-20T09:00:00.000Z", "2027-10-01T09:00:00.000Z", "2027-11-11T09:00:00.000Z", "2027-12-31T23:00:00.000Z"];
    for (const iso of dates) {
      const { rows } = await sql<{ d: string }>`select ${formatDateSql(sql`cast(${iso} as text)`)} as d`.execute(db);
      expect(rows[0].d, iso).toBe(formatDate(iso));
    }
  });

  test("a run renews each due cycle once, mails it in assignedMail's words, marks it, and audits the rows; a rerun does nothing", async () => {
    const db = dbOf();
    await addPeople(db, 8, { at: "2026-01-01T09:00:00.000Z", startDate: "2026-01-01", hr: 0, prefix: "r" });
    const people = await db.selectFrom("users").select(["id", "name", "email"]).orderBy("email").execute();
    const [soon, inWindow, later, outside, cancelled, renewedAlready, onLeave, inactive] = people;
    // Expiring in the window (the cutoff is 31 December): at expiry, or a week on for one expiring tomorrow.
    await completed(db, soon.id, "2027-12-02T09:00:00.000Z");
    await completed(db, inWindow.id, "2027-12-20T10:00:00.000Z");
    await completed(db, later.id, "2027-12-31T08:00:00.000Z");
    // Not due: outside the window, cancelled, a person on leave or gone.
    await completed(db, outside.id, "2028-06-15T09:00:00.000Z");
    await completed(db, cancelled.id, "2027-12-10T09:00:00.000Z", { cancelled: true });
    await completed(db, onLeave.id, "2027-12-10T09:00:00.000Z");
    await completed(db, inactive.id, "2027-12-10T09:00:00.000Z");
    await db.updateTable("users").set({ status: "leave" }).where("id", "=", onLeave.id).execute();
    await db.updateTable("users").set({ status: "inactive" }).where("id", "=", inactive.id).execute();
    // HR issued this person's refresher for the cycle already: it is not issued again, and the
    // renewed cycle is still marked so later runs pass it by.
    await completed(db, renewedAlready.id, "2027-12-15T09:00:00.000Z");
    await db
      .insertInto("assignments")
      .values({ id: "asg_by_hr", user_id: renewedAlready.id, course_id: REFRESHER, family: ONBOARDING, cycle: "renewal-2027-12-15", reason: "manual", assigned_at: "2027-11-30T09:00:00.000Z", due_at: "2027-12-15T09:00:00.000Z" })
      .execute();

    const first = await run(db, NOW);
    expect(first.issued.annual).toBe(3);
    const renewals = await db.selectFrom("assignments").selectAll().where("reason", "=", "annual").orderBy("user_id").execute();
    const expected = [
      [soon, "renewal-2027-12-02", "2027-12-08T09:00:00.000Z", "2027-12-02T09:00:00.000Z"],
      [inWindow, "renewal-2027-12-20", "2027-12-20T10:00:00.000Z", "2027-12-20T10:00:00.000Z"],
      [later, "renewal-2027-12-31", "2027-12-31T08:00:00.000Z", "2027-12-31T08:00:00.000Z"],
    ] as const;
    // The SQL's due date is renewalDueAt()'s.
    for (const [, , due, prev] of expected) expect(renewalDueAt(prev, NOW)).toBe(due);
    expect(renewals.map((r) => [r.user_id, r.course_id, r.family, r.cycle, r.due_at, r.previous_expires_at, r.assigned_at])).toEqual(
      expected.map(([p, cycle, due, prev]) => [p.id, REFRESHER, ONBOARDING, cycle, due, prev, NOW]).sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    );
    // Time-ordered ids: asg_, 10 characters of time, 6 of the statement, 16 of the row — all of them
    // characters of randomId()'s alphabet; the batch's are issued in one millisecond's prefix.
    for (const r of renewals) expect(r.id).toMatch(/^asg_[a-z2-7]{16}[a-fw-z2-7]{16}$/);
    expect(new Set(renewals.map((r) => r.id.slice(0, 20))).size).toBe(1);

    const title = catalog.courses.get(REFRESHER)!.meta.title;
    for (const r of renewals) {
      const who = people.find((p) => p.id === r.user_id)!;
      const mails = await db.selectFrom("notifications").selectAll().where("assignment_id", "=", r.id).execute();
      const words = assignedMail({ personName: who.name, courseTitle: title, courseUrl: `${ORIGIN}/courses/${REFRESHER}`, reason: "annual", dueAt: r.due_at });
      expect(mails.map((m) => [m.kind, m.event_key, m.to_email, m.why, m.subject, m.body, m.status, m.next_attempt_at])).toEqual([
        ["assigned", `assigned:${r.id}`, who.email, "Assigned (annual)", words.subject, words.body, "pending", NOW],
      ]);
    }

    const marks = await db.selectFrom("assignments").select(["user_id", "renewal_issued_at"]).where("course_id", "=", ONBOARDING).orderBy("user_id").execute();
    const marked = new Set([soon.id, inWindow.id, later.id, renewedAlready.id]);
    expect(marks).toEqual(marks.map((m) => ({ user_id: m.user_id, renewal_issued_at: marked.has(m.user_id) ? NOW : null })));
    expect(await db.selectFrom("assignments").select("id").where("user_id", "=", renewedAlready.id).where("course_id", "=", REFRESHER).execute()).toEqual([{ id: "asg_by_hr" }]);

    const entries = await db.selectFrom("audit_log").select("data_json").where("action", "=", "scheduler.assignments_issued").execute();
    const data = entries.map((e) => JSON.parse(e.data_json) as { reason: string; count: number; assignments: string[]; rowsSha256: string });
    const byId = [...renewals].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(data.filter((d) => d.reason === "annual")).toEqual([
      { reason: "annual", count: 3, assignments: byId.map((r) => r.id), rowsSha256: recordHash({ rows: byId.map((r) => [r.id, r.user_id, r.cycle, r.due_at]) }) },
    ]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
    const { assignments: twice, eventKeys } = await duplicates(db);
    expect([twice, eventKeys]).toEqual([[], []]);

    const again = await run(db, "2027-12-01T09:05:00.000Z");
    expect(again.issued.annual).toBe(0);
    expect((await db.selectFrom("assignments").select("id").where("reason", "=", "annual").execute()).length).toBe(3);
  });

  test("in batches of a few rows: every due cycle once, each batch's rows told apart by their prefix", async () => {
    const db = dbOf();
    await addPeople(db, 11, { at: "2026-01-01T09:00:00.000Z", startDate: "2026-01-01", hr: 0, prefix: "b" });
    const people = await db.selectFrom("users").select("id").where("email", "like", "b%").execute();
    for (const p of people) await completed(db, p.id, "2028-02-10T09:00:00.000Z", { id: `asg_b_${p.id}` });
    const renewWith = catalog.courses.get(REFRESHER)!;
    const batch = { courseId: ONBOARDING, renewWith, cutoff: "2028-03-01T00:00:00.000Z", limit: 4 };
    const sizes: number[] = [];
    for (;;) {
      const { prefix, issued } = await auditedTransaction(db, (trx) => issueDueRenewals(trx, batch, new Date("2028-01-15T09:00:00.000Z")));
      if (issued === 0) break;
      sizes.push(issued);
      const rows = await db.selectFrom("assignments").select("id").where("id", ">=", prefix).where("id", "<", `${prefix}~`).execute();
      expect(rows.length).toBe(issued);
    }
    expect(sizes).toEqual([4, 4, 3]);
    const issued = await db.selectFrom("assignments").select(["user_id"]).where("cycle", "=", "renewal-2028-02-10").execute();
    expect(issued.map((r) => r.user_id).sort()).toEqual(people.map((p) => p.id).sort());
    expect(await duplicates(db).then((d) => d.assignments)).toEqual([]);
  });
});
