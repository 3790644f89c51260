import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, requireScimToken, scimBaseUrl, scimError, scimJson } from "~/http/scim.server";
import { userResourceType } from "~/roster/scim-discovery";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireScimToken(request, context);
  if (params.id !== "User") return scimError({ status: 404, detail: `No resource type ${params.id}: this service has User.` });
  return scimJson(200, userResourceType(scimBaseUrl(context)));
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireScimToken(request, context);
  return methodNotAllowed("GET");
}
