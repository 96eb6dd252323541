import type { Target } from "../compile/graph";

/**
 * How BigQuery's project.dataset.table maps into one DuckDB file: the default project's
 * datasets become DuckDB schemas of the same name; any other project's dataset becomes the
 * schema "project.dataset" (e.g. "gdelt-bq.gdeltv2"), so declarations of public tables and our
 * own datasets coexist without clashing.
 */
export function duckdbSchema(target: Target, defaultDatabase: string | undefined): string {
  const schema = target.schema ?? "main";
  if (!target.database || target.database === defaultDatabase) return schema;
  return `${target.database}.${schema}`;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The quoted DuckDB name of a BigQuery target, e.g. "gdelt-bq.gdeltv2"."events_partitioned". */
export function duckdbTableName(target: Target, defaultDatabase: string | undefined): string {
  return `${duckdbSchemaName(target, defaultDatabase)}.${quoteIdent(target.name)}`;
}

/** The quoted DuckDB schema of a BigQuery target's dataset. */
export function duckdbSchemaName(target: Target, defaultDatabase: string | undefined): string {
  return quoteIdent(duckdbSchema(target, defaultDatabase));
}

/** A DuckDB string literal. */
export function duckdbString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
