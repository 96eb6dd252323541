import { randomUUID } from "crypto";
import type { Target } from "../compile/graph";
import { AssertionFailure, VwatchError, WarehouseError } from "../errors";
import type { Plan, PlannedAction, PlannedTask } from "../plan/plan";
import { FAILURES_RUN_ID_PARAMETER } from "../warehouse/statements";
import type { PgSink } from "../postgres/connect";
import type { Warehouse } from "../warehouse/warehouse";

/**
 * "warning": an assertion tagged WARNING_TAG returned rows; reported, but it blocks nothing and fails no run.
 * "planned": a dry run's action whose statements were produced (and, on BigQuery, dry-run) but not run.
 * "cancelled", "pending", "running": only in a run the Dataform service makes (`vwatch cloud`):
 * an action of a cancelled invocation, and one not yet ended when its state is shown.
 */
export type ActionStatus = "success" | "failed" | "skipped" | "disabled" | "warning" | "planned" | "cancelled" | "pending" | "running";

/** Tag that makes an assertion warning-level (e.g. a size that only matters in production). */
const WARNING_TAG = "warning";

export interface ActionResult {
  name: string;
  kind: string;
  fileName?: string;
  mode?: string;
  status: ActionStatus;
  rows?: number;
  seconds: number;
  bytesProcessed?: number;
  /** The BigQuery job that ran the action, when the Dataform service ran it. */
  jobId?: string;
  error?: { code: string; message: string };
  /** For warning-level assertions that returned rows: what they found. */
  warning?: string;
  /** For failed (or warning-level) assertions: the first failing rows. */
  failingRows?: Record<string, unknown>[];
  /**
   * For assertions whose failing rows are kept: the table (`database.schema.name`), how many rows it
   * holds (0 when the assertion passed), or why storing them failed (the assertion's outcome stands).
   */
  failures?: { table: string; rows?: number; error?: string };
  statements?: string[];
}

export interface RunEvents {
  onActionStart?(action: PlannedAction): void;
  onActionEnd?(result: ActionResult): void;
}

export interface RunOptions extends RunEvents {
  dryRun?: boolean;
  /** The run's id, written into the failures tables (a new one when not given). */
  runId?: string;
  /** PostgreSQL, for the warehouse to serve EXTERNAL_QUERY calls from (asked for only when an action has some). */
  postgres?: () => Promise<PgSink>;
  /** Advice for a declared source missing from the warehouse (Hooks.missingSourceHint). */
  missingSourceHint?(target: Target, warehouse: Warehouse): string | undefined;
  /**
   * After an action succeeded for real (not on dry runs), e.g. to record what a table was built
   * with. When it throws, the action is reported failed with that error.
   */
  afterSuccess?(action: PlannedAction): Promise<void>;
  /** Clock, injectable for tests. */
  now?: () => number;
  /**
   * Asked before each action: when true, that action and the rest are not started and are
   * reported "cancelled" (the action running when the stop was asked finishes first).
   */
  shouldStop?(): boolean;
}

const FAILING_ROWS_SHOWN = 5;

/**
 * Runs a plan in dependency order. A failed action's dependents are skipped; independent
 * branches still run. Never throws for an action's failure: the results say what happened.
 */
export async function runPlan(plan: Plan, warehouse: Warehouse, options: RunOptions = {}): Promise<ActionResult[]> {
  const now = options.now ?? (() => performance.now());
  const runId = options.runId ?? randomUUID();
  if (!options.dryRun) for (const sql of plan.schemas) await warehouse.execute(sql);

  const missing = await missingDeclarations(plan, warehouse, options);
  const status = new Map<string, ActionStatus>();
  const results: ActionResult[] = [];
  for (const action of plan.actions) {
    options.onActionStart?.(action);
    const started = now();
    const result: ActionResult = { name: action.name, kind: action.kind, fileName: action.fileName, mode: action.mode, status: "success", seconds: 0 };
    const blocked = action.dependencies.find((d) => status.get(d) === "failed" || status.get(d) === "skipped");
    const absent = action.dependencies.find((d) => missing.has(d));
    if (options.shouldStop?.()) {
      result.status = "cancelled";
      result.error = { code: "CANCELLED", message: "not started: the run was stopped" };
    } else if (blocked) {
      result.status = "skipped";
      result.error = { code: "SKIPPED", message: `skipped because ${blocked} did not succeed` };
    } else if (absent) {
      result.status = "failed";
      result.error = { code: "MISSING_DECLARATION", message: missing.get(absent)! };
    } else if (action.disabled) {
      result.status = "disabled";
    } else if (action.error) {
      result.status = "failed";
      result.error = { code: action.error.code, message: action.error.message };
    } else if (options.dryRun) {
      result.statements = action.tasks.map((t) => t.sql);
      for (const task of action.tasks) {
        if (task.type !== "statement") continue;
        const bytes = await warehouse.estimateBytes(task.sql).catch((e) => fail(result, e));
        if (bytes !== undefined) result.bytesProcessed = (result.bytesProcessed ?? 0) + bytes;
      }
      if (result.status === "success") result.status = "planned";
    } else {
      await serveExternalQueries(action, warehouse, options, result);
      if (result.status === "success") await runTasks(action, warehouse, result, runId);
      if (result.status === "success" && result.rows === undefined && (action.kind === "table" || action.kind === "incremental")) {
        const [row] = await warehouse.query<{ n: number }>(`select count(*) as n from ${action.relation}`).catch(() => []);
        if (row) result.rows = Number(row.n);
      }
      if (result.status === "success" && options.afterSuccess) await options.afterSuccess(action).catch((e) => fail(result, e));
    }
    result.seconds = (now() - started) / 1000;
    status.set(action.name, result.status);
    results.push(result);
    options.onActionEnd?.(result);
  }
  return results;
}

