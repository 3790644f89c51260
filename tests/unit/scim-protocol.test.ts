// SCIM message reading: User resources, PATCH in Okta's and Entra's shapes, filters and paging.
import { expect, test } from "vitest";
import { applyPatch, CORE_USER, ENTERPRISE_USER, PATCH_OP, readFilter, readPaging, readUserResource, type ScimFields } from "../../app/roster/scim-protocol";

const current: ScimFields = {
  userName: "ryan@example.com", name: "Ryan Lee", title: null, userType: "employee", active: true, employeeNumber: null, department: "Sales", managerId: "usr_m",
};
const patch = (...Operations: unknown[]) => applyPatch(current, { schemas: [PATCH_OP], Operations });

test("a User resource: the name from formatted, else given and family, else displayName; absent attributes are empty", () => {
  expect(readUserResource({ schemas: [CORE_USER], userName: "a@example.com", name: { givenName: "Ann", familyName: "Lee" }, displayName: "Annie" })).toEqual({
    ok: true,
    value: { userName: "a@example.com", name: "Ann Lee", title: null, userType: null, active: true, employeeNumber: null, department: null, managerId: null },
  });
  expect(readUserResource({ schemas: [CORE_USER], userName: "a@example.com", displayName: "Annie", active: "False" })).toMatchObject({ ok: true, value: { name: "Annie", active: false } });
  expect(readUserResource({ schemas: [CORE_USER, ENTERPRISE_USER], userName: "a@example.com", [ENTERPRISE_USER]: { employeeNumber: 42, manager: "usr_x" } })).toMatchObject({
    ok: true,
    value: { employeeNumber: "42", managerId: "usr_x" },
  });
  expect(readUserResource({ schemas: [CORE_USER], userName: "a@example.com", active: "maybe" })).toMatchObject({ ok: false, scimType: "invalidValue" });
  expect(readUserResource({ schemas: [CORE_USER] })).toMatchObject({ ok: false, status: 400, scimType: "invalidValue" });
  expect(readUserResource({ schemas: ["urn:acme:User", CORE_USER], userName: "a@example.com" })).toMatchObject({ ok: false, scimType: "invalidSyntax" });
  expect(readUserResource([])).toMatchObject({ ok: false, scimType: "invalidSyntax" });
});

test("PATCH: Okta's path-less replace, Entra's capitalised ops, URN paths, dotted keys and bare manager ids", () => {
  expect(patch({ op: "replace", value: { active: false } })).toMatchObject({ ok: true, value: { active: false } });
  expect(patch({ op: "Replace", path: "active", value: "False" })).toMatchObject({ ok: true, value: { active: false } });
  expect(patch({ op: "Add", path: "name.givenName", value: "Ry" })).toMatchObject({ ok: true, value: { name: "Ry Lee" } });
  expect(patch({ op: "Replace", value: { "name.familyName": "Park", [ENTERPRISE_USER]: { department: "Ops" } } })).toMatchObject({ ok: true, value: { name: "Ryan Park", department: "Ops" } });
  expect(patch({ op: "Replace", path: `${ENTERPRISE_USER}:manager`, value: "usr_n" })).toMatchObject({ ok: true, value: { managerId: "usr_n" } });
  expect(patch({ op: "replace", path: "manager", value: { value: "usr_o" } })).toMatchObject({ ok: true, value: { managerId: "usr_o" } });
  expect(patch({ op: "Remove", path: `${ENTERPRISE_USER}:manager` })).toMatchObject({ ok: true, value: { managerId: null } });
  expect(patch({ op: "replace", path: `${CORE_USER}:title`, value: "Lead" })).toMatchObject({ ok: true, value: { title: "Lead" } });
  expect(patch({ op: "replace", value: { name: { formatted: "R. Lee", givenName: "X" } } })).toMatchObject({ ok: true, value: { name: "R. Lee" } });
  expect(patch({ op: "replace", path: "displayName", value: "Ryan L." })).toMatchObject({ ok: true, value: { name: "Ryan L." } });
  // Attributes Confidant does not keep are accepted and ignored.
  expect(patch({ op: "Add", path: 'emails[type eq "work"].value', value: "x@example.com" }, { op: "replace", path: "externalId", value: "e" })).toEqual({ ok: true, value: current });
});

test("PATCH refusals: unknown attributes, ops, schemas, and removing what cannot be removed", () => {
  expect(patch({ op: "replace", path: "shoeSize", value: 9 })).toMatchObject({ ok: false, scimType: "invalidPath" });
  expect(patch({ op: "merge", path: "title", value: "x" })).toMatchObject({ ok: false, scimType: "invalidSyntax" });
  expect(patch({ op: "remove" })).toMatchObject({ ok: false, scimType: "noTarget" });
  expect(patch({ op: "remove", path: "userName" })).toMatchObject({ ok: false, scimType: "invalidValue" });
  expect(patch({ op: "replace", value: "not an object" })).toMatchObject({ ok: false, scimType: "invalidSyntax" });
  expect(applyPatch(current, { schemas: [CORE_USER], Operations: [] })).toMatchObject({ ok: false, scimType: "invalidSyntax" });
  expect(applyPatch(current, { schemas: [PATCH_OP], Operations: [] })).toMatchObject({ ok: false, scimType: "invalidSyntax" });
});

test("filters and paging", () => {
  expect(readFilter('userName eq "a@example.com"')).toEqual({ ok: true, value: { userName: "a@example.com" } });
  expect(readFilter('USERNAME EQ "a\\"b@example.com"')).toEqual({ ok: true, value: { userName: 'a"b@example.com' } });
  expect(readFilter(null)).toEqual({ ok: true, value: null });
  expect(readFilter('userName sw "a"')).toMatchObject({ ok: false, scimType: "invalidFilter" });
  expect(readPaging(new URLSearchParams(""))).toEqual({ ok: true, value: { startIndex: 1, count: 100 } });
  expect(readPaging(new URLSearchParams("startIndex=0&count=5000"))).toEqual({ ok: true, value: { startIndex: 1, count: 200 } });
  expect(readPaging(new URLSearchParams("count=-3"))).toEqual({ ok: true, value: { startIndex: 1, count: 0 } });
  expect(readPaging(new URLSearchParams("count=two"))).toMatchObject({ ok: false, scimType: "invalidValue" });
});
