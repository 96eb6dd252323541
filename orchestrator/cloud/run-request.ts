/**
 * What `vwatch cloud run` asks the Dataform service for, as v1 resources (camelCase JSON): the
 * compilation result (from the release config, or from a Git commitish with the release's
 * code compilation overrides and the run's vars merged over the release's) and the workflow
 * invocation (the selection as its invocation config). Pure.
 */
import { releaseConfigName } from "./names";
import { desiredReleaseConfig, repositoryRef, type Json } from "./desired";
import type { ProductionSettings } from "./settings-schema";
import type { ApiTarget } from "./targets";

export interface CloudRunFlags {
  tags?: string[];
  actions?: string[];
  includeDeps?: boolean;
  includeDependents?: boolean;
  fullRefresh?: boolean;
  /** --vars, parsed (checked by the caller). */
  vars?: Record<string, string>;
  commitish?: string;
}

/**
 * The compilation result to create. Plain `cloud run` compiles the release config, exactly what
 * the schedule runs. With --commitish or --vars the service is asked to compile a Git commitish
 * (the release's own by default) with the release's overrides from vwatch.yaml and the vars
 * merged: a compilation result from a release config takes no overrides of its own.
 */
export function compilationResultBody(p: ProductionSettings, flags: Pick<CloudRunFlags, "vars" | "commitish">): Json {
  if (!flags.commitish && !flags.vars) return { releaseConfig: releaseConfigName(repositoryRef(p), p.release.id) };
  const release = desiredReleaseConfig(p);
  const config = { ...release.codeCompilationConfig, vars: mergedVars(p, flags.vars) };
  return { gitCommitish: flags.commitish ?? p.release.gitCommitish, codeCompilationConfig: withoutEmpty(config) };
}

/** The release's vars with the run's on top (undefined when neither has any). */
export function mergedVars(p: ProductionSettings, vars: Record<string, string> | undefined): Record<string, string> | undefined {
  const merged = { ...(p.release.overrides.vars ?? {}), ...(vars ?? {}) };
  return Object.keys(merged).length ? merged : undefined;
}

/**
 * The invocation: the compilation result and the selection. It runs under the service account of
 * the first workflow config in vwatch.yaml (the one the schedule runs under), so a run from CI
 * has the rights the scheduled run has.
 */
export function invocationBody(p: ProductionSettings, compilationResult: string, flags: CloudRunFlags, targets: ApiTarget[]): Json {
  const invocationConfig = withoutEmpty({
    includedTargets: targets.length ? targets : undefined,
    includedTags: flags.tags?.length ? flags.tags : undefined,
    transitiveDependenciesIncluded: flags.includeDeps || undefined,
    transitiveDependentsIncluded: flags.includeDependents || undefined,
    fullyRefreshIncrementalTablesEnabled: flags.fullRefresh || undefined,
    serviceAccount: p.workflows[0]?.serviceAccount,
  });
  return { compilationResult, ...(Object.keys(invocationConfig).length ? { invocationConfig } : {}) };
}


function withoutEmpty(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
