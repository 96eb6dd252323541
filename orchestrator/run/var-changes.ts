import type { Assertion, CompiledGraph, Operation, Table } from "../compile/graph";
import { targetName } from "../compile/graph";
import { loadVarSchema } from "../compile/var-schema";
import { isLogicVar } from "../compile/vars";
import { InputError, WarehouseError } from "../errors";
import type { Plan, PlannedAction } from "../plan/plan";
import type { Warehouse } from "../warehouse/warehouse";
import { tableVarsStore } from "./table-vars";

/**
 * An incremental table keeps the rows of every run that merged into it. A run whose vars change
 * what the table computes would leave it holding rows of both, silently (a --vars experiment
 * persisting). So each incremental table's logic vars are recorded when it is built
 * (table-vars.ts), and a run that would merge into it with other values is refused.
 *
 * Which vars matter to a table is not a list to maintain: a var matters to table T when giving
 * it its recorded value changes the compiled SQL of T or of an action T reads, directly or not.
 * That compile happens only for a var whose recorded value differs, so a normal run pays nothing.
 */
export interface VarChange {
  table: string;
  protected: boolean;
  vars: { name: string; recorded: string; current: string }[];
}

export interface GuardOptions {
  projectDir: string;
  runId: string;
  /** Var names whose change the user accepts (--accept-var-change). */
  accept?: string[];
  dryRun?: boolean;
  /** Compiles with the run's vars and these on top (cached). */
  compileWith(vars: Record<string, string>): CompiledGraph;
}

/**
 * Refuses the run (InputError, before anything runs) when it would merge into an incremental
 * table built with other logic vars; returns the hook that records the vars of each incremental
 * table the run builds.
 */
export async function guardTableVars(graph: CompiledGraph, plan: Plan, warehouse: Warehouse, options: GuardOptions): Promise<(action: PlannedAction) => Promise<void>> {
  const schema = loadVarSchema(options.projectDir);
  const built = Object.fromEntries(Object.entries(graph.projectConfig.vars ?? {}).filter(([name]) => isLogicVar(schema, name)));
  const store = tableVarsStore(warehouse, graph.projectConfig);

  const merged = plan.actions.filter((a) => a.kind === "incremental" && (a.mode === "merge" || a.mode === "insert") && !a.disabled && !a.error);
  if (merged.length) {
    const recorded = await store.read();
    const changes = findVarChanges(graph, merged, recorded, built, options);
    if (changes.length) throw new InputError(changes.map((c) => describeChange(c, graph)).join("\n"));
  }
  return async (action) => {
    if (action.kind !== "incremental" || options.dryRun) return;
    await store.record(action.name, built, options.runId).catch((e: Error) => {
      throw new WarehouseError(`${action.name} was built, but recording the vars it was built with failed: ${e.message}`, { cause: e });
    });
  };
}

function findVarChanges(
  graph: CompiledGraph,
  merged: PlannedAction[],
  recorded: Map<string, Record<string, string>>,
  current: Record<string, string>,
  options: GuardOptions,
): VarChange[] {
  const accepted = new Set(options.accept ?? []);
  const alternatives = new Map<string, CompiledGraph | undefined>();
  /** The graph with one var at another value; undefined when that value no longer compiles. */
  const withValue = (name: string, value: string) => {
    const key = JSON.stringify([name, value]);
    if (!alternatives.has(key)) {
      let alternative: CompiledGraph | undefined;
      try {
        alternative = options.compileWith({ [name]: value });
      } catch {
        alternative = undefined;
      }
      alternatives.set(key, alternative);
    }
    return alternatives.get(key);
  };

  const changes: VarChange[] = [];
  for (const action of merged) {
    const before = recorded.get(action.name);
    if (!before) continue; // built before vars were recorded: recorded after this run
    const vars = Object.keys(current)
      .filter((name) => name in before && before[name] !== current[name] && !accepted.has(name))
      .filter((name) => varReaches(graph, withValue(name, before[name]), action.name))
      .map((name) => ({ name, recorded: before[name], current: current[name] }));
    const table = graph.tables?.find((t) => targetName(t.target) === action.name);
    if (vars.length) changes.push({ table: action.name, protected: Boolean(table?.protected), vars });
  }
  return changes;
}

/**
 * Whether a var's other value matters to table `name`: `alternative` (the graph compiled with the
 * var at that value; undefined when that value no longer compiles) differs from `graph` in the
 * compiled table or in an action it reads, directly or not. `vwatch diff` asks the same question.
 */
export function varReaches(graph: CompiledGraph, alternative: CompiledGraph | undefined, name: string): boolean {
  return !alternative || lineageOf(alternative, name) !== lineageOf(graph, name);
}

/** The compiled action and every action it reads, directly or not, as one comparable text. */
function lineageOf(graph: CompiledGraph, name: string): string {
  const actions = new Map<string, Table | Operation | Assertion>();
  for (const a of [...(graph.tables ?? []), ...(graph.operations ?? []), ...(graph.assertions ?? [])]) actions.set(targetName(a.target), a);
  const parts: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    const action = actions.get(n);
    if (!action) return;
    parts.push(`${n}\n${JSON.stringify(action)}`);
    for (const d of action.dependencyTargets ?? []) visit(targetName(d));
  };
  visit(name);
  return parts.sort().join("\n");
}

function describeChange(change: VarChange, graph: CompiledGraph): string {
  const list = (side: "recorded" | "current") => change.vars.map((v) => `${v.name}=${v[side]}`).join(", ");
  const names = change.vars.map((v) => v.name).join(",");
  const head = `${change.table} was built with ${list("recorded")} and this run has ${list("current")}; merging would keep rows computed with both.`;
  if (change.protected) return `${head} It is protected, so it is never rebuilt: merge anyway with --accept-var-change ${names}`;
  const short = change.table.split(".").pop()!;
  const unique = (graph.tables ?? []).filter((t) => t.target.name === short).length === 1;
  return `${head} Rebuild it with this run's vars (add --full-refresh; with --actions ${unique ? short : change.table} only it) or merge anyway (add --accept-var-change ${names})`;
}
