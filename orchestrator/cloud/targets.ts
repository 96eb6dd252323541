/**
 * A workflow config's tags and actions checked against the compiled graph before anything is
 * deployed: an unknown tag or action is an error naming its vwatch.yaml line. Actions may be
 * written `name`, `dataset.name` or `project.dataset.name`; each resolves to the full target the
 * service will compile. Pure.
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

/** For each workflow config, its actions as targets; throws one ConfigError listing every unknown name. */
export function resolveWorkflowTargets(settings: DeploySettings, graph: CompiledGraph): ApiTarget[][] {
  const runnable: Target[] = [...(graph.tables ?? []), ...(graph.operations ?? []), ...(graph.assertions ?? [])].map((a) => a.target);
  const declared = new Set((graph.declarations ?? []).map((d) => targetName(d.target)));
  const tags = new Set([...(graph.tables ?? []), ...(graph.operations ?? []), ...(graph.assertions ?? [])].flatMap((a) => a.tags ?? []));
  const problems: string[] = [];
  const resolved = settings.production.workflows.map((w, i) => {
    w.tags.forEach((tag, j) => {
      if (!tags.has(tag)) {
        const hint = nearest(tag, [...tags]);
        problems.push(`${settings.where(["production", "workflows", i, "tags", j])}: production.workflows[${i}].tags: no action has the tag "${tag}"${hint ? `; did you mean ${hint}?` : ""} (tags: ${[...tags].sort().join(", ")})`);
      }
    });
    return w.actions.flatMap((written, j) => {
      const at = settings.where(["production", "workflows", i, "actions", j]);
      const parts = written.split(".");
      const found = runnable.filter((t) => {
        const full = [t.database ?? "", t.schema ?? "", t.name];
        return parts.length <= 3 && parts.every((p, k) => full[full.length - parts.length + k] === p);
      });
      if (found.length === 1) return [{ database: found[0].database, schema: found[0].schema, name: found[0].name }];
      if (found.length > 1) problems.push(`${at}: production.workflows[${i}].actions: "${written}" names ${found.length} actions (${found.map(targetName).join(", ")}); write dataset.name`);
      else if ([...declared].some((d) => d === written || d.endsWith(`.${written}`))) problems.push(`${at}: production.workflows[${i}].actions: "${written}" is a declaration (a source table), which does not run`);
      else {
        const hint = nearest(parts[parts.length - 1], runnable.map((t) => t.name));
        problems.push(`${at}: production.workflows[${i}].actions: no action "${written}" in the compiled project${hint ? `; did you mean ${hint}?` : ""}`);
      }
      return [];
    });
  });
  if (problems.length) throw new ConfigError(problems.join("\n"));
  return resolved;
}
