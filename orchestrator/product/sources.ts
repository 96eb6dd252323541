/**
 * The columns of the sources the project declares, as the loaders create them: the GDELT tables
 * (load/gdelt-schema.ts) and the raw economic tables (load/economic-schema.ts). Validation types
 * the declarations from these (the sourceColumns hook).
 */
import type { Target } from "../compile/graph";
import { ECONOMIC_TABLES } from "../load/economic-schema";
import { GDELT_TABLES, PARTITION_COLUMN } from "../load/gdelt-schema";
import type { SourceColumn } from "../run/hooks";

/** Pseudo-columns of an ingestion-time partitioned table: readable, not part of `select *`. */
const INGESTION_TIME_PSEUDO_COLUMNS: SourceColumn[] = [
  { name: PARTITION_COLUMN, type: "TIMESTAMP", pseudo: true },
  { name: "_PARTITIONDATE", type: "DATE", pseudo: true },
];

const sameTarget = (a: Target, b: Target) =>
  a.name.toLowerCase() === b.name.toLowerCase() && (a.schema ?? "").toLowerCase() === (b.schema ?? "").toLowerCase() && (a.database ?? "").toLowerCase() === (b.database ?? "").toLowerCase();

/** The GDELT 2.0 tables as the loader creates them; both are ingestion-time partitioned. */
export function gdeltColumns(target: Target): SourceColumn[] | undefined {
  const table = Object.values(GDELT_TABLES).find((t) => sameTarget(t.target, target));
  return table && [...table.columns.map(({ name, type }) => ({ name, type })), ...INGESTION_TIME_PSEUDO_COLUMNS];
}

/** The raw economic tables the loaders fill, in the default project (any project matches). */
function economicColumns(target: Target): SourceColumn[] | undefined {
  const table = Object.values(ECONOMIC_TABLES).find((t) => sameTarget(t.target, { ...target, database: undefined }));
  return table?.columns.map(({ name, type }) => ({ name, type }));
}

/** Every declared source the project states columns for. */
export const sourceColumns = (target: Target): SourceColumn[] | undefined => gdeltColumns(target) ?? economicColumns(target);
