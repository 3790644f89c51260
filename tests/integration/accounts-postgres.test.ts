// Invitations, resets, password changes and the throttle on PostgreSQL: the same answers as on
// SQLite, and the throttle's check-and-count stays atomic with real concurrent connections.
import { expect, test } from "vitest";
import type { Db } from "../../db/connection";
import { fixedClock } from "../../app/clock";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { findAccountLink, invitePeople, latestAccountLink, mintAccountLinkMail, queueDueInvitations, requestPasswordReset, sendAccountLinkByHr } from "../../app/auth/account-links.server";
import { recentCredentialChange } from "../../app/auth/credential-history.server";
import { changeOwnPassword, setPasswordWithLink } from "../../app/auth/passwords.server";
import { checkPassword } from "../../app/auth/login.server";
import { RULES } from "../../app/auth/throttle.server";
import { makePerson } from "../../app/demo/factories.server";
import { passwordHash, PASSWORD } from "../support/world";
import { bothDatabases } from "../support/both-databases";

const clock = fixedClock("2027-03-01T09:00:00.000Z");
const both = bothDatabases();

const NEW = "violet tractor summit pebble";

/** The whole account journey on one database; returns what a person and HR would see. */
async function journey(db: Db) {
  const hash = await passwordHash();
  const hr = await makePerson(db, { email: "hr@pg.example", name: "Helen Harper", startDate: "2025-01-01", isHr: true, passwordHash: hash }, clock);
  const pat = await makePerson(db, { email: "pat@pg.example", name: "Pat New", startDate: "2027-03-10" }, clock);
  const kim = await makePerson(db, { email: "kim@pg.example", name: "Kim Old", startDate: "2025-01-01", passwordHash: hash }, clock);

  const invited = await invitePeople(db, { emails: ["pat@pg.example"], actorId: hr.id, when: "start_date" }, clock);
  const early = await queueDueInvitations(db, new Date("2027-03-09T09:00:00.000Z"));
  const onTheDay = await queueDueInvitations(db, new Date("2027-03-10T09:00:00.000Z"));
  const queued = await db.selectFrom("notifications").select(["event_key", "body"]).where("user_id", "=", pat.id).executeTakeFirstOrThrow();
  const sentAt = new Date("2027-03-10T09:01:00.000Z");
  const text = await mintAccountLinkMail(db, { eventKey: queued.event_key, body: queued.body }, "https://confidant.example", sentAt);
  const token = /\/set-password\/([a-z2-7]+)/.exec(text)![1];
  const at = fixedClock(sentAt.toISOString());
  const found = await findAccountLink(db, token, at);
  const weak = await setPasswordWithLink(db, { token, form: { password: "patpatpatpatpat", confirm: "patpatpatpatpat" } }, at);
  const set = await setPasswordWithLink(db, { token, form: { password: NEW, confirm: NEW } }, at);
  const again = await setPasswordWithLink(db, { token, form: { password: NEW, confirm: NEW } }, at);
  const change = await recentCredentialChange({ db, userId: pat.id, before: new Date("2027-03-11T08:00:00.000Z") });
  const status = await latestAccountLink(db, pat.id);

  await requestPasswordReset(db, { email: "kim@pg.example" }, clock);
  await requestPasswordReset(db, { email: "kim@pg.example" }, clock);
  await requestPasswordReset(db, { email: "nobody@pg.example" }, clock);
  const hrReset = await sendAccountLinkByHr(db, { userId: kim.id, actorId: hr.id, purpose: "reset" }, clock);
  const kimLinks = await db.selectFrom("account_links").select(["purpose", "started_by", "cancelled_at"]).where("user_id", "=", kim.id).execute();
  const changed = await changeOwnPassword(db, { userId: kim.id, form: { current: PASSWORD, password: NEW, confirm: NEW }, ip: null, userAgent: null }, clock);
  const signIn = await checkPassword(db, { form: { email: "kim@pg.example", password: NEW }, ip: "192.0.2.1", userAgent: null }, clock);
  const audit = await db.selectFrom("audit_log").select(["action", "actor_id", "subject_id"]).where("action", "=", "person.password_changed").orderBy("seq").execute();
  return {
    invited,
    early,
    onTheDay,
    placeholderOnly: !/set-password\//.test(queued.body),
    found: found?.email,
    weak: weak.ok,
    set,
    again,
    change: change && { ...change, startedBy: change.startedBy === hr.id },
    status: status && { purpose: status.purpose, sentAt: status.sentAt, usedAt: status.usedAt, by: status.startedByName },
    kimLinks: kimLinks.map((l) => ({ purpose: l.purpose, byHr: l.started_by === hr.id, cancelled: l.cancelled_at !== null })).sort((a, b) => Number(b.cancelled) - Number(a.cancelled)),
    hrReset,
    changed: changed.ok,
    signIn: signIn.ok,
    audit: audit.map((a) => ({ action: a.action, byHr: a.actor_id === hr.id, self: a.actor_id === a.subject_id })),
    chain: (await verifyAuditChain(db)).ok,
  };
}

test("invitation on the start date, link, password rules, reset, change: the same on PostgreSQL and SQLite", async () => {
  const onPg = await journey(both.db("PostgreSQL"));
  const onLite = await journey(both.db("SQLite"));
  expect(onPg).toEqual(onLite);
  expect(onPg).toMatchObject({
    invited: { now: 0, scheduled: 1 },
    early: 0,
    onTheDay: 1,
    placeholderOnly: true,
    found: "pat@pg.example",
    weak: false,
    set: { ok: true },
    again: { ok: false, gone: true },
    change: { kind: "invitation", startedBy: true, at: "2027-03-10T09:01:00.000Z" },
    status: { purpose: "invitation", usedAt: "2027-03-10T09:01:00.000Z", by: "Helen Harper" },
    kimLinks: [
      { purpose: "reset", byHr: false, cancelled: true },
      { purpose: "reset", byHr: true, cancelled: false },
    ],
    changed: true,
    signIn: true,
    audit: [
      { action: "person.password_changed", byHr: true, self: false },
      { action: "person.password_changed", byHr: false, self: true },
    ],
    chain: true,
  });
}, 120_000);

test("on PostgreSQL, 40 parallel wrong passwords from one address get at most the limit checked", async () => {
  const hash = await passwordHash();
  await makePerson(both.db("PostgreSQL"), { email: "target@pg.example", name: "Tara Target", startDate: "2025-01-01", passwordHash: hash }, clock);
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) => checkPassword(both.db("PostgreSQL"), { form: { email: "target@pg.example", password: `parallel ${i}` }, ip: "192.0.2.9", userAgent: null }, clock)),
  );
  const checked = results.filter((r) => !r.ok && r.status === 400).length;
  expect(checked).toBeLessThanOrEqual(RULES.accountAndIp.limit);
  expect(checked).toBeGreaterThan(0);
  expect(results.filter((r) => !r.ok && r.status === 429)).toHaveLength(40 - checked);
  const row = await both.db("PostgreSQL").selectFrom("auth_throttle").selectAll().where("key", "=", "acct-ip:target@pg.example|192.0.2.9").executeTakeFirstOrThrow();
  expect(row.failures).toBe(checked);
}, 120_000);
