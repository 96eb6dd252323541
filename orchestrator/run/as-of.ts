import type { CompiledGraph } from "../compile/graph";
import { relationName } from "../warehouse/dialect";
import type { Warehouse } from "../warehouse/warehouse";

const MENTIONS = "eventmentions_partitioned";

/**
 * The default as_of: the latest mention day present in the warehouse. Only the _PARTITIONTIME
 * pseudo-column is read, which BigQuery answers from partition metadata (0 bytes). Returns
 * undefined when the project does not use mentions or none are loaded.
 */
export async function latestMentionDay(graph: CompiledGraph, warehouse: Warehouse): Promise<string | undefined> {
  const declaration = graph.declarations?.find((d) => d.target.name === MENTIONS);
  if (!declaration || !(await warehouse.tableMetadata(declaration.target))) return undefined;
  const table = relationName(warehouse.dialect, declaration.target, graph.projectConfig);
  const sql =
    warehouse.dialect === "duckdb"
      ? `select strftime(max("_PARTITIONTIME"), '%Y-%m-%d') as day from ${table}`
      : `select format_date('%Y-%m-%d', date(max(_PARTITIONTIME))) as day from ${table} where _PARTITIONTIME is not null`;
  const [row] = await warehouse.query<{ day: string | null }>(sql);
  return row?.day ?? undefined;
}
