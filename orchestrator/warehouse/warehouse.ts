import type { Target } from "../compile/graph";

/** A column as the warehouse reports it, with the type in BigQuery's vocabulary (STRING, INT64, …). */
export interface Column {
  name: string;
  type: string;
}

export interface TableMetadata {
  target: Target;
  kind: "table" | "view";
  columns: Column[];
}

export interface ExecuteResult {
  /** Rows written or returned by the statement; undefined when the engine does not say. */
  rows?: number;
  /** BigQuery dry runs: bytes the statement would scan. Undefined when unknown (never 0 for unknown). */
  bytesProcessed?: number;
}

/**
 * The seam between the engine and a warehouse. Statements reach `execute` already in the
 * warehouse's own dialect (the planner translates for DuckDB).
 */
export interface Warehouse {
  readonly dialect: "duckdb" | "bigquery";
  execute(sql: string, options?: { dryRun?: boolean }): Promise<ExecuteResult>;
  /** Runs a query with named parameters (@name in BigQuery, $name in DuckDB). */
  query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  /** undefined when the table or view does not exist. */
  tableMetadata(target: Target): Promise<TableMetadata | undefined>;
  close(): Promise<void>;
}

/** An integer as a JS number when that is exact, else its decimal string (both adapters' rule). */
export function safeInteger(v: bigint | string): number | string {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : String(v);
}

/** The start of a statement, to name it in an error. */
export function firstLine(sql: string): string {
  return sql.trim().split("\n")[0].slice(0, 120);
}
