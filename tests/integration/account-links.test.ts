// New people get their first password, and anyone a new one, by a link mailed to them: HR
// starts it and sees that it was sent and when, never the link; the link works once, for 72
// hours, and is stored only as a hash.
import { afterEach, beforeEach, expect, test } from "vitest";
import { fixedClock } from "../../app/clock";
import { findAccountLink, sendAccountLinkByHr } from "../../app/auth/account-links.server";
import { recentCredentialChange } from "../../app/auth/credential-history.server";
import { deliverMail } from "../../app/scheduler/run.server";
import { makePerson } from "../../app/demo/factories.server";
import { makeWorld, PASSWORD, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { startSmtp, type TestSmtp } from "../support/smtp";

let w: World;
let server: TestServer;
let smtp: TestSmtp;
beforeEach(async () => {
  w = await makeWorld();
  server = await startTestServer(w);
  smtp = await startSmtp();
});
afterEach(async () => {
  await server.close();
  await smtp.close();
  await w.close();
});

const NEW_PASSWORD = "violet tractor summit pebble";

async function deliver(at = w.clock) {
  return deliverMail(w.db, { smtpUrl: smtp.url, mailFrom: "Confidant <confidant@test.example>", dataDir: "unused", origin: server.url }, at);
}

function linkIn(text: string): string {
  const m = /\/set-password\/([a-z2-7]{20,64})/.exec(text);
  expect(m, "the mail holds a set-password link").not.toBeNull();
  return `/set-password/${m![1]}`;
}

test("HR invites an imported person by email; only the person sees the link; HR is the actor of the change", async () => {
  const pat = await makePerson(w.db, { email: "pat@test.example", name: "Pat Imported", startDate: "2027-02-01" }, w.clock);
  const hr = await server.login("hr@test.example");
  const sent = await server.post(`/hr/people/${pat.id}/edit`, { intent: "send_invitation" }, hr);
  expect(sent.status).toBe(302);

  // Queued with a placeholder: the outbox (which HR reads) never holds a link.
  const queued = await w.db.selectFrom("notifications").selectAll().where("user_id", "=", pat.id).executeTakeFirstOrThrow();
  expect(queued.kind).toBe("invitation");
  expect(queued.body).not.toMatch(/set-password\//);
  expect(await deliver()).toMatchObject({ sent: 1 });
  expect(smtp.received).toHaveLength(1);
  const mail = smtp.received[0];
  expect(mail.to).toEqual(["pat@test.example"]);
  const link = linkIn(mail.text);
  const token = link.split("/").pop()!;

  // Not in the database in any form but its hash, and on no HR page.
  const everything = JSON.stringify([
    await w.db.selectFrom("account_links").selectAll().execute(),
    await w.db.selectFrom("notifications").selectAll().execute(),
    await w.db.selectFrom("audit_log").selectAll().execute(),
  ]);
  expect(everything).not.toContain(token);
  for (const page of [`/hr/people/${pat.id}/edit`, `/hr/people/${pat.id}`, "/hr/outbox", "/hr/outbox?kind=invitation"]) {
    const res = await server.get(page, hr);
    expect(res.status, page).toBe(200);
    const html = await res.text();
    expect(html, page).not.toContain(token);
    expect(html, page).not.toMatch(/set-password\/[a-z2-7]{20}/);
  }
  // HR sees that it was sent, and when.
  const edit = (await (await server.get(`/hr/people/${pat.id}/edit`, hr)).text()).replace(/<!-- -->/g, "");
  expect(edit).toMatch(/Invitation started .* by Helen Harper: mailed on/);

  const page = await server.get(link);
  expect(page.status).toBe(200);
  expect(page.headers.get("cache-control")).toBe("no-store");
  expect(page.headers.get("referrer-policy")?.split(",").pop()?.trim()).toBe("no-referrer");
  expect(await page.text()).toContain("pat@test.example");

  const mismatch = await server.post(link, { password: NEW_PASSWORD, confirm: "violet tractor summit pebbles" });
  expect(mismatch.status).toBe(400);
  expect(await mismatch.text()).toContain("The two passwords are not the same.");
  const short = await server.post(link, { password: "short", confirm: "short" });
  expect(short.status).toBe(400);
  expect(await short.text()).toContain("Use at least 15 characters");

  const done = await server.post(link, { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
  expect(done.status).toBe(302);
  expect(done.headers.get("location")).toBe("/login?email=pat%40test.example&passwordSet=1");
  expect((await server.post("/login", { email: "pat@test.example", password: NEW_PASSWORD })).status).toBe(302);

  // Used once: the link is gone.
  expect((await server.get(link)).status).toBe(404);
  expect((await server.post(link, { password: "another quite long phrase", confirm: "another quite long phrase" })).status).toBe(404);

  // The change is HR's doing on the record, with the person as the subject.
  const changed = await w.db.selectFrom("audit_log").selectAll().where("action", "=", "person.password_changed").where("subject_id", "=", pat.id).executeTakeFirstOrThrow();
  expect(changed.actor_id).toBe(w.hr.id);
  expect(JSON.parse(changed.data_json ?? "{}")).toMatchObject({ via: "invitation", startedBy: w.hr.id, completedBy: pat.id });
  const started = await w.db.selectFrom("audit_log").select(["actor_id"]).where("action", "=", "person.invitation_started").where("subject_id", "=", pat.id).executeTakeFirstOrThrow();
  expect(started.actor_id).toBe(w.hr.id);
  // …and signing soon after can say so.
  const change = await recentCredentialChange({ db: w.db, userId: pat.id, before: new Date("2027-03-01T20:00:00.000Z"), withinHours: 24 });
  expect(change).toMatchObject({ startedBy: w.hr.id, kind: "invitation", at: "2027-03-01T09:00:00.000Z" });
  expect(await recentCredentialChange({ db: w.db, userId: pat.id, before: new Date("2027-03-02T09:00:01.000Z"), withinHours: 24 })).toBeNull();
});

test("a link expires after 72 hours, and a newer link replaces an unused older one", async () => {
  await sendAccountLinkByHr(w.db, { userId: w.alice.id, actorId: w.hr.id, purpose: "reset" }, w.clock);
  await deliver();
  await sendAccountLinkByHr(w.db, { userId: w.alice.id, actorId: w.hr.id, purpose: "reset" }, w.clock);
  await deliver();
  expect(smtp.received).toHaveLength(2);
  const token = (i: number) => linkIn(smtp.received[i].text).split("/").pop()!;
  expect(await findAccountLink(w.db, token(0), w.clock)).toBeNull();
  expect(await findAccountLink(w.db, token(1), w.clock)).not.toBeNull();
  expect(await findAccountLink(w.db, token(1), fixedClock("2027-03-04T08:59:00.000Z"))).not.toBeNull();
  expect(await findAccountLink(w.db, token(1), fixedClock("2027-03-04T09:00:00.000Z"))).toBeNull();
  expect((await server.get("/set-password/notarealtokenatall")).status).toBe(404);
});

test("only HR can send a link; setting a password ends the person's other sessions", async () => {
  const alice = await server.login("alice@test.example");
  expect((await server.post(`/hr/people/${w.bob.id}/edit`, { intent: "send_reset" }, alice)).status).toBe(404);
  expect((await server.post(`/hr/people/${w.bob.id}/edit`, { intent: "send_invitation" }, alice)).status).toBe(404);
  expect(await w.db.selectFrom("account_links").select("id").execute()).toHaveLength(0);
  expect(await w.db.selectFrom("notifications").select("id").execute()).toHaveLength(0);

  const hr = await server.login("hr@test.example");
  expect((await server.post(`/hr/people/${w.alice.id}/edit`, { intent: "send_reset" }, hr)).status).toBe(302);
  await deliver();
  const link = linkIn(smtp.received[0].text);
  expect((await server.post(link, { password: NEW_PASSWORD, confirm: NEW_PASSWORD })).status).toBe(302);
  const after = await server.get("/", alice);
  expect(after.status).toBe(302);
  expect(after.headers.get("location")).toBe("/login");
});

test("weak passwords are refused with the reason, and nothing is set", async () => {
  await sendAccountLinkByHr(w.db, { userId: w.alice.id, actorId: w.hr.id, purpose: "reset" }, w.clock);
  await deliver();
  const link = linkIn(smtp.received[0].text);
  const cases: Array<[string, RegExp]> = [
    ["aaaaaaaaaaaaaaaa", /too easy to guess.*Repeated characters/],
    ["passwordpassword", /too easy to guess/],
    ["123456789012345678", /too easy to guess/],
    ["alice@test.example", /your own name or email/],
    ["AliceArcherArcher", /your own name or email/],
    ["password", /at least 15 characters/],
  ];
  for (const [password, why] of cases) {
    const res = await server.post(link, { password, confirm: password });
    expect(res.status, password).toBe(400);
    expect((await res.text()).replace(/&quot;/g, '"'), password).toMatch(why);
  }
  const alice = await w.db.selectFrom("users").select("password_changed_at").where("id", "=", w.alice.id).executeTakeFirstOrThrow();
  expect(alice.password_changed_at).toBe("2027-03-01T09:00:00.000Z"); // from the factory, unchanged
  // Any characters, up to 128: spaces, accents and emoji are fine.
  const long = "Ünïcödé façade 🍐 sailing past quiet harbours ".repeat(2).slice(0, 90);
  expect((await server.post(link, { password: long, confirm: long })).status).toBe(302);
  expect((await server.post("/login", { email: "alice@test.example", password: long })).status).toBe(302);
});

test("“Forgot your password?” answers the same, in about the same time, whether or not the address exists", async () => {
  const login = await (await server.get("/login")).text();
  expect(login).toContain('href="/forgot-password"');
  const ask = async (email: string) => {
    const t = performance.now();
    const res = await server.post("/forgot-password", { email });
    return { status: res.status, text: await res.text(), ms: performance.now() - t };
  };
  const known = await ask("alice@test.example");
  const unknown = await ask("nobody@test.example");
  expect(known.status).toBe(200);
  expect(unknown.status).toBe(200);
  const answer = (t: string) => /If that address has a Confidant account[^<]*/.exec(t)?.[0];
  expect(answer(known.text)).toBeTruthy();
  expect(answer(known.text)).toBe(answer(unknown.text));
  expect(Math.abs(known.ms - unknown.ms)).toBeLessThan(150);
  expect(known.ms).toBeGreaterThanOrEqual(400);
  expect(unknown.ms).toBeGreaterThanOrEqual(400);

  // Asking again within 15 minutes sends nothing more.
  await ask("alice@test.example");
  await deliver();
  expect(smtp.received.map((m) => m.to[0])).toEqual(["alice@test.example"]);
  const started = await w.db.selectFrom("audit_log").select(["actor_id", "data_json"]).where("action", "=", "person.password_reset_started").execute();
  expect(started).toHaveLength(1);
  expect(JSON.parse(started[0].data_json ?? "{}")).toMatchObject({ requestedBy: "self" });
  expect((await server.post("/forgot-password", { email: "not an address" })).status).toBe(400);

  // A reset the person asked for does not count as someone else's change.
  const link = linkIn(smtp.received[0].text);
  expect((await server.post(link, { password: NEW_PASSWORD, confirm: NEW_PASSWORD })).status).toBe(302);
  expect(await recentCredentialChange({ db: w.db, userId: w.alice.id, before: new Date("2027-03-01T10:00:00.000Z") })).toBeNull();
});

test("on /account a person changes their password with the current one; other sessions end, this one goes on", async () => {
  const other = await server.login("alice@test.example");
  const here = await server.login("alice@test.example");
  const wrong = await server.post("/account", { intent: "password", current: "not my password", password: NEW_PASSWORD, confirm: NEW_PASSWORD }, here);
  expect(wrong.status).toBe(400);
  expect(await wrong.text()).toContain("That is not your current password.");
  const weak = await server.post("/account", { intent: "password", current: PASSWORD, password: "alicealicealice1", confirm: "alicealicealice1" }, here);
  expect(weak.status).toBe(400);
  expect((await server.get("/", other)).status).toBe(200);

  const ok = await server.post("/account", { intent: "password", current: PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD }, here);
  expect(ok.status).toBe(302);
  expect(ok.headers.get("location")).toBe("/account?passwordChanged=1");
  const fresh = ok.headers.get("set-cookie")!.split(";")[0];
  expect((await server.get("/account", fresh)).status).toBe(200);
  expect((await server.get("/", other)).headers.get("location")).toBe("/login");
  expect((await server.get("/", here)).headers.get("location")).toBe("/login");
  expect((await server.post("/login", { email: "alice@test.example", password: NEW_PASSWORD })).status).toBe(302);
  const audit = await w.db.selectFrom("audit_log").select(["actor_id", "data_json"]).where("action", "=", "person.password_changed").executeTakeFirstOrThrow();
  expect(audit.actor_id).toBe(w.alice.id);
  expect(await recentCredentialChange({ db: w.db, userId: w.alice.id, before: new Date("2027-03-01T10:00:00.000Z") })).toBeNull();
});
