import type { Target } from "../compile/graph";
import type { PgSink } from "../postgres/connect";
import type { ExternalQuery } from "../sql/external-query";
import type { StatementBuilder } from "./statements";

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
 * The seam between the engine and a warehouse; each adapter owns its SQL. Callers write BigQuery
 * SQL once (`run`) and never branch on which warehouse they have: the adapter names tables
 * (`relation`), builds the plan's statements (`statements`) and makes hand-written SQL native.
 */
export interface Warehouse {
  /** Which warehouse this is, for people and records (run results, reports); not to branch on. */
  readonly dialect: "duckdb" | "bigquery";
  /** The local warehouse file that `vwatch load` fills (DuckDB); false for a remote warehouse. */
  readonly local: boolean;
  /** Runs statements in the warehouse's own SQL, as the plan built them. */
  execute(sql: string, options?: { dryRun?: boolean }): Promise<ExecuteResult>;
  /** Runs a query in the warehouse's own SQL with named parameters (@name in BigQuery, $name in DuckDB). */
  query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  /**
   * Runs hand-written BigQuery SQL with @name parameters, names written `project.dataset.table`
   * (sql/names.ts): as it is on BigQuery, translated (and the translation cached) on DuckDB.
   */
  run<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  /** A target's name in the warehouse's own SQL, the project's defaults filled in. */
  relation(target: Target): string;
  /** The planner's statement builder for this warehouse. */
  statements(): Promise<StatementBuilder>;
  /** Bytes a statement would scan, when the warehouse can say without running it (BigQuery's dry run); else undefined. */
  estimateBytes(sql: string): Promise<number | undefined>;
  /**
   * Makes the EXTERNAL_QUERY calls the statement builder cut out of an action readable before it
   * runs, from PostgreSQL (opened through `postgres` only when needed). Absent where the
   * warehouse runs EXTERNAL_QUERY itself.
   */
  serveExternalQueries?(queries: ExternalQuery[], postgres: () => Promise<PgSink>, file?: string): Promise<void>;
  /** undefined when the table or view does not exist. */
  tableMetadata(target: Target): Promise<TableMetadata | undefined>;
  /**
   * The bytes a finished job processed, by its id (a job some other runner started, say the
   * Dataform service); undefined when the job is unknown. Absent where jobs have no ids.
   */
  jobBytes?(jobId: string): Promise<number | undefined>;
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
