// HR chooses, when adding or importing people, whether each gets an invitation now, on their
// start date (sent by the scheduler's run that day), or not yet.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { readConfig, type AppConfig } from "../../app/config.server";
import { runOnce } from "../../app/scheduler/run.server";
import { makeWorld, SECRET, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { startSmtp, type TestSmtp } from "../support/smtp";

let w: World;
let server: TestServer;
let smtp: TestSmtp;
let hr: string;
let config: AppConfig;
let dataDir: string;
beforeEach(async () => {
  w = await makeWorld();
  server = await startTestServer(w);
  smtp = await startSmtp();
  hr = await server.login("hr@test.example");
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-invite-"));
  config = readConfig({ NODE_ENV: "test", APP_ORIGIN: server.url, SMTP_URL: smtp.url, APP_SECRET: SECRET, DATA_DIR: dataDir, LOG_LEVEL: "silent" });
});
afterEach(async () => {
  await server.close();
  await smtp.close();
  await w.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const person = (email: string, startDate: string, invite?: string) => ({
  email,
  name: email.split("@")[0].replace(".", " "),
  startDate,
  type: "employee",
  ...(invite ? { invite } : {}),
});

const invitesTo = () => smtp.received.filter((m) => /set-password\//.test(m.text)).map((m) => m.to[0]).sort();

test("adding a person: an invitation now, on the start date, or not yet", async () => {
  expect((await server.post("/hr/people/new", person("now.person@test.example", "2027-02-15", "now"), hr)).status).toBe(302);
  expect((await server.post("/hr/people/new", person("later.person@test.example", "2027-03-15", "start_date"), hr)).status).toBe(302);
  expect((await server.post("/hr/people/new", person("past.start@test.example", "2027-02-01", "start_date"), hr)).status).toBe(302);
  expect((await server.post("/hr/people/new", person("not.yet@test.example", "2027-03-15", "not_yet"), hr)).status).toBe(302);
  // An unknown choice is a 400 and adds nobody.
  const bad = await server.post("/hr/people/new", person("bad.choice@test.example", "2027-03-15", "tomorrow"), hr);
  expect(bad.status).toBe(400);
  expect(await w.db.selectFrom("users").select("id").where("email", "=", "bad.choice@test.example").executeTakeFirst()).toBeUndefined();

  // Today's run mails the two that are due now; the start-date one waits.
  await runOnce(w.db, { catalog: w.catalog, config, now: new Date("2027-03-01T09:05:00.000Z") });
  expect(invitesTo()).toEqual(["now.person@test.example", "past.start@test.example"]);

  // Travel to the day before the start date: still nothing; on the day: the invitation goes.
  await runOnce(w.db, { catalog: w.catalog, config, now: new Date("2027-03-14T09:00:00.000Z") });
  expect(invitesTo()).toHaveLength(2);
  const onTheDay = await runOnce(w.db, { catalog: w.catalog, config, now: new Date("2027-03-15T06:00:00.000Z") });
  expect(onTheDay).toMatchObject({ ran: true, invitations: 1 });
  expect(invitesTo()).toEqual(["later.person@test.example", "now.person@test.example", "past.start@test.example"]);
  // Once: a later run sends it again to nobody.
  await runOnce(w.db, { catalog: w.catalog, config, now: new Date("2027-03-16T06:00:00.000Z") });
  expect(invitesTo()).toHaveLength(3);

  // The link in the start-date mail works from that day, for 72 hours.
  const mail = smtp.received.find((m) => m.to[0] === "later.person@test.example" && m.text.includes("/set-password/"))!;
  const token = /\/set-password\/([a-z2-7]+)/.exec(mail.text)![1];
  const row = await w.db.selectFrom("account_links as l").innerJoin("users as u", "u.id", "l.user_id").select(["l.sent_at", "l.expires_at", "l.started_by"]).where("u.email", "=", "later.person@test.example").executeTakeFirstOrThrow();
  expect(row).toEqual({ sent_at: "2027-03-15T06:00:00.000Z", expires_at: "2027-03-18T06:00:00.000Z", started_by: w.hr.id });
  expect(token.length).toBeGreaterThanOrEqual(32);
});

test("confirming an import can send every person it added an invitation", async () => {
  const csv = "email,name,start_date\nnew.one@test.example,New One,2027-03-01\nnew.two@test.example,New Two,2027-04-01\nalice@test.example,Alice Archer,2027-02-20\n";
  const form = new FormData();
  form.append("roster", new Blob([csv], { type: "text/csv" }), "people.csv");
  const up = await fetch(`${server.url}/hr/import`, { method: "POST", body: form, redirect: "manual", headers: { Origin: server.url, Cookie: hr } });
  const location = up.headers.get("location")!;
  const preview = await (await server.get(location, hr)).text();
  expect(preview).toContain('name="invite"');
  const digest = /name="digest" value="([0-9a-f]{64})"/.exec(preview)![1];
  const bad = await server.post(location, { intent: "confirm", digest, invite: "yesterday" }, hr);
  expect(bad.status).toBe(400);
  expect(await w.db.selectFrom("users").select("id").where("email", "=", "new.one@test.example").executeTakeFirst()).toBeUndefined();

  const ok = await server.post(location, { intent: "confirm", digest, invite: "now" }, hr);
  expect(ok.status).toBe(302);
  await runOnce(w.db, { catalog: w.catalog, config, now: new Date("2027-03-01T09:05:00.000Z") });
  // The two new people; Alice, who was already there with a password, gets nothing.
  expect(invitesTo()).toEqual(["new.one@test.example", "new.two@test.example"]);
});
