import { randomUUID } from "crypto";
import type { CompiledGraph } from "../compile/graph";
import { targetName } from "../compile/graph";
import { log } from "../log";
import { buildPlan, type Plan, type WarehouseState } from "../plan/plan";
import { selectActions, type Selection } from "../plan/select";
import type { Warehouse } from "../warehouse/warehouse";
import { type RunRecord, summarise, writeResults } from "./results";
import { type ActionResult, runPlan } from "./run";
import type { Session } from "./session";
import { refuseSyntaxErrors } from "./syntax-errors";
import { guardTableVars } from "./var-changes";

export interface RunRequest extends Selection {
  vars?: Record<string, string>;
  fullRefresh?: boolean;
  dryRun?: boolean;
  /** Vars whose change since an incremental table was built is accepted (see run/var-changes.ts). */
  acceptVarChange?: string[];
  /** false: do not keep assertions' failing rows in their `<assertion>_failures` tables (--no-store-failures). */
  storeFailures?: boolean;
}

/** How a caller that watches the run (the server) takes part in it; the CLI passes none. */
export interface RunControl {
  /** The run's id, when the caller recorded the run before it started. */
  runId?: string;
  /** Asked before each action: true stops the run there (the rest are reported cancelled). */
  shouldStop?(): boolean;
  /** Once the run is planned, before any action runs: the actions it will go through, in order. */
  onPlan?(actions: { name: string; kind: string }[]): void;
  /** After each action, with how many of how many are done. */
  onProgress?(result: ActionResult, done: number, total: number): void;
  /** Whether the run's record replaces the home folder's run_results.json (the last CLI run's); default true. */
  writeResultsFile?: boolean;
  /** No per-action lines nor informational messages (a caller with its own progress line, say a backfill); warnings still print. */
  quiet?: boolean;
}

/** Metadata of the tables the run includes (one tables.get each on BigQuery, so only those). */
async function warehouseState(graph: CompiledGraph, warehouse: Warehouse, selection: Selection): Promise<WarehouseState> {
  const included = selectActions(graph, selection);
  const state: WarehouseState = new Map();
  for (const t of graph.tables ?? []) {
    if (!included.has(targetName(t.target))) continue;
    const meta = await warehouse.tableMetadata(t.target);
    if (meta) state.set(targetName(t.target), meta);
  }
  return state;
}

/** The plan of a run on this warehouse, in its own SQL. */
export async function planFor(graph: CompiledGraph, warehouse: Warehouse, request: RunRequest): Promise<Plan> {
  const state = await warehouseState(graph, warehouse, request);
  return buildPlan(graph, state, { statements: await warehouse.statements(), fullRefresh: request.fullRefresh, selection: request, storeFailures: request.storeFailures });
}

/** compile → plan → run in the session, with progress on stderr and results written to the home folder. */
export async function executeRun(session: Session, request: RunRequest, control: RunControl = {}): Promise<RunRecord> {
  const { config, hooks } = session;
  const startedAt = new Date().toISOString();
  let graph = session.graph(request.vars);
  const warehouse = await session.warehouse();
  await hooks.prepareWarehouse?.(warehouse);
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    log.warn(message);
  };
  // Vars the product pins for the whole run (the day it scores), printed and recorded.
  const resolved = await hooks.resolveVars?.({ graph, warehouse, today: startedAt.slice(0, 10) });
  const info = control.quiet ? () => undefined : log.info;
  for (const m of resolved?.messages ?? []) (m.warn ? warn : info)(m.text);
  if (resolved?.vars && Object.keys(resolved.vars).length) {
    request = { ...request, vars: { ...request.vars, ...resolved.vars } };
    graph = session.graph(request.vars);
  }
  // --no-store-failures, else VWATCH_STORE_FAILURES, else keep them.
  if (request.storeFailures === undefined && config.storeFailures === false) request = { ...request, storeFailures: false };
  const plan = await planFor(graph, warehouse, request);
  await refuseSyntaxErrors(plan, graph, config.projectDir);
  const runId = control.runId ?? randomUUID();
  const recordVars = await guardTableVars(graph, plan, warehouse, {
    projectDir: config.projectDir,
    runId,
    accept: request.acceptVarChange,
    dryRun: request.dryRun,
    compileWith: (vars) => session.graph({ ...request.vars, ...vars }),
  });
  control.onPlan?.(plan.actions.map((a) => ({ name: a.name, kind: a.kind })));
  const total = plan.actions.length;
  let done = 0;
  const actions = await runPlan(plan, warehouse, {
    dryRun: request.dryRun,
    runId,
    postgres: () => session.postgres(),
    missingSourceHint: hooks.missingSourceHint,
    afterSuccess: recordVars,
    shouldStop: control.shouldStop,
    onActionEnd: (r) => {
      done += 1;
      control.onProgress?.(r, done, total);
      const rows = r.rows !== undefined ? `, ${r.rows} rows` : "";
      const detail = r.error?.message ?? r.warning;
      info(`[${done}/${total}] ${r.status.padEnd(8)} ${r.name} (${r.kind}${rows}, ${r.seconds.toFixed(2)}s)${detail ? `\n      ${detail}` : ""}`);
    },
  });
  hooks.reviewRun?.(graph, actions).forEach(warn);
  const record: RunRecord = {
    runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    warehouse: warehouse.dialect,
    project: {
      defaultDatabase: graph.projectConfig.defaultDatabase,
      defaultSchema: graph.projectConfig.defaultSchema,
      defaultLocation: graph.projectConfig.defaultLocation,
    },
    options: { vars: request.vars, fullRefresh: request.fullRefresh, dryRun: request.dryRun, acceptVarChange: request.acceptVarChange, ...(request.storeFailures === false ? { storeFailures: false } : {}) },
    ...resolved?.record,
    ...(warnings.length ? { warnings } : {}),
    summary: summarise(actions),
    actions,
  };
  // A dry run ran nothing: the last real run's results stay, for `vwatch retry` and the commands reading its vars.
  if (!request.dryRun && control.writeResultsFile !== false) writeResults(config.home, record);
  return record;
}
