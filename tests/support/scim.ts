// SCIM requests as Okta and Microsoft Entra ID send them, and the checks both databases must pass.
// The request bodies follow the providers' provisioning documentation: Okta's "SCIM 2.0
// reference" request sequence and Entra's "Develop a SCIM endpoint" request/response examples.
import { expect } from "vitest";
import type { Db } from "../../db/connection";

export const CORE = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

export interface Scim {
  call: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; json: any; headers: Headers }>;
}

export function scimClient(baseUrl: string, token: string): Scim {
  return {
    async call(method, path, body, headers = {}) {
      const res = await fetch(`${baseUrl}/scim/v2${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: "application/scim+json",
          ...(body !== undefined ? { "Content-Type": "application/scim+json" } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
    },
  };
}

const filterBy = (userName: string) => `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`;

/** Everything a refusal must leave alone: the people, the audit log, the sessions. */
export async function snapshot(db: Db) {
  const users = await db.selectFrom("users").selectAll().orderBy("id").execute();
  const audit = await db.selectFrom("audit_log").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  const sessions = await db.selectFrom("sessions").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return JSON.stringify({ users, audit: Number(audit.n), sessions: Number(sessions.n) });
}

async function auditActions(db: Db, subjectId: string) {
  const rows = await db.selectFrom("audit_log").select(["action", "actor_id", "data_json"]).where("subject_id", "=", subjectId).orderBy("seq").execute();
  return rows.map((r) => ({ action: r.action, actorId: r.actor_id, data: JSON.parse(r.data_json) }));
}

/** Okta: look the person up by userName, create them, read them, update a profile (PUT), and
 * deactivate and reactivate with path-less `replace` operations. `signIn` gives the new person a
 * session so deactivation can be seen to end it. */
export async function oktaSequence(db: Db, scim: Scim, signIn: (userId: string) => Promise<void>) {
  const userName = "dana.okta@example.com";
  const none = await scim.call("GET", filterBy(userName));
  expect(none.status).toBe(200);
  expect(none.json).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 0, Resources: [] });

  const created = await scim.call("POST", "/Users", {
    schemas: [CORE],
    userName,
    name: { givenName: "Dana", familyName: "Okafor" },
    emails: [{ primary: true, value: userName, type: "work" }],
    displayName: "Dana Okafor",
    locale: "en-US",
    externalId: "00ujl29u0le5T6Aj10h7",
    groups: [],
    password: "1mz050nq",
    active: true,
  });
  expect(created.status).toBe(201);
  expect(created.headers.get("content-type")).toMatch(/^application\/scim\+json/);
  expect(created.json).toMatchObject({ userName, displayName: "Dana Okafor", active: true, name: { formatted: "Dana Okafor" } });
  const id: string = created.json.id;
  const person = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  expect(person).toMatchObject({ email: userName, name: "Dana Okafor", status: "active", type: "employee", password_hash: null, is_hr: 0 });

  expect((await scim.call("GET", `/Users/${id}`)).json).toMatchObject({ id, userName });
  const found = await scim.call("GET", filterBy(userName.toUpperCase()));
  expect(found.json.totalResults).toBe(1);
  expect(found.json.Resources[0].id).toBe(id);

  const put = await scim.call("PUT", `/Users/${id}`, {
    schemas: [CORE],
    id,
    userName,
    name: { givenName: "Dana", familyName: "Okafor-Reyes" },
    emails: [{ primary: true, value: userName, type: "work" }],
    displayName: "Dana Okafor-Reyes",
    title: "Account Executive",
    active: true,
  });
  expect(put.status).toBe(200);
  expect(put.json).toMatchObject({ title: "Account Executive", name: { formatted: "Dana Okafor-Reyes" } });

  await signIn(id);
  const sessionsBefore = await db.selectFrom("sessions").select("id").where("user_id", "=", id).execute();
  expect(sessionsBefore).toHaveLength(1);
  const off = await scim.call("PATCH", `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { active: false } }] });
  expect(off.status).toBe(200);
  expect(off.json.active).toBe(false);
  expect(await db.selectFrom("users").select("status").where("id", "=", id).executeTakeFirstOrThrow()).toEqual({ status: "inactive" });
  expect(await db.selectFrom("sessions").select("id").where("user_id", "=", id).execute()).toEqual([]);

  const on = await scim.call("PATCH", `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { active: true } }] });
  expect(on.json.active).toBe(true);
  expect(await db.selectFrom("users").select("status").where("id", "=", id).executeTakeFirstOrThrow()).toEqual({ status: "active" });

  const audit = await auditActions(db, id);
  expect(audit.map((a) => a.action)).toEqual(["person.created", "person.updated", "person.deactivated", "person.updated"]);
  for (const entry of audit) expect(entry).toMatchObject({ actorId: null, data: { source: "scim" } });
  expect(audit[1].data.changes).toEqual([
    { field: "name", from: "Dana Okafor", to: "Dana Okafor-Reyes" },
    { field: "title", from: null, to: "Account Executive" },
  ]);
  expect(audit[3].data).toMatchObject({ reactivated: true });
  return id;
}

/** Entra: create with the enterprise extension and a manager, then the PATCH shapes Entra sends:
 * capitalised ops with URN paths, a manager as a bare id, a path-less value object with dotted
 * keys, "False" as a string to disable, and `Remove` of the manager. */
export async function entraSequence(db: Db, scim: Scim, managerId: string) {
  const userName = "Test_User_ab6490ee@example.com";
  expect((await scim.call("GET", filterBy(userName))).json.totalResults).toBe(0);
  const created = await scim.call("POST", "/Users", {
    schemas: [CORE, ENTERPRISE],
    externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    userName,
    active: true,
    emails: [{ primary: true, type: "work", value: "Test_User_11bb11bb@example.com" }],
    meta: { resourceType: "User" },
    name: { formatted: "Ryan Lee", familyName: "Lee", givenName: "Ryan" },
    roles: [],
    [ENTERPRISE]: { employeeNumber: "E-1042", department: "Engineering", manager: { value: managerId } },
  });
  expect(created.status).toBe(201);
  const id: string = created.json.id;
  expect(created.json[ENTERPRISE]).toMatchObject({ employeeNumber: "E-1042", department: "Engineering", manager: { value: managerId } });
  expect(await db.selectFrom("users").select(["email", "name", "employee_id", "department", "manager_id"]).where("id", "=", id).executeTakeFirstOrThrow()).toEqual({
    email: userName.toLowerCase(),
    name: "Ryan Lee",
    employee_id: "E-1042",
    department: "Engineering",
    manager_id: managerId,
  });

  const patched = await scim.call("PATCH", `/Users/${id}`, {
    schemas: [PATCH_OP],
    Operations: [
      { op: "Add", path: "name.givenName", value: "Ryan3" },
      { op: "Replace", path: "title", value: "Staff Engineer" },
      { op: "Replace", path: `${ENTERPRISE}:department`, value: "Platform" },
      { op: "Replace", path: 'emails[type eq "work"].value', value: "ryan.lee@example.com" },
    ],
  });
  expect(patched.status).toBe(200);
  expect(patched.json).toMatchObject({ name: { formatted: "Ryan3 Lee" }, title: "Staff Engineer", [ENTERPRISE]: { department: "Platform" } });

  const pathless = await scim.call("PATCH", `/Users/${id}`, {
    schemas: [PATCH_OP],
    Operations: [{ op: "Replace", value: { "name.familyName": "Lee-Park", [ENTERPRISE]: { employeeNumber: "E-2001" } } }],
  });
  expect(pathless.json).toMatchObject({ name: { formatted: "Ryan3 Lee-Park" }, [ENTERPRISE]: { employeeNumber: "E-2001" } });

  const removed = await scim.call("PATCH", `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: "Remove", path: `${ENTERPRISE}:manager` }] });
  expect(removed.json[ENTERPRISE].manager).toBeUndefined();
  const back = await scim.call("PATCH", `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: "Add", path: `${ENTERPRISE}:manager`, value: managerId }] });
  expect(back.json[ENTERPRISE].manager).toMatchObject({ value: managerId });

  const disabled = await scim.call("PATCH", `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value: "False" }] });
  expect(disabled.json.active).toBe(false);
  const enabled = await scim.call("PATCH", `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value: "True" }] });
  expect(enabled.json.active).toBe(true);

  const gone = await scim.call("DELETE", `/Users/${id}`);
  expect(gone.status).toBe(204);
  const after = await scim.call("GET", `/Users/${id}`);
  expect(after.json).toMatchObject({ id, active: false });
  const actions = (await auditActions(db, id)).map((a) => a.action);
  expect(actions).toEqual(["person.created", "person.updated", "person.updated", "person.updated", "person.updated", "person.deactivated", "person.updated", "person.deactivated"]);
  return id;
}

/** Requests that must each be refused with a SCIM error and change nothing. */
export async function refusals(db: Db, scim: Scim, ids: { person: string; manager: string; report: string }, wrongTokens: string[], baseUrl: string) {
  const before = await snapshot(db);
  const big = JSON.stringify({ schemas: [CORE], userName: "big@example.com", name: { formatted: "Big" }, padding: "x".repeat(5 * 1024 * 1024) });
  const cases: Array<[string, () => Promise<{ status: number; json: any }>, number, string | undefined]> = [
    ["malformed JSON", () => scim.call("POST", "/Users", '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": '), 400, "invalidSyntax"],
    ["unknown schema", () => scim.call("POST", "/Users", { schemas: [CORE, "urn:example:params:scim:schemas:extension:acme:2.0:User"], userName: "new@example.com", name: { formatted: "New" } }), 400, "invalidSyntax"],
    ["no core schema", () => scim.call("POST", "/Users", { schemas: [ENTERPRISE], userName: "new@example.com" }), 400, "invalidSyntax"],
    ["a body over 5 MB", () => scim.call("POST", "/Users", big), 413, "tooMany"],
    ["a bad email", () => scim.call("POST", "/Users", { schemas: [CORE], userName: "not-an-email", name: { formatted: "Nope" } }), 400, "invalidValue"],
    ["a taken userName", () => scim.call("POST", "/Users", { schemas: [CORE], userName: "ALICE@test.example", name: { formatted: "Alice Again" } }), 409, "uniqueness"],
    ["an unknown manager", () => scim.call("PATCH", `/Users/${ids.person}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: `${ENTERPRISE}:manager`, value: "usr_nobody" }] }), 400, "invalidValue"],
    ["a manager loop", () => scim.call("PATCH", `/Users/${ids.manager}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: `${ENTERPRISE}:manager`, value: { value: ids.report } }] }), 400, "invalidValue"],
    ["deactivating someone who manages people", () => scim.call("PATCH", `/Users/${ids.manager}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active", value: false }] }), 400, "invalidValue"],
    ["a change and a refused manager in one PATCH", () => scim.call("PATCH", `/Users/${ids.person}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "title", value: "Changed" }, { op: "add", path: `${ENTERPRISE}:manager`, value: "usr_nobody" }] }), 400, "invalidValue"],
    ["an unknown attribute", () => scim.call("PATCH", `/Users/${ids.person}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "favouriteColour", value: "teal" }] }), 400, "invalidPath"],
    ["an unknown op", () => scim.call("PATCH", `/Users/${ids.person}`, { schemas: [PATCH_OP], Operations: [{ op: "merge", path: "title", value: "x" }] }), 400, "invalidSyntax"],
    ["a PATCH with a User's schema", () => scim.call("PATCH", `/Users/${ids.person}`, { schemas: [CORE], Operations: [{ op: "replace", path: "title", value: "x" }] }), 400, "invalidSyntax"],
    ["an unsupported filter", () => scim.call("GET", `/Users?filter=${encodeURIComponent('emails co "x"')}`), 400, "invalidFilter"],
    ["a PUT to nobody", () => scim.call("PUT", "/Users/usr_nobody", { schemas: [CORE], userName: "x@example.com", name: { formatted: "X" } }), 404, undefined],
    ["a form body", () => scim.call("POST", "/Users", "userName=x", { "Content-Type": "application/x-www-form-urlencoded" }), 415, "invalidSyntax"],
  ];
  for (const wrong of wrongTokens) {
    cases.push([`the token ${wrong.slice(0, 12)}…`, () => scimClient(baseUrl, wrong).call("POST", "/Users", { schemas: [CORE], userName: "t@example.com", name: { formatted: "T" } }), 401, undefined]);
    cases.push([`a read with ${wrong.slice(0, 12)}…`, () => scimClient(baseUrl, wrong).call("GET", "/Users"), 401, undefined]);
  }
  for (const [what, send, status, scimType] of cases) {
    const res = await send();
    expect({ what, status: res.status }).toEqual({ what, status });
    expect(res.json, what).toMatchObject({ schemas: [ERROR], status: String(status), ...(scimType ? { scimType } : {}) });
    expect(typeof res.json.detail, what).toBe("string");
    expect(await snapshot(db), what).toBe(before);
  }
}
