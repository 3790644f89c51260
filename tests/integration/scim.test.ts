// SCIM 2.0 provisioning through the real app on SQLite: HR makes a token (shown once, stored
// hashed, audited), Okta's and Entra's request sequences keep the people list in step through the
// people module, every malformed, unknown, oversized or unauthorised request is a SCIM error that
// changes nothing, and a revoked token stops working at once.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createSession } from "../../app/auth/session.server";
import { makePerson } from "../../app/demo/factories.server";
import { verifyAuditChain } from "../../app/audit/audit.server";
import { makeWorld, type World } from "../support/world";
import { startTestServer, type TestServer } from "../support/server";
import { CORE, ENTERPRISE, entraSequence, oktaSequence, refusals, scimClient, snapshot } from "../support/scim";

let w: World;
let server: TestServer;
let hr: string;
let token: string;

beforeAll(async () => {
  w = await makeWorld();
  server = await startTestServer(w);
  hr = await server.login("hr@test.example");
});
afterAll(async () => {
  await server?.close();
  await w?.close();
});

const text = async (res: Response) => (await res.text()).replaceAll("<!-- -->", "");

test("HR creates a token that is shown once and stored only as its SHA-256; nobody else reaches the page", async () => {
  const created = await server.post("/hr/scim", { intent: "create", name: "Okta" }, hr);
  expect(created.status).toBe(200);
  const html = await text(created);
  token = /data-testid="new-token">(scim_[a-z2-7]+)</.exec(html)![1];
  expect(html).toContain("shown this once");
  const again = await text(await server.get("/hr/scim", hr));
  expect(again).toContain("Okta");
  expect(again).not.toContain(token);
  const stored = await w.db.selectFrom("scim_tokens").selectAll().executeTakeFirstOrThrow();
  expect(JSON.stringify(stored)).not.toContain(token.slice(5));
  expect(stored.token_sha256).toMatch(/^[0-9a-f]{64}$/);
  const audit = await w.db.selectFrom("audit_log").select(["action", "actor_id", "data_json"]).where("action", "=", "scim.token_created").execute();
  expect(audit).toEqual([{ action: "scim.token_created", actor_id: w.hr.id, data_json: JSON.stringify({ name: "Okta" }) }]);

  const blank = await server.post("/hr/scim", { intent: "create", name: "  " }, hr);
  expect(blank.status).toBe(400);
  const alice = await server.login("alice@test.example");
  expect((await server.get("/hr/scim", alice)).status).toBe(404);
  const before = await snapshot(w.db);
  expect((await server.post("/hr/scim", { intent: "create", name: "Mine" }, alice)).status).toBe(404);
  expect((await server.post("/hr/scim", { intent: "revoke", token: stored.id }, alice)).status).toBe(404);
  expect(await snapshot(w.db)).toBe(before);
  expect(await w.db.selectFrom("scim_tokens").select(["revoked_at"]).execute()).toEqual([{ revoked_at: null }]);
});

test("discovery: ServiceProviderConfig, ResourceTypes and Schemas describe Users with the enterprise extension", async () => {
  const scim = scimClient(server.url, token);
  const spc = await scim.call("GET", "/ServiceProviderConfig");
  expect(spc.status).toBe(200);
  expect(spc.json).toMatchObject({ patch: { supported: true }, bulk: { supported: false }, filter: { supported: true, maxResults: 200 }, authenticationSchemes: [{ type: "oauthbearertoken" }] });
  const types = await scim.call("GET", "/ResourceTypes");
  expect(types.json.Resources).toEqual([expect.objectContaining({ id: "User", endpoint: "/Users", schema: CORE, schemaExtensions: [{ schema: ENTERPRISE, required: false }] })]);
  expect((await scim.call("GET", "/ResourceTypes/User")).json.id).toBe("User");
  const schemas = await scim.call("GET", "/Schemas");
  expect(schemas.json.Resources.map((s: { id: string }) => s.id)).toEqual([CORE, ENTERPRISE]);
  const enterprise = await scim.call("GET", `/Schemas/${ENTERPRISE}`);
  expect(enterprise.json.attributes.map((a: { name: string }) => a.name)).toEqual(["employeeNumber", "department", "manager"]);
  expect((await scim.call("GET", "/Groups")).status).toBe(404);
});

test("Okta's sequence: find by userName, create, read, replace, deactivate (sessions end) and reactivate", async () => {
  const scim = scimClient(server.url, token);
  await oktaSequence(w.db, scim, async (userId) => {
    await createSession(w.db, { userId, ip: null, userAgent: null }, w.clock);
  });
  expect(await verifyAuditChain(w.db)).toMatchObject({ ok: true });
});

test("Entra's sequence: enterprise attributes and manager, capitalised ops, path-less values, string booleans, DELETE deactivates", async () => {
  const scim = scimClient(server.url, token);
  const id = await entraSequence(w.db, scim, w.manager.id);
  // Deactivated, not deleted: the row and its history are kept.
  expect(await w.db.selectFrom("users").select(["status", "email"]).where("id", "=", id).executeTakeFirstOrThrow()).toEqual({ status: "inactive", email: "test_user_ab6490ee@example.com" });
});

test("paging: startIndex and count page the list oldest first, with the total", async () => {
  const scim = scimClient(server.url, token);
  const all = await scim.call("GET", "/Users?count=200");
  const total = all.json.totalResults;
  expect(total).toBe(all.json.Resources.length);
  const page = await scim.call("GET", "/Users?startIndex=2&count=2");
  expect(page.json).toMatchObject({ totalResults: total, startIndex: 2, itemsPerPage: 2 });
  expect(page.json.Resources.map((r: { id: string }) => r.id)).toEqual(all.json.Resources.slice(1, 3).map((r: { id: string }) => r.id));
  expect((await scim.call("GET", "/Users?count=0")).json).toMatchObject({ totalResults: total, Resources: [] });
  expect((await scim.call("GET", "/Users?startIndex=abc")).status).toBe(400);
});

test("malformed JSON, unknown schemas, a 5 MB body, bad values, wrong and revoked tokens: each a SCIM error, nothing changed", async () => {
  const scim = scimClient(server.url, token);
  const person = await makePerson(w.db, { email: "pat@test.example", name: "Pat Park", startDate: "2027-01-01" }, w.clock);
  const second = await server.post("/hr/scim", { intent: "create", name: "Entra" }, hr);
  const revoked = /data-testid="new-token">(scim_[a-z2-7]+)</.exec(await text(second))![1];
  const row = await w.db.selectFrom("scim_tokens").select("id").where("name", "=", "Entra").executeTakeFirstOrThrow();
  expect((await scimClient(server.url, revoked).call("GET", "/Users?count=1")).status).toBe(200);
  const revoke = await server.post("/hr/scim", { intent: "revoke", token: row.id }, hr);
  expect(revoke.status).toBe(302);
  expect(await w.db.selectFrom("audit_log").select("actor_id").where("action", "=", "scim.token_revoked").execute()).toEqual([{ actor_id: w.hr.id }]);
  await refusals(w.db, scim, { person: person.id, manager: w.manager.id, report: w.alice.id }, [revoked, `scim_${"a".repeat(52)}`, "not-a-token"], server.url);

  // A session cookie is no substitute for the token, even HR's.
  const withCookie = await fetch(`${server.url}/scim/v2/Users`, { headers: { Cookie: hr } });
  expect(withCookie.status).toBe(401);
  expect(withCookie.headers.get("www-authenticate")).toMatch(/^Bearer/);
});
