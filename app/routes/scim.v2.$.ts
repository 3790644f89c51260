import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireScimToken, scimError } from "~/http/scim.server";

// Anything else under /scim/v2 (Groups, Bulk, Me…) is a SCIM 404, not an HTML page.
const missing = () => scimError({ status: 404, detail: "This SCIM service offers Users, ServiceProviderConfig, ResourceTypes and Schemas." });

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireScimToken(request, context);
  return missing();
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireScimToken(request, context);
  return missing();
}
