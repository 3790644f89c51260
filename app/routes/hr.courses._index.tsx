import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireHr } from "~/http/guards.server";
import { catalogsOf } from "~/http/catalogs.server";
import { readFlash } from "~/http/flash.server";
import { publishingList } from "~/hr/course-pages.server";
import { formatDateTime } from "~/components/format";
import hrStyles from "~/styles/hr.css";

export const meta: MetaFunction = () => [{ title: "Publishing courses · Confidant" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: hrStyles }];

const STATE_TEXT = { draft: "Draft", published: "Published", changed: "Changed since published" } as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireHr(request, context);
  const flash = await readFlash(request, context.config);
  const page = await publishingList(context.db, catalogsOf(context));
  return data({ ...page, flash: flash.message }, { headers: flash.headers });
}

export default function PublishingList() {
  const { courses, problems, flash } = useLoaderData<typeof loader>();
  return (
    <div className="hr-page">
      <h1>Publishing courses</h1>
      {flash ? (
        <p className="notice" role="status">
          {flash}
        </p>
      ) : null}
      <p className="muted">
        A course in the courses folder is a draft until you publish it here (or with <code>npm run courses:publish</code>). Only a published version is assigned by the scheduler and
        shown to learners; someone part-way through keeps the version they started on.
      </p>
      <table className="data">
        <caption className="visually-hidden">Courses and their publishing state</caption>
        <thead>
          <tr>
            <th scope="col">Course</th>
            <th scope="col">State</th>
            <th scope="col">Published</th>
            <th scope="col">Modules</th>
          </tr>
        </thead>
        <tbody>
          {courses.map((c) => (
            <tr key={c.id} data-course={c.id}>
              <td>
                <Link to={`/hr/courses/${c.id}`}>{c.title}</Link>
              </td>
              <td className={`publish-state publish-${c.state}`}>
                {STATE_TEXT[c.state]}
                {c.broken ? " (the folder's version has problems; the published one stays live)" : ""}
              </td>
              <td>{c.publishedAt ? formatDateTime(c.publishedAt) : "Never"}</td>
              <td>{c.modules}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {problems.length > 0 ? (
        <p className="form-error" role="alert">
          {`The courses folder has ${problems.length} problem${problems.length === 1 ? "" : "s"}; a course with problems cannot be published until they are fixed.`}{" "}
          <Link to="/courses">See them in the course catalog</Link> or run <code>npm run courses:check</code>.
        </p>
      ) : null}
    </div>
  );
}
