/**
 * The web view's reads of the warehouse: queries/*.sql through the same layer as the CLI (the
 * compiled project's table names, bound parameters), on DuckDB or BigQuery alike. A model not
 * built yet is an InputError naming the run that builds it (query/built.ts), shown on the page.
 */
import { requireTables } from "../query/built";
import { runAnalystQuery } from "../query/run-query";
import { projectTables, querySql } from "../query/sql-file";
import type { Session } from "../run/session";

export async function webQuery<T>(session: Session, name: string, options: { models: string[]; params?: Record<string, unknown>; when?: Record<string, boolean | string> }): Promise<T[]> {
  const graph = session.graph();
  const warehouse = await session.warehouse();
  await requireTables(graph, warehouse, options.models);
  return runAnalystQuery<T>(warehouse, { sql: querySql(name, { tables: projectTables(graph), when: options.when }), params: options.params ?? {} });
}