async function serveExternalQueries(action: PlannedAction, warehouse: Warehouse, options: RunOptions, result: ActionResult): Promise<void> {
  if (!action.externalQueries?.length) return;
  const postgres = options.postgres;
  if (!postgres || !warehouse.serveExternalQueries) return fail(result, new WarehouseError(`${action.name} reads EXTERNAL_QUERY, which this run cannot serve`));
  await warehouse.serveExternalQueries(action.externalQueries, postgres, action.fileName).catch((e) => fail(result, e));
}

async function runTasks(action: PlannedAction, warehouse: Warehouse, result: ActionResult, runId: string): Promise<void> {
  for (const task of action.tasks) {
    try {
      if (task.type === "failures") {
        await storeFailures(task, warehouse, result, runId);
      } else if (task.type === "assertion") {
        const [row] = await warehouse.query<{ row_count: number | string | null }>(task.sql);
        const count = Number(row?.row_count ?? 0);
        result.rows = count;
        if (result.failures && !result.failures.error) result.failures.rows = count;
        if (count > 0) {
          result.failingRows = await warehouse.query(`select * from ${action.relation} limit ${FAILING_ROWS_SHOWN}`).catch(() => []);
          const violation = `${count} row(s) violate it (${action.fileName ?? "generated"})`;
          if (action.tags.includes(WARNING_TAG)) {
            result.status = "warning";
            result.warning = `assertion ${action.name} (warning level): ${violation}`;
            return;
          }
          fail(result, new AssertionFailure(`assertion ${action.name} failed: ${violation}`));
          return;
        }
      } else {
        const r = await warehouse.execute(task.sql);
        if (task.type === "statement" && r.rows !== undefined) result.rows = r.rows;
        if (r.bytesProcessed !== undefined) result.bytesProcessed = (result.bytesProcessed ?? 0) + r.bytesProcessed;
      }
    } catch (e) {
      if (task.type === "metadata") continue; // descriptions are best effort; the data is written
      fail(result, e);
      return;
    }
  }
}

/**
 * Replaces the assertion's failures table with its rows of this run. Never fails the action: a
 * store that fails is reported on the result (and in the summary), the assertion still counts.
 */
async function storeFailures(task: PlannedTask, warehouse: Warehouse, result: ActionResult, runId: string): Promise<void> {
  const table = task.table ?? "?";
  try {
    await warehouse.query(task.sql, { [FAILURES_RUN_ID_PARAMETER]: runId });
    result.failures = { table };
  } catch (e) {
    result.failures = { table, error: ((e as Error)?.message ?? String(e)).split("\n")[0] };
  }
}

function fail(result: ActionResult, e: unknown): undefined {
  result.status = "failed";
  const err = e instanceof VwatchError ? e : new WarehouseError((e as Error)?.message ?? String(e));
  const where = result.fileName ? ` (${result.fileName})` : "";
  result.error = { code: err.code, message: err.message.includes(result.fileName ?? "\0") ? err.message : `${err.message}${where}` };
  return undefined;
}

/** Declarations the plan reads that do not exist in the warehouse, with advice. */
async function missingDeclarations(plan: Plan, warehouse: Warehouse, options: RunOptions): Promise<Map<string, string>> {
  const used = new Set(plan.actions.filter((a) => !a.disabled).flatMap((a) => a.dependencies));
  const missing = new Map<string, string>();
  for (const d of plan.declarations) {
    if (!used.has(d.name)) continue;
    if (await warehouse.tableMetadata(d.target)) continue;
    const advice = options.missingSourceHint?.(d.target, warehouse);
    const hint = advice ? `; ${advice}` : "";
    missing.set(d.name, `source table ${d.name} (declared in ${d.fileName ?? "?"}) does not exist in the ${warehouse.dialect} warehouse${hint}`);
  }
  return missing;
}
