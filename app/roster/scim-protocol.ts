// SCIM 2.0 (RFC 7643 / 7644) as Confidant speaks it: a User resource read into the fields a
// person has, PATCH operations in the shapes Okta and Microsoft Entra ID send them (Entra's
// capitalised `Replace`, path-less value objects with dotted or URN keys, `"False"` as a string),
// and the `filter=userName eq "…"` lists use. Pure functions, no I/O.
import { z } from "zod";

export const CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

/** What a SCIM error carries (RFC 7644 §3.12). */
export interface ScimFailure {
  status: 400 | 401 | 404 | 405 | 409 | 413 | 415;
  scimType?: "invalidFilter" | "invalidSyntax" | "invalidPath" | "invalidValue" | "uniqueness" | "mutability" | "noTarget" | "tooMany";
  detail: string;
}

export type Parsed<T> = { ok: true; value: T } | ({ ok: false } & ScimFailure);

const fail = (scimType: ScimFailure["scimType"], detail: string, status: ScimFailure["status"] = 400): { ok: false } & ScimFailure => ({ ok: false, status, scimType, detail });

/** The fields of a person SCIM can set. `name` is the whole name as Confidant keeps it. */
export interface ScimFields {
  userName: string;
  name: string;
  title: string | null;
  userType: string | null;
  active: boolean;
  employeeNumber: string | null;
  department: string | null;
  /** The manager's SCIM id (a Confidant person id). */
  managerId: string | null;
}

/** Attributes of the standard User schema that Confidant does not keep: accepted and ignored, so
 * an identity provider's default mapping works. Anything else is an unknown attribute. */
const IGNORED = new Set([
  "externalid", "nickname", "profileurl", "locale", "timezone", "preferredlanguage", "emails", "phonenumbers", "addresses", "photos", "ims",
  "roles", "entitlements", "groups", "x509certificates", "password", "name.middlename", "name.honorificprefix", "name.honorificsuffix",
  "costcenter", "organization", "division", "manager.displayname", "manager.$ref", "meta", "id", "schemas",
]);

const text = z.union([z.string(), z.number().transform(String)]).nullable();

/** `true`, `false`, or the strings Entra sends ("True", "False"). */
function readBoolean(v: unknown): boolean | null {
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === "true";
  return null;
}

function readText(v: unknown): string | null | undefined {
  if (v === undefined || v === null) return null;
  const parsed = text.safeParse(v);
  if (!parsed.success) return undefined;
  const s = parsed.data?.trim();
  return s ? s : null;
}

function readManager(v: unknown): string | null | undefined {
  if (v === null || v === "") return null;
  if (typeof v === "object" && !Array.isArray(v)) return readText((v as Record<string, unknown>).value);
  return readText(v);
}

function splitName(name: string): { given: string; family: string } {
  const i = name.indexOf(" ");
  return i < 0 ? { given: name, family: "" } : { given: name.slice(0, i), family: name.slice(i + 1) };
}

/** The `schemas` of a resource or message: present, and each one known. */
function checkSchemas(body: Record<string, unknown>, allowed: string[], required: string): Parsed<true> {
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === "string")) return fail("invalidSyntax", "The request must list its schemas.");
  const unknown = schemas.filter((s) => !allowed.includes(s));
  if (unknown.length > 0) return fail("invalidSyntax", `Unknown schema ${unknown.join(", ")}. This service knows ${allowed.join(" and ")}.`);
  if (!schemas.includes(required)) return fail("invalidSyntax", `The request must include the schema ${required}.`);
  return { ok: true, value: true };
}

/** A User resource (POST, PUT). Attributes it leaves out are empty, as a replace means; `current`
 * supplies what a resource cannot say (whether the person is a contractor, when none is given). */
