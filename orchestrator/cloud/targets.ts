/**
 * Tags and actions checked against a compiled graph before anything runs or is deployed: an
 * unknown tag or action is an error naming where it was written (a vwatch.yaml line, a flag).
 * Actions may be written `name`, `dataset.name` or `project.dataset.name`; each resolves to the
 * full target the service compiled. The graph is the orchestrator's own compile (deploy) or the
 * service's compilation result (cloud run). Pure.
 */
import type { CompiledGraph, Target } from "../compile/graph";
import { targetName } from "../compile/graph";
import { nearest } from "../compile/vars";
import { ConfigError } from "../errors";
import type { DeploySettings } from "./settings";

/** A target as the API takes it (database, schema, name). */
export interface ApiTarget {
  database?: string;
  schema?: string;
  name: string;
}

/** What a selection is checked against: the actions that run, the declarations, every tag. */
export interface SelectionCandidates {
  runnable: Target[];
  declared: string[];
  tags: string[];
}

export function candidatesFromGraph(graph: CompiledGraph): SelectionCandidates {
  const actions = [...(graph.tables ?? []), ...(graph.operations ?? []), ...(graph.assertions ?? [])];
  return {
    runnable: actions.map((a) => a.target),
    declared: (graph.declarations ?? []).map((d) => targetName(d.target)),
    tags: [...new Set(actions.flatMap((a) => a.tags ?? []))],
  };
}

/**
 * Resolves written tags and actions; each problem is one line starting with `where(kind, index)`
 * (e.g. `vwatch.yaml:12: production.workflows[0].tags` or `--actions`).
 */
export function resolveSelection(c: SelectionCandidates, tags: string[], actions: string[], where: (kind: "tags" | "actions", index: number) => string): { targets: ApiTarget[]; problems: string[] } {
  const problems: string[] = [];
  const known = new Set(c.tags);
  tags.forEach((tag, j) => {
    if (!known.has(tag)) {
      const hint = nearest(tag, c.tags);
      problems.push(`${where("tags", j)}: no action has the tag "${tag}"${hint ? `; did you mean ${hint}?` : ""} (tags: ${[...c.tags].sort().join(", ")})`);
    }
  });
  const targets = actions.flatMap((written, j) => {
    const parts = written.split(".");
    const found = c.runnable.filter((t) => {
      const full = [t.database ?? "", t.schema ?? "", t.name];
      return parts.length <= 3 && parts.every((p, k) => full[full.length - parts.length + k] === p);
    });
    if (found.length === 1) return [{ database: found[0].database, schema: found[0].schema, name: found[0].name }];
    if (found.length > 1) problems.push(`${where("actions", j)}: "${written}" names ${found.length} actions (${found.map(targetName).join(", ")}); write dataset.name`);
    else if (c.declared.some((d) => d === written || d.endsWith(`.${written}`))) problems.push(`${where("actions", j)}: "${written}" is a declaration (a source table), which does not run`);
    else {
      const hint = nearest(parts[parts.length - 1], c.runnable.map((t) => t.name));
      problems.push(`${where("actions", j)}: no action "${written}" in the compiled project${hint ? `; did you mean ${hint}?` : ""}`);
    }
    return [];
  });
  return { targets, problems };
}

/** For each workflow config, its actions as targets; throws one ConfigError listing every unknown name. */
export function resolveWorkflowTargets(settings: DeploySettings, graph: CompiledGraph): ApiTarget[][] {
  const candidates = candidatesFromGraph(graph);
  const problems: string[] = [];
  const resolved = settings.production.workflows.map((w, i) => {
    const r = resolveSelection(candidates, w.tags, w.actions, (kind, j) => `${settings.where(["production", "workflows", i, kind, j])}: production.workflows[${i}].${kind}`);
    problems.push(...r.problems);
    return r.targets;
  });
  if (problems.length) throw new ConfigError(problems.join("\n"));
  return resolved;
}

/** The candidates of the service's compilation result (QueryCompilationResultActions). */
export function candidatesFromCompilation(actions: { target?: { database?: string | null; schema?: string | null; name?: string | null } | null; declaration?: unknown; relation?: { tags?: string[] | null } | null; operations?: { tags?: string[] | null } | null; assertion?: { tags?: string[] | null } | null; notebook?: { tags?: string[] | null } | null; dataPreparation?: { tags?: string[] | null } | null }[]): SelectionCandidates {
  const target = (t: NonNullable<(typeof actions)[number]["target"]>): Target => ({ database: t.database || undefined, schema: t.schema || undefined, name: t.name ?? "" });
  const named = actions.filter((a) => a.target?.name);
  const runnable = named.filter((a) => !a.declaration);
  return {
    runnable: runnable.map((a) => target(a.target!)),
    declared: named.filter((a) => a.declaration).map((a) => targetName(target(a.target!))),
    tags: [...new Set(runnable.flatMap((a) => (a.relation ?? a.operations ?? a.assertion ?? a.notebook ?? a.dataPreparation)?.tags ?? []))],
  };
}
