import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, requireScimToken, scimBaseUrl, scimError, scimJson } from "~/http/scim.server";
import { userSchemas } from "~/roster/scim-discovery";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireScimToken(request, context);
  const schema = userSchemas(scimBaseUrl(context)).find((s) => s.id === params.id);
  return schema ? scimJson(200, schema) : scimError({ status: 404, detail: `No schema ${params.id}.` });
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireScimToken(request, context);
  return methodNotAllowed("GET");
}