export function readUserResource(body: unknown): Parsed<ScimFields> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return fail("invalidSyntax", "The request body must be a JSON object.");
  const b = body as Record<string, unknown>;
  const schemas = checkSchemas(b, [CORE_USER, ENTERPRISE_USER], CORE_USER);
  if (!schemas.ok) return schemas;
  const userName = readText(b.userName);
  if (!userName) return fail("invalidValue", "userName is required: the person's work email address.");
  const nameObj = typeof b.name === "object" && b.name !== null ? (b.name as Record<string, unknown>) : {};
  const formatted = readText(nameObj.formatted);
  const joined = [readText(nameObj.givenName), readText(nameObj.familyName)].filter(Boolean).join(" ");
  const name = formatted || joined || readText(b.displayName) || "";
  const ext = typeof b[ENTERPRISE_USER] === "object" && b[ENTERPRISE_USER] !== null ? (b[ENTERPRISE_USER] as Record<string, unknown>) : {};
  const active = b.active === undefined ? true : readBoolean(b.active);
  if (active === null) return fail("invalidValue", "active must be true or false.");
  const fields = {
    userName,
    name,
    title: readText(b.title),
    userType: readText(b.userType),
    active,
    employeeNumber: readText(ext.employeeNumber),
    department: readText(ext.department),
    managerId: readManager(ext.manager),
  };
  for (const [k, v] of Object.entries(fields)) if (v === undefined) return fail("invalidValue", `${k} must be text.`);
  return { ok: true, value: fields as ScimFields };
}

interface PatchState {
  fields: ScimFields;
  given: string;
  family: string;
  nameFrom: "name" | "formatted" | "displayName" | "parts";
}

type Setter = (s: PatchState, value: unknown, remove: boolean) => string | null;

const setText = (key: "title" | "userType" | "employeeNumber" | "department"): Setter => (s, value, remove) => {
  const v = remove ? null : readText(value);
  if (v === undefined) return `${key} must be text.`;
  s.fields[key] = v;
  return null;
};

const setters: Record<string, Setter> = {
  username: (s, value, remove) => {
    const v = remove ? null : readText(value);
    if (!v) return "userName cannot be removed or empty.";
    s.fields.userName = v;
    return null;
  },
  displayname: (s, value, remove) => {
    const v = remove ? null : readText(value);
    if (v === undefined) return "displayName must be text.";
    if (v && s.nameFrom !== "formatted") {
      s.fields.name = v;
      s.nameFrom = "displayName";
    }
    return null;
  },
  "name.formatted": (s, value, remove) => {
    const v = remove ? null : readText(value);
    if (v === undefined) return "name.formatted must be text.";
    if (v) {
      s.fields.name = v;
      s.nameFrom = "formatted";
    }
    return null;
  },
  "name.givenname": (s, value, remove) => setPart(s, "given", remove ? "" : readText(value)),
  "name.familyname": (s, value, remove) => setPart(s, "family", remove ? "" : readText(value)),
  name: (s, value, remove) => {
    if (remove) return "name cannot be removed.";
    if (typeof value !== "object" || value === null) return "name must be an object.";
    for (const [k, v] of Object.entries(value)) {
      const setter = setters[`name.${k.toLowerCase()}`];
      if (setter) {
        const problem = setter(s, v, false);
        if (problem) return problem;
      }
    }
    return null;
  },
  title: setText("title"),
  usertype: setText("userType"),
  employeenumber: setText("employeeNumber"),
  department: setText("department"),
  active: (s, value, remove) => {
    const v = remove ? null : readBoolean(value);
    if (v === null) return "active must be true or false.";
    s.fields.active = v;
    return null;
  },
  manager: (s, value, remove) => {
    const v = remove ? null : readManager(value);
    if (v === undefined) return "manager must be the manager's id.";
    s.fields.managerId = v;
    return null;
  },
};
setters["manager.value"] = setters.manager;

function setPart(s: PatchState, part: "given" | "family", v: string | null | undefined): string | null {
  if (v === undefined) return "Name parts must be text.";
  s[part] = v ?? "";
  if (s.nameFrom === "name" || s.nameFrom === "parts") {
    const joined = [s.given, s.family].filter(Boolean).join(" ");
    if (joined) s.fields.name = joined;
    s.nameFrom = "parts";
  }
  return null;
}

/** A path as Confidant looks it up: lower case, without the core or enterprise schema's URN. */
function normalisePath(path: string): string {
  let p = path.trim();
  for (const urn of [CORE_USER, ENTERPRISE_USER]) {
    if (p.toLowerCase().startsWith(`${urn.toLowerCase()}:`)) p = p.slice(urn.length + 1);
  }
  return p.toLowerCase();
}

