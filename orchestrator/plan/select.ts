import type { CompiledGraph, Target } from "../compile/graph";
import { targetName } from "../compile/graph";
import { InputError } from "../errors";

export interface Selection {
  tags?: string[];
  actions?: string[];
  includeDeps?: boolean;
  includeDependents?: boolean;
}

interface Node {
  name: string;
  tags: string[];
  deps: string[];
}

/** Matches "name" or a fully qualified "database.schema.name" against action names. */
function resolvePattern(pattern: string, names: string[]): string[] {
  if (pattern.includes(".")) return names.filter((n) => n === pattern || n.endsWith(`.${pattern}`));
  return names.filter((n) => n.split(".").pop() === pattern);
}

/**
 * Which actions a run includes, with the official CLI's semantics for --actions, --tags,
 * --include-deps and --include-dependents. Unlike it, an --actions name that matches nothing
 * (or more than one action) is an error rather than silently ignored.
 */
export function selectActions(graph: CompiledGraph, selection: Selection): Set<string> {
  const nodes: Node[] = [...(graph.tables ?? []), ...(graph.operations ?? []), ...(graph.assertions ?? [])].map((a) => ({
    name: targetName(a.target),
    tags: a.tags ?? [],
    deps: (a.dependencyTargets ?? []).map((t: Target) => targetName(t)),
  }));
  const names = nodes.map((n) => n.name);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const hasActions = (selection.actions?.length ?? 0) > 0;
  const hasTags = (selection.tags?.length ?? 0) > 0;
  if (!hasActions && !hasTags) return new Set(names);

  const included = new Set<string>();
  for (const pattern of selection.actions ?? []) {
    const matches = resolvePattern(pattern, names);
    if (matches.length === 0) {
      throw new InputError(`no action named "${pattern}"; run \`vwatch compile\` to list the actions`);
    }
    if (matches.length > 1) {
      throw new InputError(`"${pattern}" is ambiguous (${matches.join(", ")}); use the fully qualified name`);
    }
    included.add(matches[0]);
  }
  if (hasTags) {
    const known = new Set(nodes.flatMap((n) => n.tags));
    const unknown = selection.tags!.filter((t) => !known.has(t));
    if (unknown.length === selection.tags!.length) {
      throw new InputError(`no action has tag ${unknown.map((t) => `"${t}"`).join(" or ")}; known tags: ${[...known].sort().join(", ") || "none"}`);
    }
    for (const n of nodes) if (n.tags.some((t) => selection.tags!.includes(t))) included.add(n.name);
  }
  if (selection.includeDeps) {
    const queue = [...included];
    while (queue.length) {
      for (const dep of byName.get(queue.pop()!)?.deps ?? []) {
        if (byName.has(dep) && !included.has(dep)) {
          included.add(dep);
          queue.push(dep);
        }
      }
    }
  }
  if (selection.includeDependents) {
    const queue = [...included];
    while (queue.length) {
      const name = queue.pop()!;
      for (const n of nodes) {
        if (n.deps.includes(name) && !included.has(n.name)) {
          included.add(n.name);
          queue.push(n.name);
        }
      }
    }
  }
  return included;
}
