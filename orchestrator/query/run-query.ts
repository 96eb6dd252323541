import type { CompiledGraph, Target } from "../compile/graph";
import { ConfigError } from "../errors";
import { bigqueryTableName } from "../sql/names";
import type { Warehouse } from "../warehouse/warehouse";

/**
 * An analyst query: written once in BigQuery SQL with named @parameters, run on either warehouse.
 * Every value a user typed is in `params` and only ever bound; the SQL text is built from code and
 * from the compiled project's table names.
 */
export interface AnalystQuery {
  sql: string;
  params: Record<string, unknown>;
}

const APP_TABLES = ["events", "entity_mentions", "entities"] as const;
/** BigQuery names (`project.dataset.table`) of the application tables, by table name. */
export type AppTables = Record<(typeof APP_TABLES)[number], string>;

/**
 * Where the compiled project puts the application tables (a model, or a declaration when another
 * project builds them), so a project with another dataset or project still finds them.
 */
export function appTables(graph: CompiledGraph): AppTables {
  const cfg = graph.projectConfig;
  const targets: Target[] = [...(graph.tables ?? []), ...(graph.declarations ?? []), ...(graph.operations ?? [])].map((a) => a.target);
  const out = {} as AppTables;
  for (const name of APP_TABLES) {
    const found = targets.filter((t) => t.name === name);
    const target = found.find((t) => (t.schema || cfg.defaultSchema) === cfg.defaultSchema) ?? found[0];
    if (!target) throw new ConfigError(`the project defines no table "${name}" (a model or a declaration); the analyst queries read it`);
    out[name] = bigqueryTableName(target, cfg);
  }
  return out;
}

/** Runs the query on the warehouse: as it is on BigQuery, translated by the DuckDB adapter on DuckDB. */
export async function runAnalystQuery<T = Record<string, unknown>>(warehouse: Warehouse, query: AnalystQuery): Promise<T[]> {
  return warehouse.run<T>(query.sql, query.params);
}
