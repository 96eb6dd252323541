/**
 * What a warehouse's statement builder gives the planner (plan/plan.ts): for each action of the
 * compiled graph, the statements that build it in the warehouse's own SQL. Each adapter owns its
 * builder (bigquery/statements.ts, duckdb/statements.ts); the planner never looks at a dialect.
 */
import type { Assertion, Operation, Table, Target } from "../compile/graph";
import type { ExternalQuery } from "../sql/external-query";
import type { TableMetadata } from "./warehouse";

export type ActionKind = "table" | "view" | "incremental" | "operation" | "assertion";
/** How a table is written this run: rebuilt, merged or appended, or a view replaced. */
export type WriteMode = "create" | "merge" | "insert" | "view";

export interface PlannedTask {
  /**
   * statement: run it; assertion: fails when it returns a row count > 0; metadata: descriptions and
   * labels; failures: keeps an assertion's failing rows in its `<assertion>_failures` table
   * (run with the run id bound to FAILURES_RUN_ID_PARAMETER; best effort, see run/run.ts).
   */
  type: "statement" | "assertion" | "metadata" | "failures";
  sql: string;
  /** failures: the table it replaces, as `database.schema.name`. */
  table?: string;
}

/** The query parameter a failures task reads the run id from (@vwatch_run_id, $vwatch_run_id). */
export const FAILURES_RUN_ID_PARAMETER = "vwatch_run_id";
/** The columns a failures table adds to the assertion's own. */
export const FAILURES_COLUMNS = { runId: "_vwatch_run_id", storedAt: "_vwatch_stored_at" } as const;

/** Where an assertion's failing rows are kept: `<assertion>_failures` beside it. */
export function failuresTarget(target: Target): Target {
  return { ...target, name: `${target.name}_failures` };
}

/** One action as a builder makes it. */
export interface BuiltAction {
  mode?: WriteMode;
  tasks: PlannedTask[];
  /** EXTERNAL_QUERY calls cut out of the statements, to serve before the tasks run (Warehouse.serveExternalQueries). */
  externalQueries?: ExternalQuery[];
}

export interface StatementBuilder {
  /** A target's name as this warehouse's SQL writes it, e.g. `p.d.t` or "d"."t". */
  relation(target: Target): string;
  table(t: Table, relation: string, kind: ActionKind, existing: TableMetadata | undefined, fullRefresh: boolean): BuiltAction | Promise<BuiltAction>;
  operation(o: Operation): BuiltAction | Promise<BuiltAction>;
  assertion(a: Assertion, relation: string): BuiltAction | Promise<BuiltAction>;
  /** Creates a target's dataset (BigQuery) or schema (DuckDB) when missing. */
  createSchema(t: Target): string;
}

/** Whether an incremental table is merged/appended this run rather than rebuilt. */
export function writesIncrementally(t: Table, existing: TableMetadata | undefined, fullRefresh: boolean): boolean {
  return (!fullRefresh || Boolean(t.protected)) && !!existing && existing.kind !== "view";
}

export function tableMode(t: Table, kind: ActionKind, incremental: boolean): WriteMode {
  if (kind === "view") return "view";
  if (kind === "incremental" && incremental) return t.uniqueKey?.length ? "merge" : "insert";
  return "create";
}
