import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, readScimBody, requireScimToken, scimAnswer, scimBaseUrl, scimError, scimJson } from "~/http/scim.server";
import { readFilter, readPaging } from "~/roster/scim-protocol";
import { createScimUser, listScimUsers } from "~/roster/scim-users.server";

// SCIM 2.0 Users: list (filter=userName eq "…", startIndex, count) and create.
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireScimToken(request, context);
  const params = new URL(request.url).searchParams;
  const filter = readFilter(params.get("filter"));
  if (!filter.ok) return scimError(filter);
  const paging = readPaging(params);
  if (!paging.ok) return scimError(paging);
  return scimJson(200, await listScimUsers(context.db, { filter: filter.value, ...paging.value, baseUrl: scimBaseUrl(context) }));
}

export async function action({ request, context }: ActionFunctionArgs) {
  const tokenId = await requireScimToken(request, context);
  if (request.method !== "POST") return methodNotAllowed("GET, POST");
  const body = await readScimBody(request);
  return scimAnswer(await createScimUser(context.db, { body, tokenId, baseUrl: scimBaseUrl(context) }, context.clock), 201);
}
