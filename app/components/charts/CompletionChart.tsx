// Completions per month as stacked bars (on time below, late above), drawn on the server as SVG.
// Geometry across the chart is in percentages and text in pixels, so the chart fills any width
// and its labels stay readable on a phone. Colours come from classes (no inline styles: the CSP
// forbids them); the same numbers are offered as a table.
import { formatCount, monthLetter, monthLong, monthShort, niceMax, pct } from "./scale";

export interface MonthBar {
  month: string;
  onTime: number;
  late: number;
}

const HEIGHT = 204;
const TOP = 18;
const PLOT_BOTTOM = 176;
const PLOT = PLOT_BOTTOM - TOP;

export function CompletionChart({ months, id, caption }: { months: MonthBar[]; id: string; caption: string }) {
  const max = niceMax(Math.max(0, ...months.map((m) => m.onTime + m.late)));
  const total = months.reduce((s, m) => s + m.onTime + m.late, 0);
  const onTime = months.reduce((s, m) => s + m.onTime, 0);
  const slot = 100 / Math.max(1, months.length);
  const gap = Math.min(1.2, slot * 0.15);
  const y = (v: number) => PLOT_BOTTOM - (v / max) * PLOT;
  const summary =
    total === 0
      ? `No completions in the ${months.length} months shown.`
      : `${formatCount(total)} completions in the ${months.length} months shown, ${formatCount(onTime)} of them on time. The busiest month was ${monthLong(
          months.reduce((a, b) => (b.onTime + b.late > a.onTime + a.late ? b : a)).month,
        )}.`;
  return (
    <figure className="chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`} className="chart-caption">
        {caption}
        {months.length > 0 ? (
          <span className="chart-range">
            {" "}
            ({monthLong(months[0].month)} to {monthLong(months[months.length - 1].month)})
          </span>
        ) : null}
      </figcaption>
      <ul className="chart-legend" aria-hidden="true">
        <li>
          <span className="swatch seg-on_time" /> On time
        </li>
        <li>
          <span className="swatch seg-late" /> Late
        </li>
      </ul>
      <svg className="chart-svg" width="100%" height={HEIGHT} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{caption}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        {[0, 0.5, 1].map((f) => (
          <line key={f} className="chart-grid" x1="0" x2="100%" y1={y(max * f)} y2={y(max * f)} />
        ))}
        {months.map((m, i) => {
          const x = i * slot + gap;
          const w = slot - 2 * gap;
          const label = `${monthLong(m.month)}: ${formatCount(m.onTime)} on time, ${formatCount(m.late)} late`;
          return (
            <g key={m.month}>
              <title>{label}</title>
              {m.onTime > 0 ? <rect className="seg-on_time" x={pct(x)} width={pct(w)} y={y(m.onTime)} height={PLOT_BOTTOM - y(m.onTime)} /> : null}
              {m.late > 0 ? <rect className="seg-late" x={pct(x)} width={pct(w)} y={y(m.onTime + m.late)} height={y(m.onTime) - y(m.onTime + m.late)} /> : null}
              <text x={pct(x + w / 2)} y={PLOT_BOTTOM + 18} textAnchor="middle" className="chart-axis chart-month-long" aria-hidden="true">
                {monthShort(m.month)}
              </text>
              <text x={pct(x + w / 2)} y={PLOT_BOTTOM + 18} textAnchor="middle" className="chart-axis chart-month-short" aria-hidden="true">
                {monthLetter(m.month)}
              </text>
            </g>
          );
        })}
        {/* Scale labels last, so they sit on top of the bars (with a halo from the stylesheet). */}
        {[0.5, 1].map((f) => (
          <text key={f} x="2" y={y(max * f) - 4} className="chart-axis chart-scale">
            {formatCount(max * f)}
          </text>
        ))}
      </svg>
      <details className="chart-data">
        <summary>
          Show as a table<span className="visually-hidden">: {caption}</span>
        </summary>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{caption}</caption>
            <thead>
              <tr>
                <th scope="col">Month</th>
                <th scope="col" className="num">
                  On time
                </th>
                <th scope="col" className="num">
                  Late
                </th>
                <th scope="col" className="num">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {months.map((m) => (
                <tr key={m.month}>
                  <th scope="row">{monthLong(m.month)}</th>
                  <td className="num">{formatCount(m.onTime)}</td>
                  <td className="num">{formatCount(m.late)}</td>
                  <td className="num">{formatCount(m.onTime + m.late)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
