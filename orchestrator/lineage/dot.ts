/** A lineage graph as Graphviz DOT (left to right): node ids are the action names, shapes mark types. */
import type { LineageGraph, NodeType } from "./graph";

const SHAPES: Record<NodeType, string> = {
  declaration: 'shape=cylinder',
  view: 'shape=box, style="rounded,dashed"',
  table: "shape=box",
  incremental: "shape=box, peripheries=2",
  assertion: "shape=hexagon",
  operation: "shape=parallelogram",
};

/** A DOT quoted string: backslash and double quote escaped, newlines as \n. */
export function dotString(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`).replace(/\r?\n/g, "\\n")}"`;
}

export function renderDot(graph: LineageGraph): string {
  const lines = ["digraph lineage {", "  rankdir=LR;", '  node [fontname="monospace", fontsize=11];'];
  for (const n of graph.nodes) {
    lines.push(`  ${dotString(n.name)} [label=${dotString(`${n.label}\n${n.type}`)}, ${SHAPES[n.type]}];`);
  }
  for (const e of graph.edges) lines.push(`  ${dotString(e.from)} -> ${dotString(e.to)};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
