// The layout of a scenario map (steps as boxes in columns by how far they are from the start,
// choices as arrows) and its text alternative: every path from the first step to an ending.
// Pure: the preview page draws it on the server as SVG.

export interface MapScenario {
  id: string;
  title: string;
  steps: Array<{ id: string; ending: string | null; outcome?: string | null; choices: Array<{ to: string; label: string }> }>;
}

export interface MapNode {
  id: string;
  x: number;
  y: number;
  ending: string | null;
}
export interface MapEdge {
  from: string;
  to: string;
  label: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export const NODE_W = 170;
export const NODE_H = 44;
const COL_GAP = 70;
const ROW_GAP = 18;
const PAD = 10;

/** Columns by the longest way from the first step (scenarios have no loops). */
export function layoutScenario(sc: MapScenario): { nodes: MapNode[]; edges: MapEdge[]; width: number; height: number } {
  const byId = new Map(sc.steps.map((s) => [s.id, s]));
  const depth = new Map<string, number>();
  const visit = (id: string, d: number, seen: Set<string>) => {
    if (seen.has(id) || !byId.has(id)) return;
    if ((depth.get(id) ?? -1) >= d) return;
    depth.set(id, d);
    const next = new Set(seen).add(id);
    for (const c of byId.get(id)!.choices) visit(c.to, d + 1, next);
  };
  if (sc.steps[0]) visit(sc.steps[0].id, 0, new Set());
  const columns: string[][] = [];
  for (const s of sc.steps) {
    const d = depth.get(s.id) ?? 0;
    (columns[d] ??= []).push(s.id);
  }
  const nodes: MapNode[] = [];
  const at = new Map<string, MapNode>();
  columns.forEach((col, c) =>
    col.forEach((id, r) => {
      const node = { id, x: PAD + c * (NODE_W + COL_GAP), y: PAD + r * (NODE_H + ROW_GAP), ending: byId.get(id)!.outcome ?? byId.get(id)!.ending };
      nodes.push(node);
      at.set(id, node);
    }),
  );
  const edges: MapEdge[] = [];
  for (const s of sc.steps) {
    const from = at.get(s.id)!;
    for (const ch of s.choices) {
      const to = at.get(ch.to);
      if (!to) continue;
      edges.push({ from: s.id, to: ch.to, label: ch.label, x1: from.x + NODE_W, y1: from.y + NODE_H / 2, x2: to.x, y2: to.y + NODE_H / 2 });
    }
  }
  const rows = Math.max(1, ...columns.map((c) => c?.length ?? 0));
  return { nodes, edges, width: PAD * 2 + columns.length * NODE_W + (columns.length - 1) * COL_GAP, height: PAD * 2 + rows * NODE_H + (rows - 1) * ROW_GAP };
}

export interface MapPath {
  steps: Array<{ id: string; choice: string | null }>;
  ending: string;
}

/** Every path from the first step to an ending, with the choice taken at each step. */
export function scenarioPaths(sc: MapScenario, limit = 100): MapPath[] {
  const byId = new Map(sc.steps.map((s) => [s.id, s]));
  const out: MapPath[] = [];
  const walk = (id: string, trail: MapPath["steps"], seen: Set<string>) => {
    const step = byId.get(id);
    if (!step || seen.has(id) || out.length >= limit) return;
    if (step.choices.length === 0) {
      out.push({ steps: [...trail, { id, choice: null }], ending: step.outcome ?? step.ending ?? "ending" });
      return;
    }
    for (const c of step.choices) walk(c.to, [...trail, { id, choice: c.label }], new Set(seen).add(id));
  };
  if (sc.steps[0]) walk(sc.steps[0].id, [], new Set());
  return out;
}
