import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/guards.server";
import { listMyAssignments, type AssignmentSummary } from "~/assignments/assignments.server";
import { STATUS_LABEL } from "~/assignments/status";
import { formatDate } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "My training · Confidant" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireViewer(request, context);
  const assignments = await listMyAssignments(context.db, { viewer, catalog: context.catalog }, context.clock);
  return {
    name: viewer.name,
    now: context.clock().toISOString(),
    current: assignments.filter((a) => a.status !== "completed" && a.status !== "exempt" && a.status !== "cancelled"),
    history: assignments.filter((a) => a.status === "completed"),
  };
}

function dueText(a: AssignmentSummary, now: string) {
  const days = Math.ceil((Date.parse(a.dueAt) - Date.parse(now)) / 86_400_000);
  if (days < 0) return `${-days} day${days === -1 ? "" : "s"} overdue (was due ${formatDate(a.dueAt)})`;
  if (days === 0) return `Due today`;
  return `Due ${formatDate(a.dueAt)} (in ${days} day${days === 1 ? "" : "s"})`;
}

export default function Home() {
  const { name, current, history, now } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Hello, {name.split(" ")[0]}</h1>
      <h2 id="todo">What you need to complete</h2>
      {current.length === 0 ? (
        <p className="notice">You are up to date. Nothing is waiting for you.</p>
      ) : (
        <ul className="assignments" aria-labelledby="todo">
          {current.map((a) => (
            <li key={a.id} className="assignment">
              <h3>
                <Link to={`/courses/${a.courseId}`}>{a.courseTitle}</Link>
              </h3>
              {a.courseSummary ? <p>{a.courseSummary}</p> : null}
              <p className="meta">
                <span className={`badge status-${a.status}`}>{STATUS_LABEL[a.status]}</span>
                <span>{dueText(a, now)}</span>
                <span>Cycle: {a.cycle}</span>
              </p>
              <label htmlFor={`progress-${a.id}`} className="visually-hidden">
                Progress in {a.courseTitle}
              </label>
              <progress id={`progress-${a.id}`} max={Math.max(a.modulesTotal, 1)} value={a.modulesDone} />
              <p className="muted">
                {a.modulesDone} of {a.modulesTotal} modules done
              </p>
              {a.available ? (
                <Link className="button" to={`/courses/${a.courseId}`}>
                  {a.modulesDone > 0 ? "Continue" : "Start"}
                  <span className="visually-hidden"> {a.courseTitle}</span>
                </Link>
              ) : (
                <p className="muted">This course is no longer offered; ask HR what to do.</p>
              )}
            </li>
          ))}
        </ul>
      )}
      <h2 id="history">Completed</h2>
      {history.length === 0 ? (
        <p className="muted">Courses you complete will be listed here with their receipts.</p>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="history">
            <thead>
              <tr>
                <th scope="col">Course</th>
                <th scope="col">Cycle</th>
                <th scope="col">Completed</th>
                <th scope="col">On time</th>
                <th scope="col">Receipt</th>
              </tr>
            </thead>
            <tbody>
              {history.map((a) => (
                <tr key={a.id}>
                  <td>{a.courseTitle}</td>
                  <td>{a.cycle}</td>
                  <td>{a.completedAt ? formatDate(a.completedAt) : ""}</td>
                  <td>{a.onTime ? "Yes" : "Late"}</td>
                  <td>
                    {a.receiptCode ? (
                      <Link to={`/receipts/${a.receiptCode}`}>
                        View receipt<span className="visually-hidden"> for {a.courseTitle}, {a.cycle}</span>
                      </Link>
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
