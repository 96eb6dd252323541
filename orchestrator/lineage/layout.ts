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
  const edges = graph.edges.map((e) => ({ ...e, points: ((g.edge(e.from, e.to) as { points?: { x: number; y: number }[] }).points ?? []).map((p) => ({ x: p.x, y: p.y })) }));
  const label = g.graph() as { width?: number; height?: number };
  return { width: Math.ceil(label.width ?? 0), height: Math.ceil(label.height ?? 0), nodes, edges };
}
