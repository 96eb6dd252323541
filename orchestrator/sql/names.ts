import type { Target } from "../compile/graph";

/** The project-level defaults a table name is completed with (workflow_settings.yaml, compiled). */
export interface ProjectDefaults {
  defaultDatabase?: string;
  defaultSchema?: string;
  defaultLocation?: string;
}

/**
 * A target's BigQuery name, `project.dataset.table` in one pair of backticks (or `dataset.table`
 * without a default project): the form the official Dataform CLI writes, and the form hand-written
 * queries use, whatever warehouse runs them (the DuckDB adapter maps it to its own relation).
 */
export function bigqueryTableName(target: Target, defaults: Pick<ProjectDefaults, "defaultDatabase" | "defaultSchema"> = {}): string {
  const database = target.database || defaults.defaultDatabase;
  const schema = target.schema || defaults.defaultSchema;
  return database ? `\`${database}.${schema}.${target.name}\`` : `\`${schema}.${target.name}\``;
}