function applyOne(s: PatchState, path: string, value: unknown, remove: boolean): ({ ok: false } & ScimFailure) | null {
  const p = normalisePath(path);
  const base = p.replace(/\[.*$/, "");
  if (IGNORED.has(p) || IGNORED.has(base) || IGNORED.has(base.split(".")[0])) return null;
  const setter = setters[p];
  if (!setter) return fail("invalidPath", `Unknown attribute "${path}".`);
  const problem = setter(s, value, remove);
  return problem ? fail("invalidValue", problem) : null;
}

/** A path-less value object: keys are attributes, dotted sub-attributes or a schema URN holding
 * its own attributes (Entra sends all three). */
function applyValueObject(s: PatchState, value: unknown): ({ ok: false } & ScimFailure) | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("invalidSyntax", "An operation without a path must have an object as its value.");
  for (const [key, v] of Object.entries(value)) {
    if (key === ENTERPRISE_USER || key === CORE_USER) {
      if (typeof v !== "object" || v === null) return fail("invalidSyntax", `${key} must hold an object.`);
      for (const [sub, subValue] of Object.entries(v)) {
        const problem = applyOne(s, sub, subValue, false);
        if (problem) return problem;
      }
      continue;
    }
    const problem = applyOne(s, key, v, false);
    if (problem) return problem;
  }
  return null;
}

const patchSchema = z.object({
  schemas: z.array(z.string()),
  Operations: z
    .array(z.object({ op: z.string(), path: z.string().max(500).optional(), value: z.unknown().optional() }).passthrough())
    .min(1)
    .max(1000),
});

/** Applies a PatchOp message to a person's current fields. */
export function applyPatch(current: ScimFields, body: unknown): Parsed<ScimFields> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return fail("invalidSyntax", "The request body must be a JSON object.");
  const schemas = checkSchemas(body as Record<string, unknown>, [PATCH_OP], PATCH_OP);
  if (!schemas.ok) return schemas;
  const parsed = patchSchema.safeParse(body);
  if (!parsed.success) return fail("invalidSyntax", "A PatchOp needs Operations: a list of { op, path, value }.");
  const { given, family } = splitName(current.name);
  const s: PatchState = { fields: { ...current }, given, family, nameFrom: "name" };
  for (const operation of parsed.data.Operations) {
    const op = operation.op.toLowerCase();
    if (op !== "add" && op !== "replace" && op !== "remove") return fail("invalidSyntax", `Unknown operation "${operation.op}": use add, replace or remove.`);
    if (op === "remove" && !operation.path) return fail("noTarget", "A remove operation needs a path.");
    const problem = operation.path
      ? applyOne(s, operation.path, operation.value, op === "remove" || operation.value === null)
      : applyValueObject(s, operation.value);
    if (problem) return problem;
  }
  return { ok: true, value: s.fields };
}

/** `filter=userName eq "…"` (the attribute and operator in any case); null for no filter. */
export function readFilter(filter: string | null): Parsed<{ userName: string } | null> {
  if (filter === null || filter.trim() === "") return { ok: true, value: null };
  const m = /^\s*userName\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i.exec(filter);
  if (!m) return fail("invalidFilter", 'Only filter=userName eq "…" is supported.');
  return { ok: true, value: { userName: m[1].replace(/\\(.)/g, "$1") } };
}

export const MAX_PAGE = 200;

/** startIndex (1-based) and count as RFC 7644 §3.4.2.4 reads them: below 1 means 1, a negative
 * count means 0, and count is capped at MAX_PAGE. */
export function readPaging(params: URLSearchParams): Parsed<{ startIndex: number; count: number }> {
  const whole = (name: string, fallback: number): number | null => {
    const raw = params.get(name);
    if (raw === null || raw === "") return fallback;
    return /^-?\d{1,9}$/.test(raw) ? Number(raw) : null;
  };
  const startIndex = whole("startIndex", 1);
  const count = whole("count", 100);
  if (startIndex === null || count === null) return fail("invalidValue", "startIndex and count must be whole numbers.");
  return { ok: true, value: { startIndex: Math.max(1, startIndex), count: Math.min(MAX_PAGE, Math.max(0, count)) } };
}
