import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, readScimBody, requireScimToken, scimAnswer, scimBaseUrl, scimError, scimJson } from "~/http/scim.server";
import { deleteScimUser, getScimUser, patchScimUser, replaceScimUser } from "~/roster/scim-users.server";

// SCIM 2.0 one User: read, replace (PUT), PATCH, and DELETE, which deactivates.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireScimToken(request, context);
  const user = await getScimUser(context.db, { id: params.id!, baseUrl: scimBaseUrl(context) });
  return user ? scimJson(200, user) : scimError({ status: 404, detail: `No user has the id ${params.id}.` });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const tokenId = await requireScimToken(request, context);
  const input = { id: params.id!, tokenId, baseUrl: scimBaseUrl(context) };
  switch (request.method) {
    case "PUT":
      return scimAnswer(await replaceScimUser(context.db, { ...input, body: await readScimBody(request) }, context.clock));
    case "PATCH":
      return scimAnswer(await patchScimUser(context.db, { ...input, body: await readScimBody(request) }, context.clock));
    case "DELETE":
      return scimAnswer(await deleteScimUser(context.db, input, context.clock));
    default:
      return methodNotAllowed("GET, PUT, PATCH, DELETE");
  }
}
