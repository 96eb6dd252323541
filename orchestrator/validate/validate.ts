/**
 * `vwatch validate`: every statement the planner generates for BigQuery, analyzed offline by
 * ZetaSQL against a catalog of the project's tables, before anything reaches BigQuery.
 *
 * Models are analyzed in dependency order; each one's output schema joins the catalog for the
 * statements downstream. First the first-run plan (every table created), then, with a warehouse
 * state built from those schemas, the incremental plan's MERGE / INSERT statements. An error is
 * reported at its place in the definition file; actions downstream of a failed one, or reading a
 * table whose columns are unknown, are reported as not validated instead of failing again.
 */
import type { Assertion, CompiledGraph, Operation, Table, Target } from "../compile/graph";
import { targetName } from "../compile/graph";
import { VwatchError } from "../errors";
import { buildPlan, type PlannedAction, type WarehouseState } from "../plan/plan";
import type { ExternalQuery } from "../sql/external-query";
import { bigqueryStatements } from "../warehouse/bigquery/statements";
import { FAILURES_RUN_ID_PARAMETER } from "../warehouse/statements";
import type { Column } from "../warehouse/warehouse";
import { bigQueryTypeName, parseBigQueryType, TypeNameError } from "./bigquery-types";
import type { CatalogTable } from "./catalog";
import { CatalogState, newLocal, type Local } from "./catalog-state";
import { SYSTEM_VARIABLES, unknownToZetaSql } from "./exceptions";
import { aliasExternalQueries, unalias, type ExternalCall } from "./external-query";
import { createdObject, expressionType, outputColumns } from "./resolved";
import { looksLikeScript, scriptUnits, type ScriptUnit } from "./script";
import { nameInMessage, SourceMapper, offsetOfZetaSqlPosition, splitZetaSqlMessage, type StatementOrigin } from "./source-map";
import { columnsOf, type SourceColumn } from "./sources";
import type { Diagnostic, ValidationReport } from "./report";
import { isAnalysisError, sharedClient, type CatalogHandle, type ZetaSqlClient } from "./zetasql-client";

export interface ValidateOptions {
  projectDir: string;
  /** Result columns of an EXTERNAL_QUERY inner query (BigQuery types); without it such statements are not validated. */
  describeExternalQuery?: (query: ExternalQuery, file?: string) => Promise<Column[]>;
  /** The columns of declared sources (the product's sourceColumns hook); a declaration without them is not validated. */
  sourceColumns?: (target: Target) => SourceColumn[] | undefined;
  /** Told each action's output columns (BigQuery types, pseudo-columns left out) once its statements analyzed. */
  onOutputColumns?: (action: string, columns: Column[]) => void;
  /** Receives the tables as the first run leaves them (their analyzed columns): what `render script` merges into. */
  onWarehouseState?: (state: WarehouseState) => void;
}

type Source = Table | Operation | Assertion;

export class Failure {
  constructor(
    readonly message: string,
    readonly offset: number | undefined,
    readonly notValidated = false,
  ) {}
}

export async function validateGraph(graph: CompiledGraph, options: ValidateOptions): Promise<ValidationReport> {
  const v = new Validator(graph, options);
  try {
    return await v.run();
  } finally {
    await v.release();
  }
}

export class Validator {
  private readonly client: ZetaSqlClient;
  private readonly mapper: SourceMapper;
  private readonly cfg: CompiledGraph["projectConfig"];
  private readonly graph: CompiledGraph;
  private readonly sources = new Map<string, Source>();
  /** Actions and declarations without a known output schema, and the first one up the chain that caused it. */
  private readonly unavailable = new Map<string, { reason: string; root: string }>();
  readonly report: ValidationReport = { statements: 0, actions: 0, errors: [], notValidated: [] };
  private catalog?: CatalogState;
  /** Query parameters statements may read: the run id of a failures task in a plan; a scheduled query's @run_date in a script. */
  queryParameters: { name: string; type: { typeKind: string } }[] = [{ name: FAILURES_RUN_ID_PARAMETER, type: { typeKind: "TYPE_STRING" } }];

