// A person's audit entries as a table people can read: when, what happened in words, by whom,
// and the details in words. The data as recorded stays one click away for an auditor.
import { formatDateTime } from "./format";

export interface AuditTableLine {
  seq: number;
  at: string;
  action: string;
  actorName: string | null;
  data: Record<string, unknown>;
  label: string;
  details: string[];
}

export function AuditTable({ id, lines }: { id: string; lines: AuditTableLine[] }) {
  if (lines.length === 0) return <p className="muted">None recorded.</p>;
  return (
    <div className="table-wrap">
      <table className="hr-table" aria-labelledby={id}>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What happened</th>
            <th scope="col">By</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l) => (
            <tr key={l.seq}>
              <td>{formatDateTime(l.at)}</td>
              <td>{l.label}</td>
              <td>{l.actorName ?? <span className="muted">System</span>}</td>
              <td>
                {l.details.length ? (
                  <ul className="hr-data">
                    {l.details.map((d, i) => (
                      <li key={i}>{d}</li>
                    ))}
                  </ul>
                ) : (
                  <span className="muted">—</span>
                )}
                <details className="recorded">
                  <summary>
                    As recorded<span className="visually-hidden"> (entry {l.seq})</span>
                  </summary>
                  <code>{l.action}</code> <code>{JSON.stringify(l.data)}</code>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
