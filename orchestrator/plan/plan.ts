import type { Assertion, CompiledGraph, Operation, Table, Target } from "../compile/graph";
import { targetName } from "../compile/graph";
import { CompileError, VwatchError } from "../errors";
import type { ExternalQuery } from "../sql/external-query";
import type { ActionKind, BuiltAction, PlannedTask, StatementBuilder, WriteMode } from "../warehouse/statements";
import type { TableMetadata } from "../warehouse/warehouse";
import { selectActions, type Selection } from "./select";

export type { ActionKind, PlannedTask, WriteMode };

export interface PlannedAction {
  name: string;
  target: Target;
  /** The target's name in the warehouse's SQL, e.g. `p.d.t` or "d"."t". */
  relation: string;
  kind: ActionKind;
  fileName?: string;
  tags: string[];
  /** Every action or declaration this one reads, by name. */
  dependencies: string[];
  mode?: WriteMode;
  disabled: boolean;
  tasks: PlannedTask[];
  /** EXTERNAL_QUERY calls cut out of the statements (DuckDB), to serve before the tasks run. */
  externalQueries?: ExternalQuery[];
  /** Set when the action cannot run at all (e.g. SQL that does not translate to DuckDB). */
  error?: VwatchError;
}

export interface Plan {
  /** Datasets (BigQuery) or schemas (DuckDB) to create before any action runs. */
  schemas: string[];
  /** Included actions, dependencies first. */
  actions: PlannedAction[];
  declarations: { name: string; target: Target; fileName?: string }[];
}

export interface PlanOptions {
  /** The warehouse's statement builder (Warehouse.statements()). */
  statements: StatementBuilder;
  fullRefresh?: boolean;
  selection?: Selection;
  /** Keep each assertion's failing rows in its `<assertion>_failures` table (its failures task); default true. */
  storeFailures?: boolean;
}

/** What the planner needs to know about the warehouse: existing tables by action name. */
export type WarehouseState = Map<string, TableMetadata>;

/**
 * The execution plan: a pure function of the compiled graph, the warehouse state and the options
 * (async only because the DuckDB builder may start its translator).
 * The warehouse's statement builder writes each action's statements in its own SQL: on BigQuery
 * the official CLI's, on DuckDB translated queries in DuckDB DDL/DML of the same meaning.
 */
export async function buildPlan(graph: CompiledGraph, state: WarehouseState, options: PlanOptions): Promise<Plan> {
  const errors = graph.graphErrors?.compilationErrors ?? [];
  if (errors.length) {
    throw new CompileError(
      `the project has ${errors.length} compilation error(s)`,
      errors.map((e) => ({ file: e.fileName ?? "?", message: e.message ?? "" })),
    );
  }
  const included = selectActions(graph, options.selection ?? {});
  const cfg = graph.projectConfig;
  const sql = options.statements;

  const actions: PlannedAction[] = [];
  const add = async (a: Table | Operation | Assertion, kind: ActionKind, build: (relation: string) => BuiltAction | Promise<BuiltAction>) => {
    const name = targetName(a.target);
    if (!included.has(name)) return;
    const base: Base = {
      name,
      target: a.target,
      relation: sql.relation(a.target),
      kind,
      fileName: a.fileName,
      tags: a.tags ?? [],
      dependencies: (a.dependencyTargets ?? []).map(targetName),
      disabled: Boolean(a.disabled),
    };
    try {
      const built = a.disabled ? { tasks: [] } : await build(base.relation);
      const tasks = options.storeFailures === false ? built.tasks.filter((t) => t.type !== "failures") : built.tasks;
      actions.push({ ...base, ...built, tasks });
    } catch (e) {
      if (!(e instanceof VwatchError)) throw e;
      actions.push({ ...base, tasks: [], error: e });
    }
  };

  for (const t of graph.tables ?? []) {
    const kind: ActionKind = t.enumType === "VIEW" ? "view" : t.enumType === "INCREMENTAL" ? "incremental" : "table";
    await add(t, kind, (relation) => sql.table(t, relation, kind, state.get(targetName(t.target)), Boolean(options.fullRefresh)));
  }
  for (const o of graph.operations ?? []) await add(o, "operation", () => sql.operation(o));
  for (const a of graph.assertions ?? []) await add(a, "assertion", (relation) => sql.assertion(a, relation));

  const ordered = topologicalOrder(actions);
  const schemaTargets = new Map<string, Target>();
  for (const a of ordered) {
    const t = { database: a.target.database || cfg.defaultDatabase, schema: a.target.schema || cfg.defaultSchema, name: "" };
    schemaTargets.set(`${t.database}.${t.schema}`, t);
  }
  return {
    schemas: [...schemaTargets.values()].map((t) => sql.createSchema(t)),
    actions: ordered,
    declarations: (graph.declarations ?? []).map((d) => ({ name: targetName(d.target), target: d.target, fileName: d.fileName })),
  };
}

type Base = Pick<PlannedAction, "name" | "target" | "relation" | "kind" | "fileName" | "tags" | "dependencies" | "disabled">;

/** Dependencies first; ties keep the graph's order so plans are stable. */
function topologicalOrder(actions: PlannedAction[]): PlannedAction[] {
  const byName = new Map(actions.map((a) => [a.name, a]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: PlannedAction[] = [];
  const visit = (a: PlannedAction) => {
    if (done.has(a.name)) return;
    if (visiting.has(a.name)) throw new CompileError(`dependency cycle through ${a.name}`);
    visiting.add(a.name);
    for (const dep of a.dependencies) {
      const d = byName.get(dep);
      if (d) visit(d);
    }
    visiting.delete(a.name);
    done.add(a.name);
    out.push(a);
  };
  actions.forEach(visit);
  return out;
}
