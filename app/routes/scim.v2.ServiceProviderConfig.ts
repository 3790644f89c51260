import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, requireScimToken, scimBaseUrl, scimJson } from "~/http/scim.server";
import { serviceProviderConfig } from "~/roster/scim-discovery";

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireScimToken(request, context);
  return scimJson(200, serviceProviderConfig(scimBaseUrl(context)));
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireScimToken(request, context);
  return methodNotAllowed("GET");
}
