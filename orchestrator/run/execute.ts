import { randomUUID } from "crypto";
import * as path from "path";
import { compileCached } from "../compile/cache";
import { checkVars } from "../compile/vars";
import { sourceLine } from "../compile/compile";
import type { CompiledGraph } from "../compile/graph";
import { targetName } from "../compile/graph";
import type { Config } from "../config";
import { rootErrorLines } from "../compile/root-errors";
import { CompileError } from "../errors";
import { log } from "../log";
import { buildPlan, type Plan, type PlannedAction, type WarehouseState } from "../plan/plan";
import type { PgSink } from "../sink/connect";
import { selectActions, type Selection } from "../plan/select";
import { ensureEconomicTables } from "../load/economic";
import { openWarehouse } from "../warehouse/open";
import type { Warehouse } from "../warehouse/warehouse";
import { chooseAsOf, focusWarnings } from "./as-of";
import { type RunRecord, summarise, writeResults } from "./results";
import { runPlan, type ActionResult } from "./run";
import { guardTableVars } from "./var-changes";
import { refuseSyntaxErrors } from "./syntax-errors";

export interface RunRequest extends Selection {
  vars?: Record<string, string>;
  fullRefresh?: boolean;
  dryRun?: boolean;
  /** Vars whose change since an incremental table was built is accepted (see run/var-changes.ts). */
  acceptVarChange?: string[];
}

/**
 * Compiles with --vars applied on top of workflow_settings.yaml's vars, after checking them
 * against the project's var schema (`source` names where they came from in errors).
 */
export function compileWithVars(config: Config, vars?: Record<string, string>, source = "--vars"): CompiledGraph {
  checkVars(config.projectDir, vars, source);
  const options = { projectDir: config.projectDir, projectConfigOverride: vars ? { vars } : undefined };
  const graph = compileCached(options, path.join(config.home, "compiled"));
  const errors = graph.graphErrors?.compilationErrors ?? [];
  if (errors.length) {
    throw new CompileError(
      ["compilation failed:", ...rootErrorLines(errors, (e) => location(config.projectDir, e)).map((line) => `  ${line}`)].join("\n"),
      errors.map((e) => ({ file: e.fileName ?? "?", message: e.message ?? "" })),
    );
  }
  return graph;
}

function location(projectDir: string, e: { fileName?: string; stack?: string; message?: string }): string {
  if (!e.fileName) return "?";
  const line = sourceLine(projectDir, e.fileName, `${e.message ?? ""}\n${e.stack ?? ""}`);
  return line ? `${e.fileName}:${line}` : e.fileName;
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

export async function planFor(graph: CompiledGraph, warehouse: Warehouse, request: RunRequest): Promise<Plan> {
  const state = await warehouseState(graph, warehouse, request);
  let translate: ((sql: string, file?: string) => string) | undefined;
  if (warehouse.dialect === "duckdb") {
    const t = await import("../translate/translate");
    await t.initTranslator();
    const cfg = graph.projectConfig;
    translate = (sql, file) => t.translateToDuckdb(sql, { defaultDatabase: cfg.defaultDatabase, defaultSchema: cfg.defaultSchema, file });
  }
  return buildPlan(graph, state, { dialect: warehouse.dialect, fullRefresh: request.fullRefresh, selection: request, translate });
}

/** compile → plan → run, with progress on stderr and results written to the home folder. */
export async function executeRun(config: Config, request: RunRequest): Promise<RunRecord> {
  const startedAt = new Date().toISOString();
  let graph = compileWithVars(config, request.vars);
  const warehouse = await openWarehouse(config, graph.projectConfig);
  const federated = federatedSource(config, warehouse);
  try {
    // Locally the economic source tables exist from the start, empty until `vwatch load fred|…`.
    if (warehouse.dialect === "duckdb") await ensureEconomicTables((sql) => warehouse.execute(sql));
    // The day the run scores, printed and recorded with how it was chosen; an empty as_of is
    // pinned so every model scores the same day.
    const asOf = await chooseAsOf(graph, warehouse, startedAt.slice(0, 10));
    const warnings: string[] = [];
    const warn = (message: string) => {
      warnings.push(message);
      log.warn(message);
    };
    if (asOf?.warn) warn(asOf.message);
    else if (asOf) log.info(asOf.message);
    if (asOf && asOf.chosenBy !== "var") {
      request = { ...request, vars: { ...request.vars, as_of: asOf.day } };
      graph = compileWithVars(config, request.vars);
    }
    const plan = await planFor(graph, warehouse, request);
    await refuseSyntaxErrors(plan, graph, config.projectDir);
    const runId = randomUUID();
    const recordVars = await guardTableVars(graph, plan, warehouse, {
      projectDir: config.projectDir,
      runId,
      accept: request.acceptVarChange,
      dryRun: request.dryRun,
      compileWith: (vars) => compileWithVars(config, { ...request.vars, ...vars }),
    });
    const total = plan.actions.length;
    let done = 0;
    const actions = await runPlan(plan, warehouse, {
      dryRun: request.dryRun,
      materializeExternal: federated.materialize,
      afterSuccess: recordVars,
      onActionEnd: (r) => {
        done += 1;
        const rows = r.rows !== undefined ? `, ${r.rows} rows` : "";
        const detail = r.error?.message ?? r.warning;
        log.info(`[${done}/${total}] ${r.status.padEnd(8)} ${r.name} (${r.kind}${rows}, ${r.seconds.toFixed(2)}s)${detail ? `\n      ${detail}` : ""}`);
      },
    });
    focusWarnings(graph, actions).forEach(warn);
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
      options: { vars: request.vars, fullRefresh: request.fullRefresh, dryRun: request.dryRun, acceptVarChange: request.acceptVarChange },
      ...(asOf ? { asOf: { day: asOf.day, chosenBy: asOf.chosenBy } } : {}),
      ...(warnings.length ? { warnings } : {}),
      summary: summarise(actions),
      actions,
    };
    // A dry run ran nothing: the last real run's results stay, for `vwatch retry` and the commands reading its vars.
    if (!request.dryRun) writeResults(config.home, record);
    return record;
  } finally {
    await federated.close();
    await warehouse.close();
  }
}

/**
 * The local answer to EXTERNAL_QUERY: the configured PostgreSQL, opened (or the embedded one
 * started) only when an action needs it, and kept for the rest of the run.
 */
function federatedSource(config: Config, warehouse: Warehouse) {
  let sink: Promise<PgSink> | undefined;
  return {
    materialize: async (action: PlannedAction) => {
      sink ??= import("../sink/connect").then((m) => m.openSink(config));
      const { materializeExternalQueries } = await import("../federated/materialize");
      await materializeExternalQueries(await sink, warehouse, action.externalQueries ?? [], action.fileName);
    },
    close: async () => {
      if (sink) await (await sink.catch(() => undefined))?.close();
    },
  };
}
