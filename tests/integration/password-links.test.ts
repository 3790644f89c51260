// Imported people have no password: HR creates a single-use, expiring link that lets them set one.
import { afterEach, beforeEach, expect, test } from "vitest";
import { fixedClock } from "../../app/clock";
import { createPasswordLink, findPasswordLink } from "../../app/auth/password-links.server";
import { makePerson } from "../../app/demo/factories.server";
import { makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";

let w: World;
let server: TestServer;
beforeEach(async () => {
  w = await makeWorld();
  server = await startTestServer(w);
});
afterEach(async () => {
  await server.close();
  await w.close();
});

async function linkFromEditPage(personId: string, hr: string): Promise<string> {
  const res = await server.post(`/hr/people/${personId}/edit`, { intent: "password_link" }, hr);
  expect(res.status).toBe(200);
  const html = await res.text();
  const m = /(\/set-password\/[a-z2-7]+)/.exec(html);
  expect(m, "the link is shown to HR").not.toBeNull();
  return m![1];
}

test("a person without a password sets one through HR's link, once, and can then sign in", async () => {
  const pat = await makePerson(w.db, { email: "pat@test.example", name: "Pat Imported", startDate: "2027-02-01" }, w.clock);
  const hr = await server.login("hr@test.example");
  const link = await linkFromEditPage(pat.id, hr);
  // Only a hash of the token is stored.
  const token = link.split("/").pop()!;
  const rows = await w.db.selectFrom("password_links").selectAll().execute();
  expect(JSON.stringify(rows)).not.toContain(token);

  const page = await server.get(link);
  expect(page.status).toBe(200);
  expect(page.headers.get("cache-control")).toBe("no-store");
  // The app-wide header comes first; browsers apply the last policy listed.
  expect(page.headers.get("referrer-policy")?.split(",").pop()?.trim()).toBe("no-referrer");
  expect(await page.text()).toContain("pat@test.example");

  const mismatch = await server.post(link, { password: "a good long password", confirm: "a different one" });
  expect(mismatch.status).toBe(400);
  expect(await mismatch.text()).toContain("The two passwords are not the same.");
  const short = await server.post(link, { password: "short", confirm: "short" });
  expect(short.status).toBe(400);

  const done = await server.post(link, { password: "a good long password", confirm: "a good long password" });
  expect(done.status).toBe(302);
  expect(done.headers.get("location")).toBe("/login?email=pat%40test.example&passwordSet=1");
  expect((await server.post("/login", { email: "pat@test.example", password: "a good long password" })).status).toBe(302);

  // Used once: the link is gone.
  expect((await server.get(link)).status).toBe(404);
  expect((await server.post(link, { password: "another long password", confirm: "another long password" })).status).toBe(404);
  const audit = await w.db.selectFrom("audit_log").select("action").where("subject_id", "=", pat.id).execute();
  expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["person.password_link_created", "person.password_changed"]));
});

test("a link expires after 72 hours, and a newer link replaces an unused older one", async () => {
  const first = await createPasswordLink(w.db, { userId: w.alice.id, actorId: w.hr.id }, w.clock);
  const second = await createPasswordLink(w.db, { userId: w.alice.id, actorId: w.hr.id }, w.clock);
  const token = (p: string) => p.split("/").pop()!;
  expect(await findPasswordLink(w.db, token(first.path), w.clock)).toBeNull();
  expect(await findPasswordLink(w.db, token(second.path), w.clock)).not.toBeNull();
  expect(await findPasswordLink(w.db, token(second.path), fixedClock("2027-03-04T08:59:00.000Z"))).not.toBeNull();
  expect(await findPasswordLink(w.db, token(second.path), fixedClock("2027-03-04T09:00:00.000Z"))).toBeNull();
  expect((await server.get("/set-password/notarealtokenatall")).status).toBe(404);
});

test("only HR can create a link; setting a password ends the person's other sessions", async () => {
  const alice = await server.login("alice@test.example");
  expect((await server.post(`/hr/people/${w.bob.id}/edit`, { intent: "password_link" }, alice)).status).toBe(404);
  expect(await w.db.selectFrom("password_links").select("id").execute()).toHaveLength(0);

  const link = await linkFromEditPage(w.alice.id, await server.login("hr@test.example"));
  await server.post(link, { password: "my brand new password", confirm: "my brand new password" });
  const after = await server.get("/", alice);
  expect(after.status).toBe(302);
  expect(after.headers.get("location")).toBe("/login");
});
