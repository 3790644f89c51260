// HR sends a failed message again from the outbox page: the row goes back to waiting with its
// attempts reset, the next delivery sends it once, the audit log says who asked; only HR can,
// and only for a message that failed. Through the real app (SQLite, or PostgreSQL with
// CONFIDANT_TEST_DB=postgres), and the domain function again on a real PostgreSQL.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Clock } from "../../app/clock";
import { fixedClock } from "../../app/clock";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { enqueueNotification, resendFailed } from "../../app/notifications/outbox.server";
import { deliverDue, MAX_ATTEMPTS, RETRY_DELAYS_MINUTES, smtpTransport, type MailTransport } from "../../app/notifications/delivery.server";
import { createDb, type Db } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";
import type { User } from "../../db/schema";
import { hire } from "../support/org";
import { startPostgres } from "../support/postgres";
import { startTestServer, type TestServer } from "../support/server";
import { startSmtp, type TestSmtp } from "../support/smtp";
import { makeWorld, type World } from "../support/world";

const down: MailTransport = {
  name: "down",
  send: async () => {
    throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:2525"), { code: "ECONNECTION" });
  },
};

/** Queues one mail to `user` and lets every delivery attempt fail; returns the failed row's id. */
async function failedMail(db: Db, user: User, key: string, subject: string): Promise<string> {
  const start = "2027-03-01T06:00:00.000Z";
  await db.transaction().execute((trx) =>
    enqueueNotification(trx, { eventKey: key, kind: "overdue", userId: user.id, toEmail: user.email, why: "Test rule", subject, body: `Hello ${user.name}.` }, new Date(start)),
  );
  let t = Date.parse(start);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    await deliverDue(db, down, { clock: () => new Date(t) });
    t += (RETRY_DELAYS_MINUTES[attempt] ?? 0) * 60_000;
  }
  const row = await db.selectFrom("notifications").select(["id", "status"]).where("event_key", "=", key).executeTakeFirstOrThrow();
  expect(row.status).toBe("failed");
  return row.id;
}

const row = (db: Db, id: string) => db.selectFrom("notifications").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const resends = (db: Db) => db.selectFrom("audit_log").selectAll().where("action", "=", "notification.resent").execute();

let w: World;
let smtp: TestSmtp;
let server: TestServer;
let hr: string;
let failedId: string;

beforeAll(async () => {
  w = await makeWorld();
  smtp = await startSmtp();
  failedId = await failedMail(w.db, w.bob, "overdue:bob", "Bob is overdue");
  server = await startTestServer(w);
  hr = await server.login("hr@test.example");
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
  await w?.close();
});

test("a failed message has a Send again button; pressing it queues the message afresh and it is sent once", async () => {
  const list = (await (await server.get("/hr/outbox?status=failed", hr)).text()).replaceAll("<!-- -->", "");
  expect(list).toContain(`name="resend" value="${failedId}"`);
  expect(list).toContain("Send again");

  const res = await server.post("/hr/outbox?status=failed", { resend: failedId }, hr);
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe("/hr/outbox?status=failed");
  const cookie = [hr, (res.headers.get("set-cookie") ?? "").split(";")[0]].join("; ");
  const after = (await (await server.get("/hr/outbox", cookie)).text()).replaceAll("<!-- -->", "");
  expect(after).toContain("The message “Bob is overdue” to bob@test.example will be sent again within a few minutes.");
  expect(after).not.toContain(`name="resend" value="${failedId}"`);

  expect(await row(w.db, failedId)).toMatchObject({ status: "pending", attempts: 0, last_error: null, next_attempt_at: w.clock().toISOString() });
  const audit = await resends(w.db);
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({ actor_id: w.hr.id, subject_type: "notification", subject_id: failedId });
  expect(JSON.parse(audit[0].data_json)).toEqual({ toEmail: "bob@test.example", failedAttempts: MAX_ATTEMPTS, lastError: "ECONNECTION: connect ECONNREFUSED 127.0.0.1:2525" });

  await deliverDue(w.db, smtpTransport(smtp.url, "Confidant <confidant@test.example>"), { clock: w.clock });
  await deliverDue(w.db, smtpTransport(smtp.url, "Confidant <confidant@test.example>"), { clock: w.clock });
  expect(smtp.received.filter((m) => m.subject === "Bob is overdue")).toHaveLength(1);
  expect((await row(w.db, failedId)).status).toBe("sent");
});

test("a message that has not failed is not sent again: 409 with a plain message, nothing changed", async () => {
  const before = await row(w.db, failedId);
  const res = await server.post("/hr/outbox", { resend: failedId }, hr);
  expect(res.status).toBe(409);
  expect((await res.text()).replaceAll("<!-- -->", "")).toContain("has not failed, so it was not sent again");
  expect(await row(w.db, failedId)).toEqual(before);
  expect(await resends(w.db)).toHaveLength(1);
});

test("a missing or malformed message id is a 400 or 404, and nothing changes", async () => {
  const other = await failedMail(w.db, w.alice, "overdue:alice", "Alice is overdue");
  for (const [form, status] of [[{}, 400], [{ resend: "nonsense" }, 400], [{ resend: "ntf_doesnotexist" }, 404]] as const) {
    const res = await server.post("/hr/outbox", form, hr);
    expect(res.status, JSON.stringify(form)).toBe(status);
  }
  expect((await row(w.db, other)).status).toBe("failed");
  expect(await resends(w.db)).toHaveLength(1);
});

test("employees and managers cannot resend: 404, the message stays failed and nothing is audited", async () => {
  const other = (await w.db.selectFrom("notifications").select("id").where("event_key", "=", "overdue:alice").executeTakeFirstOrThrow()).id;
  for (const email of ["alice@test.example", "manager@test.example"]) {
    const cookie = await server.login(email);
    const res = await server.post("/hr/outbox", { resend: other }, cookie);
    expect(res.status, email).toBe(404);
  }
  const signedOut = await server.post("/hr/outbox", { resend: other });
  expect(signedOut.status).toBe(302);
  expect(signedOut.headers.get("location")).toMatch(/^\/login/);
  expect((await row(w.db, other)).status).toBe("failed");
  expect(await resends(w.db)).toHaveLength(1);
  expect(await resendFailed(w.db, { viewer: w.alice, id: other }, w.clock)).toBeNull();
  expect((await verifyAuditChain(w.db)).ok).toBe(true);
});

test("on PostgreSQL too: HR's resend resets the row once, a second resend is refused, others get nothing", async () => {
  const pg = await startPostgres();
  const db = createDb(pg.url);
  try {
    await migrateToLatest(db);
    const clock: Clock = fixedClock("2027-03-02T09:00:00.000Z");
    const helen = await hire(db, { name: "Helen Harper", startDate: "2025-01-01", hr: true }, "2027-03-01T00:00:00.000Z");
    const bob = await hire(db, { name: "Bob Baker", startDate: "2025-01-01" }, "2027-03-01T00:00:00.000Z");
    const id = await failedMail(db, bob, "overdue:bob", "Bob is overdue");
    expect(await resendFailed(db, { viewer: bob, id }, clock)).toBeNull();
    const [first, second] = await Promise.all([resendFailed(db, { viewer: helen, id }, clock), resendFailed(db, { viewer: helen, id }, clock)]);
    expect([first?.ok, second?.ok].sort()).toEqual([false, true]);
    expect(await row(db, id)).toMatchObject({ status: "pending", attempts: 0, last_error: null, next_attempt_at: "2027-03-02T09:00:00.000Z" });
    expect(await resends(db)).toHaveLength(1);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  } finally {
    await db.destroy();
    pg.stop();
  }
}, 120_000);
