// A signature made within 24 hours after the password was set through a link HR started says
// so on its receipt; one made with a password the person chose themselves does not.
import { afterEach, beforeEach, expect, test } from "vitest";
import { fixedClock } from "../../app/clock";
import { mintAccountLinkMail, sendAccountLinkByHr } from "../../app/auth/account-links.server";
import { setPasswordWithLink } from "../../app/auth/passwords.server";
import { workThroughCourse } from "../../app/demo/factories.server";
import { assignCourse, makeWorld, PASSWORD, SECRET, type World } from "../support/world";
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

const CHOSEN = "violet tractor summit pebble";

async function signAt(user: typeof w.alice, password: string, at: string) {
  const assignment = await assignCourse(w, user);
  await workThroughCourse(w.db, { user, assignment, course: w.course, catalog: w.catalog, upTo: "attested", password, secret: SECRET, at }, w.clock);
  const row = await w.db.selectFrom("attestations").select("verification_code").where("user_id", "=", user.id).executeTakeFirstOrThrow();
  return row.verification_code;
}

test("the receipt marks a signature made soon after an HR-started password change, and only then", async () => {
  await sendAccountLinkByHr(w.db, { userId: w.bob.id, actorId: w.hr.id, purpose: "reset" }, w.clock);
  const mail = await w.db.selectFrom("notifications").select(["event_key", "body"]).where("user_id", "=", w.bob.id).executeTakeFirstOrThrow();
  const text = await mintAccountLinkMail(w.db, { eventKey: mail.event_key, body: mail.body }, server.url, new Date("2027-03-01T09:00:00.000Z"));
  const token = /\/set-password\/([a-z2-7]+)/.exec(text)![1];
  expect(await setPasswordWithLink(w.db, { token, form: { password: CHOSEN, confirm: CHOSEN } }, fixedClock("2027-03-01T10:00:00.000Z"))).toMatchObject({ ok: true });

  const bobCode = await signAt(w.bob, CHOSEN, "2027-03-01T15:00:00.000Z");
  const aliceCode = await signAt(w.alice, PASSWORD, "2027-03-01T15:00:00.000Z");

  const bobPage = (await (await server.get(`/receipts/${bobCode}`, await server.login("bob@test.example", CHOSEN))).text()).replaceAll("<!-- -->", "");
  expect(bobPage).toContain("Signed within 24 hours after the password was set through a reset link that Helen Harper started");
  const hrPage = (await (await server.get(`/receipts/${bobCode}`, await server.login("hr@test.example"))).text()).replaceAll("<!-- -->", "");
  expect(hrPage).toContain("Signed within 24 hours after the password was set");
  const alicePage = await (await server.get(`/receipts/${aliceCode}`, await server.login("alice@test.example"))).text();
  expect(alicePage).toContain(aliceCode);
  expect(alicePage).not.toContain("Password history");
  // Another person's receipt stays a 404, marking or not.
  expect((await server.get(`/receipts/${bobCode}`, await server.login("alice@test.example"))).status).toBe(404);
});
