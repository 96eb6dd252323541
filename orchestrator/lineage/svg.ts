/**
 * A lineage graph as a standalone SVG: one `<g class="node">` per action (shape and a label mark
 * its type, the fill its last-run status), one `<path class="edge">` per dependency, and a legend.
 */
import { escapeXml as esc } from "./escape";
import type { LineageGraph, LineageNode, NodeType } from "./graph";
import { NODE_TYPES } from "./graph";
import { CHAR_WIDTH, FONT_SIZE, layoutGraph, type Box, type Layout } from "./layout";
import { NODE_STATUSES, nodeStatus, type NodeStatus } from "./status";

export interface SvgOptions {
  /** Each action's last status (run results or ledger wording); absent = not run. */
  status?: Map<string, string>;
  /** Nodes take keyboard focus (tabindex, role=button): for the web page. */
  focusable?: boolean;
  layout?: Layout;
}

/** Fill and stroke per status; dark text on light fills keeps the contrast readable. */
export const STATUS_COLOURS: Record<NodeStatus, { fill: string; stroke: string }> = {
  succeeded: { fill: "#c8e6c9", stroke: "#2e7d32" },
  failed: { fill: "#ffcdd2", stroke: "#c62828" },
  skipped: { fill: "#e0e0e0", stroke: "#616161" },
  warning: { fill: "#ffe0b2", stroke: "#e65100" },
  "not run": { fill: "#ffffff", stroke: "#546e7a" },
};

const r = (n: number) => Math.round(n * 10) / 10;

/** The outline of a node of this type in box b: the shape that marks the type. */
export function shape(type: NodeType, b: Box): string {
  const x0 = r(b.x - b.width / 2), x1 = r(b.x + b.width / 2), y0 = r(b.y - b.height / 2), y1 = r(b.y + b.height / 2), cy = r(b.y);
  switch (type) {
    case "declaration": {
      // A cylinder: a source table that Dataform reads but does not build.
      const e = 5;
      return `<path class="shape" d="M${x0},${y0 + e} a${r(b.width / 2)},${e} 0 0,1 ${r(b.width)},0 v${r(b.height - 2 * e)} a${r(b.width / 2)},${e} 0 0,1 ${-r(b.width)},0 z M${x0},${y0 + e} a${r(b.width / 2)},${e} 0 0,0 ${r(b.width)},0"/>`;
    }
    case "view":
      return `<rect class="shape" x="${x0}" y="${y0}" width="${r(b.width)}" height="${r(b.height)}" rx="14" stroke-dasharray="5 3"/>`;
    case "incremental":
      return `<rect class="shape" x="${x0}" y="${y0}" width="${r(b.width)}" height="${r(b.height)}"/><rect class="inner" x="${x0 + 3}" y="${y0 + 3}" width="${r(b.width - 6)}" height="${r(b.height - 6)}"/>`;
    case "assertion":
      return `<polygon class="shape" points="${x0 + 10},${y0} ${x1 - 10},${y0} ${x1},${cy} ${x1 - 10},${y1} ${x0 + 10},${y1} ${x0},${cy}"/>`;
    case "operation":
      return `<polygon class="shape" points="${x0 + 8},${y0} ${x1},${y0} ${x1 - 8},${y1} ${x0},${y1}"/>`;
    default:
      return `<rect class="shape" x="${x0}" y="${y0}" width="${r(b.width)}" height="${r(b.height)}"/>`;
  }
}

function nodeSvg(n: LineageNode, b: Box, status: NodeStatus, focusable: boolean): string {
  const c = STATUS_COLOURS[status];
  // A cylinder's front rim crosses its upper part: its text sits lower.
  const dy = n.type === "declaration" ? 5 : 0;
  const focus = focusable ? ` tabindex="0" role="button" aria-label="${esc(`${n.label}, ${n.type}, ${status}`)}"` : "";
  return (
    `<g class="node" data-action="${esc(n.name)}" data-type="${n.type}" data-status="${status}" fill="${c.fill}" stroke="${c.stroke}"${focus}>` +
    `<title>${esc(`${n.name} (${n.type}, ${status})`)}</title>` +
    shape(n.type, b) +
    `<text class="label" x="${r(b.x)}" y="${r(b.y + dy - 2)}">${esc(n.label)}</text>` +
    `<text class="type" x="${r(b.x)}" y="${r(b.y + dy + 13)}">${n.type}</text></g>`
  );
}