  constructor(graph: CompiledGraph, private readonly options: ValidateOptions) {
    this.client = sharedClient();
    this.mapper = new SourceMapper(options.projectDir);
    this.cfg = graph.projectConfig;
    // Disabled actions are validated too: they still run somewhere, or will again.
    const enable = <T extends { disabled?: boolean }>(xs: T[] | undefined) => xs?.map((x) => ({ ...x, disabled: false }));
    this.graph = { ...graph, tables: enable(graph.tables), operations: enable(graph.operations), assertions: enable(graph.assertions) };
    for (const s of [...(this.graph.tables ?? []), ...(this.graph.operations ?? []), ...(this.graph.assertions ?? [])]) this.sources.set(targetName(s.target), s);
  }

  /** The catalog of the declared sources (those with stated columns). */
  async prepare(): Promise<CatalogState> {
    const catalog = (this.catalog = new CatalogState(this.client, await this.client.languageOptions(), await this.client.builtinFunctionNames(), this.cfg));
    for (const d of this.graph.declarations ?? []) {
      const columns = this.options.sourceColumns?.(d.target);
      if (columns) catalog.add({ path: catalog.path(d.target), columns: columnsOf(columns) });
      else this.unavailable.set(targetName(d.target), { reason: "has no stated column types", root: targetName(d.target) });
    }
    return catalog;
  }

  async run(): Promise<ValidationReport> {
    const catalog = await this.prepare();
    const statements = bigqueryStatements(this.cfg);
    const first = await buildPlan(this.graph, new Map(), { statements });
    this.report.actions = first.actions.length;
    for (const level of levels(first.actions)) {
      // Each level's statements see the tables of the levels before; its metadata and assertion
      // counts (which read the tables just created) run after, on one catalog for the whole level.
      const done: PlannedAction[] = [];
      for (const action of level) {
        const created = await this.action(action, "statements");
        if (!created) continue;
        catalog.add(...created);
        const own = created.find((t) => t.path.join(".") === catalog.path(action.target).join("."));
        if (own) this.options.onOutputColumns?.(action.name, own.columns.filter((c) => !c.pseudo).map((c) => ({ name: c.name, type: bigQueryTypeName(c.type) })));
        done.push(action);
      }
      catalog.nextLevel();
      for (const action of done) await this.action(action, "follow-up");
    }
    const state = this.warehouseState();
    this.options.onWarehouseState?.(state);
    const incremental = await buildPlan(this.graph, state, { statements });
    for (const action of incremental.actions) {
      if (action.mode !== "merge" && action.mode !== "insert") continue;
      // Its metadata statements are the first run's, already checked.
      await this.action(action, "statements");
    }
    return this.report;
  }

  async release(): Promise<void> {
    await this.catalog?.release();
  }

  /**
   * Analyzes an action's statement tasks (or, in the follow-up, its metadata and assertion-count
   * tasks). Returns the tables its statements create, or undefined when it failed or was skipped;
   * a failed follow-up does not hide the table from the actions downstream.
   */
  private async action(action: PlannedAction, phase: "statements" | "follow-up"): Promise<CatalogTable[] | undefined> {
    const source = this.sources.get(action.name);
    const incremental = action.mode === "merge" || action.mode === "insert";
    const diag = (message: string): Diagnostic => ({ action: action.name, ...(incremental ? { mode: action.mode } : {}), file: action.fileName, message });
    const blocked = action.dependencies.find((d) => this.unavailable.has(d));
    if (phase === "statements" && blocked) {
      const { reason, root } = this.unavailable.get(blocked)!;
      this.unavailable.set(action.name, { reason, root });
      const why = root === blocked ? `which ${reason}` : `which depends on ${root}, which ${reason}`;
      this.report.notValidated.push({ ...diag(`not validated: reads ${blocked}, ${why}`), blockedBy: root });
      return undefined;
    }
    if (phase === "statements" && action.error) {
      this.unavailable.set(action.name, { reason: "could not be planned", root: action.name });
      this.report.errors.push(diag(action.error.message));
      return undefined;
    }
    const local = newLocal();
    const created: CatalogTable[] = [];
    for (const task of action.tasks.filter((t) => (t.type === "statement") === (phase === "statements"))) {
      const failure = await this.task(task.sql, action.fileName, local, created);
      if (!failure) continue;
      if (phase === "statements") {
        this.unavailable.set(action.name, { reason: failure.notValidated ? `was not validated (${failure.message})` : "failed validation", root: action.name });
      }
      const d = diag(failure.notValidated ? `not validated: ${failure.message}` : failure.message);
      const origin = this.origin(source, task.type);
      const at = failure.offset !== undefined ? this.mapper.locate(origin, task.sql, failure.offset, nameInMessage(failure.message)) : undefined;
      const located = at ? { ...d, file: at.file, line: at.line, column: at.column } : d;
      (failure.notValidated ? this.report.notValidated : this.report.errors).push(located);
      return undefined;
    }
    return created;
  }

