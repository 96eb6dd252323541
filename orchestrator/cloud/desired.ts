/**
 * What vwatch.yaml asks the Dataform service to hold, as API resources (camelCase JSON of the v1
 * protos): the repository, the release config and each workflow config. Pure.
 */
import type { ApiTarget } from "./targets";
import { releaseConfigName, repositoryName, type RepositoryRef } from "./names";
import type { ProductionSettings } from "./settings-schema";

export type Json = Record<string, any>;

/**
 * The configs vwatch manages are recorded in the repository's labels, since release and workflow
 * configs have no labels of their own: `vwatch-rc-ID` / `vwatch-wc-ID` = `managed`. `--prune`
 * deletes only configs so marked.
 */
export const MARK_VALUE = "managed";
export const releaseMark = (id: string) => `vwatch-rc-${id}`;
export const workflowMark = (id: string) => `vwatch-wc-${id}`;
export const MARK = /^vwatch-(rc|wc)-(.+)$/;

export function repositoryRef(p: ProductionSettings): RepositoryRef {
  return { project: p.project, region: p.region, repository: p.repository.id };
}

export function desiredRepository(p: ProductionSettings): Json {
  const { url, defaultBranch, tokenSecretVersion } = p.repository.git;
  return { name: repositoryName(repositoryRef(p)), gitRemoteSettings: { url, defaultBranch, authenticationTokenSecretVersion: tokenSecretVersion } };
}

export function desiredReleaseConfig(p: ProductionSettings): Json {
  const r = p.release;
  const o = r.overrides;
  return {
    name: releaseConfigName(repositoryRef(p), r.id),
    gitCommitish: r.gitCommitish,
    codeCompilationConfig: {
      defaultDatabase: o.defaultProject,
      defaultSchema: o.defaultDataset,
      defaultLocation: o.defaultLocation,
      assertionSchema: o.defaultAssertionDataset,
      databaseSuffix: o.projectSuffix,
      schemaSuffix: o.datasetSuffix,
      tablePrefix: o.namePrefix,
      vars: o.vars,
    },
    cronSchedule: r.cron,
    timeZone: r.timeZone,
    disabled: r.disabled,
  };
}

/** One workflow config; `targets` are its `actions` resolved against the compiled graph. */
export function desiredWorkflowConfig(p: ProductionSettings, index: number, targets: ApiTarget[]): Json {
  const w = p.workflows[index];
  return {
    name: `${repositoryName(repositoryRef(p))}/workflowConfigs/${w.id}`,
    releaseConfig: releaseConfigName(repositoryRef(p), p.release.id),
    invocationConfig: {
      includedTargets: targets,
      includedTags: w.tags,
      transitiveDependenciesIncluded: w.includeDependencies,
      transitiveDependentsIncluded: w.includeDependents,
      fullyRefreshIncrementalTablesEnabled: w.fullRefresh,
      serviceAccount: w.serviceAccount,
    },
    cronSchedule: w.cron,
    timeZone: w.timeZone,
    disabled: w.disabled,
  };
}