function legend(y: number): { svg: string; width: number } {
  const parts: string[] = [];
  let x = 10;
  parts.push(`<text class="legend-title" x="${x}" y="${y + 14}">status</text>`);
  x += 56;
  for (const s of NODE_STATUSES) {
    const c = STATUS_COLOURS[s];
    parts.push(`<g class="legend-status" data-status="${s}"><rect x="${x}" y="${y + 3}" width="14" height="14" fill="${c.fill}" stroke="${c.stroke}"/><text x="${x + 20}" y="${y + 14}">${s}</text></g>`);
    x += 28 + s.length * CHAR_WIDTH;
  }
  const width1 = x;
  x = 10;
  const y2 = y + 26;
  parts.push(`<text class="legend-title" x="${x}" y="${y2 + 16}">type</text>`);
  x += 56;
  for (const t of NODE_TYPES) {
    const w = 34;
    parts.push(`<g class="legend-type" data-type="${t}" fill="#ffffff" stroke="#546e7a">${shape(t, { x: x + w / 2, y: y2 + 11, width: w, height: 20 })}<text x="${x + w + 6}" y="${y2 + 16}">${t}</text></g>`);
    x += w + 18 + t.length * CHAR_WIDTH;
  }
  return { svg: `<g class="legend">${parts.join("")}</g>`, width: Math.ceil(Math.max(width1, x)) };
}

export function renderSvg(graph: LineageGraph, options: SvgOptions = {}): string {
  const layout = options.layout ?? layoutGraph(graph);
  const leg = legend(layout.height + 6);
  const width = Math.max(layout.width, leg.width + 10);
  const height = layout.height + 64;
  const style =
    `.lineage-svg text{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:${FONT_SIZE}px;fill:#1a1a1a;stroke:none}` +
    `.lineage-svg .node text{text-anchor:middle}.lineage-svg .node .type{font-size:10px;font-style:italic;fill:#37474f}` +
    `.lineage-svg .shape,.lineage-svg .inner{stroke-width:1.5}.lineage-svg .inner{fill:none}` +
    `.lineage-svg .edge{fill:none;stroke:#78909c;stroke-width:1.2}` +
    `.lineage-svg .node[tabindex]{cursor:pointer}.lineage-svg .node:focus{outline:none}` +
    `.lineage-svg .node:focus .shape,.lineage-svg .node.selected .shape{stroke:#0d47a1;stroke-width:3}`;
  const edges = layout.edges.map(
    (e) => `<path class="edge" data-from="${esc(e.from)}" data-to="${esc(e.to)}" d="${e.points.map((p, i) => `${i ? "L" : "M"}${r(p.x)},${r(p.y)}`).join(" ")}" marker-end="url(#lineage-arrow)"/>`,
  );
  const nodes = graph.nodes.map((n) => nodeSvg(n, layout.nodes.get(n.name)!, nodeStatus(options.status?.get(n.name)), !!options.focusable));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="lineage-svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="${options.focusable ? "group" : "img"}" aria-label="Lineage of ${graph.nodes.length} actions">` +
    `<title>Lineage: ${graph.nodes.length} actions, ${graph.edges.length} dependencies</title>` +
    `<style>${style}</style>` +
    `<defs><marker id="lineage-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#78909c"/></marker></defs>` +
    `<rect width="100%" height="100%" fill="#ffffff"/>` +
    `<g class="edges">${edges.join("")}</g>\n<g class="nodes">${nodes.join("\n")}</g>\n${leg.svg}</svg>\n`
  );
}
