import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireViewer } from "~/http/guards.server";
import { fileResponse } from "~/http/download.server";
import { certificateFileName, getCertificate, renderCertificatePdf } from "~/recognition/certificate.server";

// A certificate of completion for one completed cycle: the person's own, a manager's report's, or, for HR, anyone's.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = requireViewer(request, context);
  const id = params.assignment;
  if (!id || !/^asg_[a-z0-9]{1,64}$/.test(id)) throw notFound("There is no such certificate.");
  const certificate = await getCertificate(context.db, {
    viewer,
    assignmentId: id,
    catalog: context.catalog,
    origin: context.config.origin,
  });
  if (!certificate) throw notFound("There is no such certificate.");
  const pdf = await renderCertificatePdf(certificate);
  return fileResponse(pdf, { fileName: certificateFileName(certificate), contentType: "application/pdf" });
}