  /** One planner task (a statement or a script); undefined when every unit analyzed cleanly. */
  async task(sql: string, file: string | undefined, local: Local, created: CatalogTable[]): Promise<Failure | undefined> {
    const { sql: text, calls } = aliasExternalQueries(sql);
    const external = await this.registerExternalQueries(calls, file);
    if (external) return external;
    // Most tasks are one statement: analyze it directly. A script (several statements, DECLARE,
    // BEGIN … END) is parsed and analyzed unit by unit.
    if (!looksLikeScript(text)) {
      try {
        await this.unit({ kind: "statement", start: 0, end: text.length }, text, local, created);
        return undefined;
      } catch (e) {
        if (!isAnalysisError(e) || !e.details.startsWith("Syntax error")) return this.failure(e, text, 0, calls);
        this.report.statements--;
      }
    }
    let units: ScriptUnit[];
    try {
      units = scriptUnits(await this.client.parseScript(text), text);
    } catch (e) {
      return this.failure(e, text, 0, calls);
    }
    for (const unit of units) {
      try {
        await this.unit(unit, text, local, created);
      } catch (e) {
        if (e instanceof TypeNameError) return new Failure(e.message, unit.start);
        return this.failure(e, text, unit.start, calls);
      }
    }
    return undefined;
  }

  private async unit(unit: ScriptUnit, text: string, local: Local, created: CatalogTable[]): Promise<void> {
    const slice = (r: { start: number; end: number }) => text.slice(r.start, r.end);
    const options = { systemVariables: SYSTEM_VARIABLES, ...(this.queryParameters.length ? { queryParameters: this.queryParameters } : {}) };
    switch (unit.kind) {
      case "statement": {
        this.report.statements++;
        const resolved = await this.analyze(local, (h) => this.client.analyzeStatement(h, slice(unit), options));
        const made = createdObject(resolved);
        if (made?.kind === "table" && made.columns) {
          const table = { path: this.catalog!.split(made.namePath), columns: made.columns };
          local.tables.push(table);
          if (!made.temporary) created.push(table);
          local.version++;
        } else if (made?.kind === "function") {
          local.functions.push(made.function);
          local.version++;
        }
        return;
      }
      case "expression":
        await this.analyze(local, (h) => this.client.analyzeExpression(h, slice(unit), options));
        return;
      case "declare": {
        const value = unit.value && (await this.analyze(local, (h) => this.client.analyzeExpression(h, slice(unit.value!), options)));
        const type = unit.type ? parseBigQueryType(slice(unit.type)) : value && expressionType(value);
        if (!type) return;
        for (const name of unit.names) local.constants.push({ name, type });
        local.version++;
        return;
      }
      case "for": {
        const resolved = await this.analyze(local, (h) => this.client.analyzeStatement(h, slice(unit.query), options));
        const columns = outputColumns(resolved) ?? [];
        const type = { typeKind: "TYPE_STRUCT", structType: { field: columns.map((c) => ({ fieldName: c.name, fieldType: c.type })) } };
        local.constants.push({ name: unit.variable, type });
        local.version++;
      }
    }
  }

