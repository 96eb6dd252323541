import type { Target } from "../compile/graph";
import { resolveTarget } from "../plan/bigquery-sql";
import { duckdbTableName } from "./duckdb-names";
import type { Warehouse } from "./warehouse";

/** Small SQL spellings that differ between the two warehouses, for hand-written queries. */
type Dialect = Warehouse["dialect"];

/** A target's name quoted for the dialect: `p.d.t` on BigQuery, "d"."t" (or "p.d"."t") on DuckDB. */
export function relationName(dialect: Dialect, target: Target, project: { defaultDatabase?: string; defaultSchema?: string }): string {
  return dialect === "duckdb"
    ? duckdbTableName({ ...target, schema: target.schema || project.defaultSchema }, project.defaultDatabase)
    : resolveTarget(target, project.defaultDatabase, project.defaultSchema);
}

/** The name of the string type, for casts. */
export const textType = (dialect: Dialect) => (dialect === "duckdb" ? "varchar" : "string");

/** A named query parameter as each adapter binds it. */
export const param = (dialect: Dialect, name: string) => (dialect === "duckdb" ? `$${name}` : `@${name}`);
