// HR admins must have a second factor: without one, every HR page (each loader and action under
// /hr) sends them to add one and does nothing else. Everyone else may go without.
import fs from "node:fs";
import { afterEach, beforeEach, expect, test } from "vitest";
import { makePerson } from "../../app/demo/factories.server";
import { makeWorld, passwordHash, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { enrolSoftPasskey } from "../support/authenticator";

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

/** Every route file under /hr, as a URL (person and import ids filled in) and whether it has an action. */
function hrRoutes(personId: string) {
  return fs
    .readdirSync("app/routes")
    .filter((f) => f.startsWith("hr."))
    .map((file) => {
      const segments = file
        .replace(/\.tsx?$/, "")
        .replace(/\[\.\]/g, "\u0000")
        .split(".")
        .filter((s) => s !== "_index")
        .map((s) => (s === "$id" && file.startsWith("hr.import") ? "imp_nothere" : s === "$id" ? personId : s).replace(/\u0000/g, "."));
      return { file, url: `/${segments.join("/")}`, hasAction: /export (async )?function action/.test(fs.readFileSync(`app/routes/${file}`, "utf8")) };
    });
}

const ENROL = "/account/security?required=hr";

test("an HR admin without a second factor is sent to add one from every HR page and action, and nothing changes", async () => {
  const hana = await makePerson(w.db, { email: "hana@test.example", name: "Hana Hale", startDate: "2025-01-01", isHr: true, passwordHash: await passwordHash() }, w.clock);
  const cookie = await server.login(hana.email);
  const routes = hrRoutes(w.alice.id);
  expect(routes.length).toBeGreaterThanOrEqual(16);
  const before = {
    audit: (await w.db.selectFrom("audit_log").select("seq").execute()).length,
    users: await w.db.selectFrom("users").selectAll().orderBy("id").execute(),
    assignments: (await w.db.selectFrom("assignments").select("id").execute()).length,
  };
  for (const r of routes) {
    const get = await server.get(r.url, cookie);
    expect([r.file, get.status, get.headers.get("location")]).toEqual([r.file, 302, ENROL]);
    if (r.hasAction) {
      const post = await server.post(r.url, { intent: "assign", reason: "test", name: "X", email: "x@test.example", course: w.course.id, scope: "everyone" }, cookie);
      expect([r.file, post.status, post.headers.get("location")]).toEqual([r.file, 302, ENROL]);
    }
  }
  // The single-fetch data requests too.
  const data = await server.get("/hr.data", cookie);
  expect(await data.text()).toContain(ENROL);
  expect({
    audit: (await w.db.selectFrom("audit_log").select("seq").execute()).length,
    users: await w.db.selectFrom("users").selectAll().orderBy("id").execute(),
    assignments: (await w.db.selectFrom("assignments").select("id").execute()).length,
  }).toEqual(before);

  const page = await (await server.get(ENROL, cookie)).text();
  expect(page).toContain("HR admins must have a second factor.");

  // With a passkey, the same session opens HR pages.
  await enrolSoftPasskey(w.db, hana, w.clock);
  expect((await server.get("/hr", cookie)).status).toBe(200);
  expect((await server.get(`/hr/people/${w.alice.id}`, cookie)).status).toBe(200);
});

test("a second factor is optional for everyone else, and HR pages stay a 404 for them", async () => {
  const alice = await server.login("alice@test.example");
  expect((await server.get("/", alice)).status).toBe(200);
  expect((await server.get("/account", alice)).status).toBe(200);
  expect((await server.get("/hr", alice)).status).toBe(404);
  expect(await (await server.get("/account/security", alice)).text()).toContain("It is optional, and recommended.");
});
