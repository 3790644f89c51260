// What the SCIM service says about itself (RFC 7644 §4): ServiceProviderConfig, ResourceTypes
// and Schemas, naming only the attributes Confidant keeps.
import { CORE_USER, ENTERPRISE_USER, LIST_RESPONSE, MAX_PAGE } from "./scim-protocol";

const SPC = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: [SPC],
    documentationUri: `${baseUrl.replace(/\/scim\/v2$/, "")}/`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      { type: "oauthbearertoken", name: "Bearer token", description: "A token HR creates at /hr/scim, sent as Authorization: Bearer <token>.", primary: true },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function userResourceType(baseUrl: string) {
  return {
    schemas: [RESOURCE_TYPE],
    id: "User",
    name: "User",
    endpoint: "/Users",
    description: "A person on the roster",
    schema: CORE_USER,
    schemaExtensions: [{ schema: ENTERPRISE_USER, required: false }],
    meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/User` },
  };
}

type Attr = { name: string; type?: string; required?: boolean; uniqueness?: string; subAttributes?: Attr[]; multiValued?: boolean; mutability?: string };

const attribute = (a: Attr): Record<string, unknown> => ({
  name: a.name,
  type: a.type ?? "string",
  multiValued: a.multiValued ?? false,
  required: a.required ?? false,
  caseExact: false,
  mutability: a.mutability ?? "readWrite",
  returned: "default",
  uniqueness: a.uniqueness ?? "none",
  ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attribute) } : {}),
});

const coreAttributes: Attr[] = [
  { name: "userName", required: true, uniqueness: "server" },
  { name: "name", type: "complex", subAttributes: [{ name: "formatted" }, { name: "givenName" }, { name: "familyName" }] },
  { name: "displayName" },
  { name: "emails", type: "complex", multiValued: true, mutability: "readOnly", subAttributes: [{ name: "value" }, { name: "type" }, { name: "primary", type: "boolean" }] },
  { name: "title" },
  { name: "userType" },
  { name: "active", type: "boolean" },
];

const enterpriseAttributes: Attr[] = [
  { name: "employeeNumber" },
  { name: "department" },
  { name: "manager", type: "complex", subAttributes: [{ name: "value" }, { name: "displayName", mutability: "readOnly" }] },
];

function schema(baseUrl: string, id: string, name: string, attributes: Attr[]) {
  return { schemas: [SCHEMA], id, name, description: name, attributes: attributes.map(attribute), meta: { resourceType: "Schema", location: `${baseUrl}/Schemas/${id}` } };
}

export function userSchemas(baseUrl: string) {
  return [schema(baseUrl, CORE_USER, "User", coreAttributes), schema(baseUrl, ENTERPRISE_USER, "EnterpriseUser", enterpriseAttributes)];
}

export function listOf<T>(resources: T[]) {
  return { schemas: [LIST_RESPONSE], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources };
}
