import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, requireScimToken, scimBaseUrl, scimJson } from "~/http/scim.server";
import { listOf, userResourceType } from "~/roster/scim-discovery";

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireScimToken(request, context);
  return scimJson(200, listOf([userResourceType(scimBaseUrl(context))]));
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireScimToken(request, context);
  return methodNotAllowed("GET");
}
