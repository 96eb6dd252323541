/**
 * A layered left-to-right layout of a lineage graph with dagre: each node's box (centre, size) and
 * each edge's polyline. The size of a box follows its label (monospace text, so widths are known).
 */
import * as dagre from "@dagrejs/dagre";
import type { LineageGraph } from "./graph";

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Layout {
  width: number;
  height: number;
  nodes: Map<string, Box>;
  edges: { from: string; to: string; points: { x: number; y: number }[] }[];
}

/** The diagram's text metrics: 12 px monospace, about 7.2 px per character. */
export const FONT_SIZE = 12;
export const CHAR_WIDTH = 7.2;
export const NODE_HEIGHT = 40;
const PADDING_X = 28;

export function nodeWidth(label: string): number {
  return Math.ceil(Math.max(label.length, 10) * CHAR_WIDTH + PADDING_X);
}

type Point = { x: number; y: number };
type Column = { centre: number; left: number; right: number };

/** The layers' columns: nodes of one layer share a centre x; the column spans its widest node. */
function columnsOf(boxes: Box[]): Column[] {
  const byCentre = new Map<number, Column>();
  for (const b of boxes) {
    const key = Math.round(b.x);
    const c = byCentre.get(key) ?? { centre: b.x, left: b.x, right: b.x };
    c.left = Math.min(c.left, b.x - b.width / 2);
    c.right = Math.max(c.right, b.x + b.width / 2);
    byCentre.set(key, c);
  }
  return [...byCentre.values()];
}

/**
 * Dagre centres a layer's nodes on one x, so a narrow node's edge leaving its side would cut
 * diagonally across its wide neighbours. Instead each edge leaves its source's right side and
 * enters its target's left side level, runs straight across a column at its own height (leaving
 * its source, passing a layer it skips through dagre's point there, entering its target) and
 * turns only in the gaps between columns, where no node is.
 */
function alongColumns(from: Box, to: Box, dagrePoints: Point[], columns: Column[]): Point[] {
  const columnAt = (x: number) => columns.find((c) => x >= c.left - 0.5 && x <= c.right + 0.5)!;
  const out: Point[] = [
    { x: from.x + from.width / 2, y: from.y },
    { x: columnAt(from.x).right, y: from.y },
  ];
  for (const p of dagrePoints.slice(1, -1)) {
    const c = columns.find((col) => p.x >= col.left - 0.5 && p.x <= col.right + 0.5);
    if (c) out.push({ x: c.left, y: p.y }, { x: c.right, y: p.y });
    else out.push(p);
  }
  out.push({ x: columnAt(to.x).left, y: to.y }, { x: to.x - to.width / 2, y: to.y });
  // Drop repeated points (a source already at its column's edge).
  return out.filter((p, i) => i === 0 || p.x !== out[i - 1].x || p.y !== out[i - 1].y);
}

export function layoutGraph(graph: LineageGraph): Layout {
  const g = new dagre.graphlib.Graph<{ rankdir: string; nodesep: number; ranksep: number; marginx: number; marginy: number }>();
  g.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 60, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  // Sorted input makes the layout (and so the SVG) the same on every run for the same graph.
  for (const n of [...graph.nodes].sort((a, b) => (a.name < b.name ? -1 : 1))) g.setNode(n.name, { width: nodeWidth(n.label), height: NODE_HEIGHT });
  for (const e of graph.edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const nodes = new Map<string, Box>();
  for (const n of graph.nodes) {
    const l = g.node(n.name) as { x: number; y: number; width: number; height: number };
    nodes.set(n.name, { x: l.x, y: l.y, width: l.width, height: l.height });
  }
  const columns = columnsOf([...nodes.values()]);
  const edges = graph.edges.map((e) => {
    const points = ((g.edge(e.from, e.to) as { points?: Point[] }).points ?? []).map((p) => ({ x: p.x, y: p.y }));
    return { ...e, points: alongColumns(nodes.get(e.from)!, nodes.get(e.to)!, points, columns) };
  });
  const label = g.graph() as { width?: number; height?: number };
  return { width: Math.ceil(label.width ?? 0), height: Math.ceil(label.height ?? 0), nodes, edges };
}
