/**
 * Where the Dataform service builds the tables: the release config's code compilation overrides
 * from vwatch.yaml (default project, dataset, location …), as core's ProjectConfig fields, and the
 * BigQuery configuration that reads them there. What follows a run in Google Cloud (`cloud run`'s
 * write-back, the served sync and check after a Dataform completion) opens its session with it.
 */
import type { Config } from "../config";
import type { DeploySettings } from "./settings";

/** The release config's overrides as core's ProjectConfig fields, the unset ones left out. */
export function releaseOverrides(settings: DeploySettings): Record<string, string> {
  const o = settings.production.release.overrides;
  const overrides = { defaultDatabase: o.defaultProject, defaultSchema: o.defaultDataset, defaultLocation: o.defaultLocation, assertionSchema: o.defaultAssertionDataset, databaseSuffix: o.projectSuffix, schemaSuffix: o.datasetSuffix, tablePrefix: o.namePrefix };
  return Object.fromEntries(Object.entries(overrides).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The config that reads the tables the service built: BigQuery, with the release's overrides. */
export function cloudBigQueryConfig(config: Config, settings: DeploySettings): Config {
  const o = settings.production.release.overrides;
  return {
    ...config,
    warehouse: "bigquery" as const,
    bigquery: { ...config.bigquery, projectId: config.bigquery.projectId ?? o.defaultProject ?? settings.production.project, location: config.bigquery.location ?? o.defaultLocation },
    projectOverrides: releaseOverrides(settings),
  };
}
