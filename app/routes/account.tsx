import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { notFound, requireViewer } from "~/auth/guards.server";
import { getOwnProfile } from "~/people/profile.server";
import { formatDate } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Your details · Confidant" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireViewer(request, context);
  const profile = await getOwnProfile(context.db, viewer.id);
  if (!profile) throw notFound();
  return profile;
}

const TYPE_LABEL = { employee: "Employee", contractor: "Contractor" } as const;

export default function AccountPage() {
  const p = useLoaderData<typeof loader>();
  const notRecorded = <span className="muted">Not recorded</span>;
  return (
    <>
      <h1 id="details">Your details</h1>
      <p className="muted">
        This is how you appear on your training records and on the agreements you sign. If something is wrong, ask HR
        to correct it before you sign.
      </p>
      <div className="panel">
        <dl className="facts" aria-labelledby="details">
          <dt>Name</dt>
          <dd>{p.name}</dd>
          <dt>Work email</dt>
          <dd>{p.email}</dd>
          <dt>Department</dt>
          <dd>{p.department ?? notRecorded}</dd>
          <dt>Job title</dt>
          <dd>{p.title ?? notRecorded}</dd>
          <dt>Employee ID</dt>
          <dd>{p.employeeId ?? notRecorded}</dd>
          <dt>Type</dt>
          <dd>{TYPE_LABEL[p.type]}</dd>
          <dt>Start date</dt>
          <dd>{formatDate(p.startDate)}</dd>
          <dt>Manager</dt>
          <dd>{p.managerName ?? <span className="muted">None</span>}</dd>
        </dl>
      </div>
      <p>
        <Link to="/">Back to my training</Link>
      </p>
    </>
  );
}
