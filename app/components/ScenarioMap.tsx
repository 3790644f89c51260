// A scenario drawn as a map: steps as boxes, choices as arrows, endings coloured by outcome. The
// SVG is an image with a title and a description; the list beside it spells out every path, so
// the map says the same to someone who cannot see it.
import { layoutScenario, NODE_H, NODE_W, scenarioPaths, type MapScenario } from "./scenario-map";

const OUTCOME_TEXT: Record<string, string> = { best: "best outcome", acceptable: "acceptable outcome", poor: "poor outcome" };

export function ScenarioMap({ scenario }: { scenario: MapScenario }) {
  const { nodes, edges, width, height } = layoutScenario(scenario);
  const paths = scenarioPaths(scenario);
  const base = `map-${scenario.id}`;
  const endings = nodes.filter((n) => n.ending).length;
  return (
    <figure className="scenario-map" data-scenario={scenario.id}>
      <svg
        role="img"
        aria-labelledby={`${base}-title ${base}-desc`}
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        xmlns="http://www.w3.org/2000/svg"
      >
        <title id={`${base}-title`}>{`Map of the scenario “${scenario.title}”`}</title>
        <desc id={`${base}-desc`}>{`${scenario.steps.length} steps, ${edges.length} choices and ${endings} endings; every path is listed below the map.`}</desc>
        <defs>
          <marker id={`${base}-arrow`} viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="map-arrow" />
          </marker>
        </defs>
        {edges.map((e) => (
          <line key={`${e.from}-${e.to}`} x1={e.x1} y1={e.y1} x2={e.x2} y2={e.y2} className="map-edge" markerEnd={`url(#${base}-arrow)`} data-from={e.from} data-to={e.to} />
        ))}
        {nodes.map((n) => (
          <g key={n.id} className={`map-step${n.ending ? ` map-ending map-${n.ending}` : ""}`} data-step={n.id}>
            <rect x={n.x} y={n.y} width={NODE_W} height={NODE_H} rx="6" />
            <text x={n.x + 8} y={n.y + (n.ending ? 18 : 27)}>
              {n.id.length > 22 ? `${n.id.slice(0, 21)}…` : n.id}
            </text>
            {n.ending ? (
              <text x={n.x + 8} y={n.y + 36} className="map-outcome">
                {OUTCOME_TEXT[n.ending] ?? n.ending}
              </text>
            ) : null}
          </g>
        ))}
      </svg>
      <figcaption>
        <p>{`Every path through “${scenario.title}”:`}</p>
        <ol className="map-paths">
          {paths.map((p, i) => (
            <li key={i}>
              {`${p.steps.map((s) => (s.choice ? `${s.id} — “${s.choice}” → ` : s.id)).join("")} (${OUTCOME_TEXT[p.ending] ?? p.ending})`}
            </li>
          ))}
        </ol>
      </figcaption>
    </figure>
  );
}
