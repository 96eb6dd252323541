/**
 * `vwatch diff --warehouse bigquery`: the bytes BigQuery would scan to rebuild what a change
 * reaches, by dry-running each statement the run would send (the Warehouse's estimateBytes), as
 * the plan has it for the warehouse's current tables: an incremental table that needs a full
 * refresh planned as rebuilt, the others as the run would write them.
 */
import type { CompiledGraph } from "../compile/graph";
import type { Session } from "../run/session";

export interface RebuildBytes {
  name: string;
  /** Bytes the action's statements would scan; undefined when BigQuery could not say (see error). */
  bytes?: number;
  error?: string;
}

export async function rebuildBytes(session: Session, graph: CompiledGraph, names: string[], fullRefresh: Set<string>): Promise<RebuildBytes[]> {
  if (!names.length) return [];
  const { planFor } = await import("../run/execute");
  const warehouse = await session.warehouse();
  const merged = names.filter((n) => !fullRefresh.has(n));
  const rebuilt = names.filter((n) => fullRefresh.has(n));
  const plans = [
    ...(merged.length ? (await planFor(graph, warehouse, { actions: merged })).actions : []),
    ...(rebuilt.length ? (await planFor(graph, warehouse, { actions: rebuilt, fullRefresh: true })).actions : []),
  ];
  const out: RebuildBytes[] = [];
  for (const name of names) {
    const action = plans.find((a) => a.name === name);
    if (!action) continue;
    if (action.error) {
      out.push({ name, error: action.error.message });
      continue;
    }
    let bytes = 0;
    let error: string | undefined;
    for (const task of action.tasks.filter((t) => t.type !== "metadata" && t.type !== "failures")) {
      try {
        const n = await warehouse.estimateBytes(task.sql);
        if (n === undefined) error ??= "the warehouse gave no estimate";
        else bytes += n;
      } catch (e) {
        // A statement reading a table this change creates cannot be dry-run before it exists.
        error ??= (e as Error).message.split("\n")[0];
      }
    }
    out.push(error ? { name, error } : { name, bytes });
  }
  return out;
}
