// One horizontal bar per group (e.g. department): how its assignments stand, as shares of what
// was assigned — completed on time, completed late, overdue, not yet due, exempt. Each bar is a
// small SVG with percentage geometry, so it fills any width; labels and numbers are HTML text.
import { formatCount, formatRate, pct } from "./scale";

export interface BreakdownRow {
  key: string;
  label: string;
  href?: string;
  assigned: number;
  onTime: number;
  late: number;
  overdue: number;
  notYetDue: number;
  exempt: number;
  completionRate: number | null;
}

export const BREAKDOWN_SEGMENTS = [
  { key: "onTime", label: "On time", className: "seg-on_time" },
  { key: "late", label: "Late", className: "seg-late" },
  { key: "overdue", label: "Overdue", className: "seg-overdue" },
  { key: "notYetDue", label: "Not yet due", className: "seg-open" },
  { key: "exempt", label: "Exempt", className: "seg-exempt" },
] as const;

export function BreakdownBars({ rows, id, caption, more }: { rows: BreakdownRow[]; id: string; caption: string; more?: string }) {
  return (
    <figure className="chart breakdown" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`} className="chart-caption">
        {caption}
      </figcaption>
      <ul className="chart-legend" aria-hidden="true">
        {BREAKDOWN_SEGMENTS.map((s) => (
          <li key={s.key}>
            <span className={`swatch ${s.className}`} /> {s.label}
          </li>
        ))}
      </ul>
      <ul className="breakdown-rows">
        {rows.map((r) => {
          let x = 0;
          const described = BREAKDOWN_SEGMENTS.map((s) => `${formatCount(r[s.key])} ${s.label.toLowerCase()}`).join(", ");
          return (
            <li key={r.key}>
              <div className="breakdown-label">
                {r.href ? <a href={r.href}>{r.label}</a> : <span>{r.label}</span>}
                <span className="breakdown-figure">
                  {formatRate(r.completionRate)} done{" "}
                  <span className="muted">
                    ({formatCount(r.onTime + r.late)} of {formatCount(r.assigned - r.exempt)})
                  </span>
                </span>
              </div>
              <svg className="breakdown-bar" width="100%" height="14" role="img" aria-label={`${r.label}: ${formatCount(r.assigned)} assigned; ${described}.`}>
                <rect className="bar-track" x="0" y="0" width="100%" height="14" />
                {r.assigned > 0
                  ? BREAKDOWN_SEGMENTS.map((s) => {
                      const w = (r[s.key] / r.assigned) * 100;
                      const at = x;
                      x += w;
                      return w > 0 ? <rect key={s.key} className={s.className} x={pct(at)} y="0" width={pct(w)} height="14" /> : null;
                    })
                  : null}
              </svg>
            </li>
          );
        })}
      </ul>
      {more ? <p className="muted chart-more">{more}</p> : null}
    </figure>
  );
}
