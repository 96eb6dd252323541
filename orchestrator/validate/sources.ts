/**
 * Column names and types of declarations (tables the project reads but does not build), from
 * where the project states them. Dataform's `columns` on a declaration carry descriptions, not
 * types, so they cannot type a table; the loaders' schemas (load/gdelt-schema.ts,
 * load/economic-schema.ts) do.
 * A declaration no source describes is left out of the catalog and the statements reading it are
 * reported as not validated rather than failing for the wrong reason.
 */
import type { Target } from "../compile/graph";
import { ECONOMIC_TABLES } from "../load/economic-schema";
import { GDELT_TABLES, PARTITION_COLUMN } from "../load/gdelt-schema";
import type { Column } from "../warehouse/warehouse";
import { parseBigQueryType } from "./bigquery-types";
import type { CatalogColumn } from "./catalog";

/** The columns of a declared table, or undefined when the project does not state them. */
export type SourceSchemas = (target: Target) => CatalogColumn[] | undefined;

/** Pseudo-columns of an ingestion-time partitioned table: readable, not part of `select *`. */
const INGESTION_TIME_PSEUDO_COLUMNS: CatalogColumn[] = [
  { name: PARTITION_COLUMN, type: { typeKind: "TYPE_TIMESTAMP" }, pseudo: true },
  { name: "_PARTITIONDATE", type: { typeKind: "TYPE_DATE" }, pseudo: true },
];

export const columnsOf = (columns: readonly Column[]): CatalogColumn[] => columns.map((c) => ({ name: c.name, type: parseBigQueryType(c.type) }));

const sameTarget = (a: Target, b: Target) =>
  a.name.toLowerCase() === b.name.toLowerCase() && (a.schema ?? "").toLowerCase() === (b.schema ?? "").toLowerCase() && (a.database ?? "").toLowerCase() === (b.database ?? "").toLowerCase();

/** The GDELT 2.0 tables as the loader creates them; both are ingestion-time partitioned. */
export const gdeltSchemas: SourceSchemas = (target) => {
  const table = Object.values(GDELT_TABLES).find((t) => sameTarget(t.target, target));
  return table && [...columnsOf(table.columns), ...INGESTION_TIME_PSEUDO_COLUMNS];
};

/** The raw economic tables the loaders fill, in the default project (any project matches). */
const economicSchemas: SourceSchemas = (target) => {
  const table = Object.values(ECONOMIC_TABLES).find((t) => sameTarget(t.target, { ...target, database: undefined }));
  return table && columnsOf(table.columns);
};

/** Every declared source the project states columns for. */
export const projectSources: SourceSchemas = (target) => gdeltSchemas(target) ?? economicSchemas(target);
