/**
 * A lineage graph as a Mermaid flowchart (left to right), for docs and pull requests: the node's
 * shape marks its type (cylinder declaration, rounded view, rectangle table, double-sided
 * incremental, hexagon assertion, parallelogram operation); ids are the action names made safe.
 */
import type { LineageGraph, NodeType } from "./graph";

const SHAPES: Record<NodeType, [string, string]> = {
  declaration: ["[(", ")]"],
  view: ["(", ")"],
  table: ["[", "]"],
  incremental: ["[[", "]]"],
  assertion: ["{{", "}}"],
  operation: ["[/", "/]"],
};

/** Mermaid ids: the name with every character other than a letter, digit or _ made _, unique. */
export function mermaidIds(names: string[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const name of names) {
    const base = name.replace(/[^A-Za-z0-9_]/g, "_");
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}_${i}`;
    used.add(id);
    ids.set(name, id);
  }
  return ids;
}

/** A label inside Mermaid's quotes: `"` and the characters Mermaid reads as markup as entity codes. */
function quote(text: string): string {
  return `"${text.replace(/[#"<>]/g, (c) => `#${c.charCodeAt(0)};`)}"`;
}

export function renderMermaid(graph: LineageGraph): string {
  const ids = mermaidIds(graph.nodes.map((n) => n.name));
  const lines = ["flowchart LR"];
  for (const n of graph.nodes) {
    const [open, close] = SHAPES[n.type];
    lines.push(`  ${ids.get(n.name)}${open}${quote(n.label)}${close}`);
  }
  for (const e of graph.edges) lines.push(`  ${ids.get(e.from)} --> ${ids.get(e.to)}`);
  return `${lines.join("\n")}\n`;
}
