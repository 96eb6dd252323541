/**
 * The product's write-back after a run in Google Cloud (`cloud run` on the Dataform service, or
 * `cloud run --via transfer`): mention_spikes is read from BigQuery where the service built it,
 * with the release config's overrides (the same the scheduled queries are rendered with), and
 * written to PostgreSQL as after a local run.
 */
import type { DeploySettings } from "../cloud/settings";
import type { Config } from "../config";
import type { Selection } from "../plan/select";
import type { RunRecord } from "../run/results";
import type { Cli } from "./context";

/** The release config's overrides as core's ProjectConfig fields, the unset ones left out. */
export function releaseOverrides(settings: DeploySettings): Record<string, string> {
  const o = settings.production.release.overrides;
  const overrides = { defaultDatabase: o.defaultProject, defaultSchema: o.defaultDataset, defaultLocation: o.defaultLocation, assertionSchema: o.defaultAssertionDataset, databaseSuffix: o.projectSuffix, schemaSuffix: o.datasetSuffix, tablePrefix: o.namePrefix };
  return Object.fromEntries(Object.entries(overrides).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The config the write-back and the job lookups use: BigQuery, where the service built the tables. */
export function cloudBigQueryConfig(config: Config, settings: DeploySettings): Config {
  const o = settings.production.release.overrides;
  return {
    ...config,
    warehouse: "bigquery" as const,
    bigquery: { ...config.bigquery, projectId: config.bigquery.projectId ?? o.defaultProject ?? settings.production.project, location: config.bigquery.location ?? o.defaultLocation },
    // The write-back reads mention_spikes where the service built it: the release's overrides apply.
    projectOverrides: releaseOverrides(settings),
  };
}

/**
 * The product's step after a run (the spikes to PostgreSQL when mention_spikes succeeded, unless
 * `writeBack` is false), then the run recorded in the run ledger: its exit code.
 */
export async function writeBackAfterCloudRun(cli: Cli, config: Config, record: RunRecord, json: boolean, options: { writeBack?: boolean; selection?: Selection } = {}): Promise<number> {
  return cli.withSession(config, async (session) => {
    const code = options.writeBack === false ? 0 : ((await session.hooks.afterRun?.(session, record, { json, writeBack: undefined })) ?? 0);
    const { recordShellRun } = await import("./record-run");
    await recordShellRun(session, record, options.selection ?? {});
    return code;
  });
}
