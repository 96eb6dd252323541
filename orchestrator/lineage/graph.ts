/**
 * The compiled graph as a plain lineage graph: one node per action (declarations included), named
 * as plan names actions (`database.schema.name`), and one edge per dependency, upstream → downstream.
 * Pure: the renderers (svg.ts, mermaid.ts, dot.ts) and the web page draw this.
 */
import type { CompiledGraph, Target } from "../compile/graph";
import { targetName } from "../compile/graph";

export type NodeType = "declaration" | "view" | "table" | "incremental" | "assertion" | "operation";
export const NODE_TYPES: NodeType[] = ["declaration", "view", "table", "incremental", "assertion", "operation"];

export interface LineageNode {
  /** The action's name as plan and the run ledger use it: database.schema.name. */
  name: string;
  /** What a diagram shows: the short name, qualified only as far as needed to be unique. */
  label: string;
  type: NodeType;
  /** The SQLX file, relative to the project folder. */
  file?: string;
  description?: string;
  columns: { name: string; description?: string }[];
  tags: string[];
  /** The compiled SQL (an incremental table's incremental query after its full one); none for a declaration. */
  sql?: string;
  upstream: string[];
  downstream: string[];
}

export interface LineageEdge {
  from: string;
  to: string;
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
}

function tableType(enumType: string | undefined, type: string | undefined): NodeType {
  const t = String(enumType ?? type ?? "table").toLowerCase();
  return t === "view" || t === "incremental" ? t : "table";
}

function sqlOf(parts: (string | undefined)[]): string | undefined {
  const text = parts.filter((p): p is string => !!p && p.trim() !== "").map((p) => p.trim()).join(";\n\n");
  return text || undefined;
}

/** Short names where they are unique, else schema.name, else the full name. */
function labels(names: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const tail = (n: string, k: number) => n.split(".").slice(-k).join(".");
  for (const name of names) {
    let k = 1;
    while (k < name.split(".").length && names.some((o) => o !== name && tail(o, k) === tail(name, k))) k++;
    out.set(name, tail(name, k));
  }
  return out;
}

/**
 * The lineage of a compiled graph. `only`, when given, keeps those actions (as selectActions
 * returns them) and the edges between them; declarations are kept when a kept action reads them.
 */
export function lineageGraph(graph: CompiledGraph, only?: Set<string>): LineageGraph {
  type Raw = Omit<LineageNode, "label" | "upstream" | "downstream"> & { deps: Target[] };
  const columns = (d?: { columns?: { path: string[]; description?: string }[] }) =>
    (d?.columns ?? []).map((c) => ({ name: c.path.join("."), ...(c.description ? { description: c.description } : {}) }));
  const common = (a: { target: Target; fileName?: string; tags?: string[]; dependencyTargets?: Target[]; actionDescriptor?: { description?: string; columns?: { path: string[]; description?: string }[] } }) => ({
    name: targetName(a.target),
    ...(a.fileName ? { file: a.fileName } : {}),
    ...(a.actionDescriptor?.description ? { description: a.actionDescriptor.description } : {}),
    columns: columns(a.actionDescriptor),
    tags: a.tags ?? [],
    deps: a.dependencyTargets ?? [],
  });
  let raw: Raw[] = [
    ...(graph.declarations ?? []).map((a) => ({ ...common(a), type: "declaration" as const })),
    ...(graph.tables ?? []).map((a) => ({ ...common(a), type: tableType(a.enumType, a.type), sql: sqlOf([a.query, a.incrementalQuery !== a.query ? a.incrementalQuery : undefined]) })),
    ...(graph.operations ?? []).map((a) => ({ ...common(a), type: "operation" as const, sql: sqlOf(a.queries ?? []) })),
    ...(graph.assertions ?? []).map((a) => ({ ...common(a), type: "assertion" as const, sql: sqlOf([a.query]) })),
  ];
  if (only) {
    const read = new Set(raw.filter((n) => only.has(n.name)).flatMap((n) => n.deps.map(targetName)));
    raw = raw.filter((n) => only.has(n.name) || (n.type === "declaration" && read.has(n.name)));
  }
  const known = new Set(raw.map((n) => n.name));
  const edges: LineageEdge[] = [];
  for (const n of raw) {
    for (const dep of new Set(n.deps.map(targetName))) if (known.has(dep)) edges.push({ from: dep, to: n.name });
  }
  const label = labels(raw.map((n) => n.name));
  const nodes = raw.map(({ deps: _deps, ...n }) => ({
    ...n,
    label: label.get(n.name)!,
    upstream: edges.filter((e) => e.to === n.name).map((e) => e.from),
    downstream: edges.filter((e) => e.from === n.name).map((e) => e.to),
  }));
  return { nodes, edges };
}