  /** Runs an analysis; on an error, once more with the action's own tables, functions and variables registered. */
  private async analyze<T>(local: Local, fn: (h: CatalogHandle) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.catalog!.handleFor(local.used ? local : undefined));
    } catch (e) {
      if (!isAnalysisError(e) || local.version === 0 || local.used) throw e;
      local.used = true;
      return await fn(await this.catalog!.handleFor(local));
    }
  }

  /** Registers a table function per new inner query; a Failure when its columns cannot be known. */
  private async registerExternalQueries(calls: ExternalCall[], file?: string): Promise<Failure | undefined> {
    for (const call of calls) {
      if (this.catalog!.hasTvf(call.alias)) continue;
      if (!this.options.describeExternalQuery) return new Failure("EXTERNAL_QUERY result columns are unknown without the application schema", call.at, true);
      try {
        const columns = columnsOf(await this.options.describeExternalQuery(call.query, file));
        this.catalog!.addTvf({ name: call.alias, stringArguments: 2, optionalStringArguments: 1, columns });
      } catch (e) {
        const message = (e as Error).message.replace(/^[^:]*\.(sqlx|js|sql): /, "");
        // The inner query itself is wrong (a refused type, a missing table): an error. Anything else (no PostgreSQL): not validated.
        const real = e instanceof VwatchError && (e.code === "UNSUPPORTED_SQL" || e.code === "EXTERNAL_QUERY");
        return new Failure(real ? message : `EXTERNAL_QUERY result columns are unknown: ${message}`, call.at, !real);
      }
    }
    return undefined;
  }

  /** An analysis error as a Failure at its offset in the task's text. */
  private failure(e: unknown, text: string, unitStart: number, calls: ExternalCall[]): Failure {
    if (!isAnalysisError(e)) throw e;
    const { message, line, column } = splitZetaSqlMessage(unalias(e.details, calls));
    const unitText = text.slice(unitStart);
    const offset = line !== undefined ? unitStart + offsetOfZetaSqlPosition(unitText, line, column!) : unitStart;
    const reason = unknownToZetaSql(message, text.slice(offset, offset + 40));
    return reason ? new Failure(reason, offset, true) : new Failure(message, offset);
  }

  private origin(source: Source | undefined, taskType: string): StatementOrigin {
    if (!source) return { sources: [] };
    const t = source as Table & Operation;
    const texts = [t.query, t.incrementalQuery, ...(t.queries ?? []), ...(t.preOps ?? []), ...(t.postOps ?? []), ...(t.incrementalPreOps ?? []), ...(t.incrementalPostOps ?? [])];
    const hints = taskType === "metadata" ? ["columns", "description"] : "parentAction" in source ? ["assertions"] : ["uniqueKey", "bigquery", "partitionBy", "clusterBy", "updatePartitionFilter"];
    return { fileName: source.fileName, sources: texts.filter((s): s is string => typeof s === "string" && s.trim() !== ""), hints };
  }

  /** Tables as they would exist after the first run, so the planner emits MERGE / INSERT. */
  private warehouseState(): WarehouseState {
    const state: WarehouseState = new Map();
    for (const t of this.graph.tables ?? []) {
      const name = targetName(t.target);
      const table = this.catalog!.get(t.target);
      if (!table || this.unavailable.has(name)) continue;
      state.set(name, { target: t.target, kind: t.enumType === "VIEW" ? "view" : "table", columns: table.columns.map((c) => ({ name: c.name, type: bigQueryTypeName(c.type) })) });
    }
    return state;
  }
}

/** Actions grouped so that each group depends only on earlier groups (the plan lists dependencies first). */
function levels(actions: PlannedAction[]): PlannedAction[][] {
  const level = new Map<string, number>();
  const out: PlannedAction[][] = [];
  for (const a of actions) {
    const l = Math.max(-1, ...a.dependencies.map((d) => level.get(d) ?? -1)) + 1;
    level.set(a.name, l);
    (out[l] ??= []).push(a);
  }
  return out;
}
