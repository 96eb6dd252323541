import * as path from "path";
import type { Config } from "../config";
import { ConfigError } from "../errors";
import type { Warehouse } from "./warehouse";
import { relationName } from "./dialect";

/** The project-level settings the adapters need, from the compiled graph's projectConfig. */
export interface ProjectDefaults {
  defaultDatabase?: string;
  defaultSchema?: string;
  defaultLocation?: string;
}

export function warehouseFile(config: Config): string {
  return path.join(config.home, "warehouse.duckdb");
}

/** The one place adapters are chosen; heavy clients are imported only by their adapter. */
export async function openWarehouse(config: Config, project: ProjectDefaults = {}): Promise<Warehouse> {
  if (config.warehouse === "duckdb") {
    const { openDuckdb } = await import("./duckdb");
    return openDuckdb(warehouseFile(config), { defaultDatabase: project.defaultDatabase });
  }
  const projectId = config.bigquery.projectId ?? project.defaultDatabase;
  if (!projectId) throw new ConfigError("set GOOGLE_CLOUD_PROJECT (or defaultProject in workflow_settings.yaml) to use BigQuery");
  // Credentials first: without them the client would wait on the metadata server, then fail on the network.
  const { findCredentials, LOOPBACK } = await import("./bigquery-credentials");
  if (!config.bigquery.apiEndpoint || !LOOPBACK.test(config.bigquery.apiEndpoint)) await findCredentials();
  const { openBigQuery } = await import("./bigquery");
  return openBigQuery({
    projectId,
    location: config.bigquery.location ?? project.defaultLocation,
    apiEndpoint: config.bigquery.apiEndpoint,
    defaultDatabase: project.defaultDatabase,
    labels: { tool: "vwatch" },
  });
}

/** The warehouse name of an output table, quoted for the configured dialect. */
export function outputTableName(config: Config, project: ProjectDefaults, name: string, schema?: string): string {
  return relationName(config.warehouse, { database: project.defaultDatabase, schema: schema ?? project.defaultSchema, name }, project);
}
