import * as path from "path";
import type { Config } from "../config";
import { ConfigError } from "../errors";
import type { ProjectDefaults } from "../sql/names";
import type { Warehouse } from "./warehouse";

export type { ProjectDefaults };

export function warehouseFile(config: Pick<Config, "home">): string {
  return path.join(config.home, "warehouse.duckdb");
}

/** The one place adapters are chosen; heavy clients are imported only by their adapter. */
export async function openWarehouse(config: Config, project: ProjectDefaults = {}): Promise<Warehouse> {
  const defaults = { defaultDatabase: project.defaultDatabase, defaultSchema: project.defaultSchema, defaultLocation: project.defaultLocation };
  if (config.warehouse === "duckdb") {
    const { openDuckdb } = await import("./duckdb/adapter");
    return openDuckdb(warehouseFile(config), defaults);
  }
  const projectId = config.bigquery.projectId ?? project.defaultDatabase;
  if (!projectId) throw new ConfigError("set GOOGLE_CLOUD_PROJECT (or defaultProject in workflow_settings.yaml) to use BigQuery");
  // Credentials first: without them the client would wait on the metadata server, then fail on the network.
  const { findCredentials, LOOPBACK } = await import("./bigquery/credentials");
  if (!config.bigquery.apiEndpoint || !LOOPBACK.test(config.bigquery.apiEndpoint)) await findCredentials();
  const { openBigQuery } = await import("./bigquery/adapter");
  return openBigQuery({
    projectId,
    location: config.bigquery.location ?? project.defaultLocation,
    apiEndpoint: config.bigquery.apiEndpoint,
    ...defaults,
    labels: { tool: "vwatch" },
  });
}
