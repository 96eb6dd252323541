import * as fs from "fs";
import type { CompiledGraph } from "../compile/graph";
import { targetName } from "../compile/graph";
import type { Config } from "../config";
import { InputError } from "../errors";
import type { Session } from "../run/session";
import { warehouseFile } from "../warehouse/open";
import type { Warehouse } from "../warehouse/warehouse";

/**
 * Guards for commands that read what `vwatch run` builds: they refuse (exit 2) with the command
 * to run, before anything is created (home folder, warehouse file, compile cache) or started
 * (embedded PostgreSQL).
 */

/** The local warehouse file must exist: called before compiling, which writes the compile cache under the home. */
export function requireWarehouseFile(config: Config): void {
  if (config.warehouse !== "duckdb" || fs.existsSync(warehouseFile(config))) return;
  throw new InputError(`nothing built yet in ${config.home}; run \`vwatch run\` first`);
}

/**
 * Each model must exist in the warehouse; the first missing one is named with the run that builds
 * it: `run` when the caller knows better (a run of the model's tag may need what the caller is
 * about to make), else its first tag's run.
 */
export async function requireTables(graph: CompiledGraph, warehouse: Warehouse, names: string[], run?: string): Promise<void> {
  for (const name of names) {
    const table = (graph.tables ?? []).find((t) => t.target.name === name);
    if (!table || (await warehouse.tableMetadata(table.target))) continue;
    const tag = table.tags?.[0];
    const command = run ?? (tag ? `vwatch run --tags ${tag} --include-deps` : `vwatch run --actions ${name} --include-deps`);
    throw new InputError(`${targetName(table.target)} is not built yet: run \`${command}\` first`);
  }
}

/**
 * Both guards, in the session: the warehouse file, then the models of the graph compiled with
 * `vars` (`source` names where they came from); returns that graph and the warehouse, open.
 */
export async function requireBuilt(session: Session, names: string[], vars?: Record<string, string>, source?: string, run?: string): Promise<{ graph: CompiledGraph; warehouse: Warehouse }> {
  requireWarehouseFile(session.config);
  const graph = session.graph(vars, source);
  const warehouse = await session.warehouse();
  await requireTables(graph, warehouse, names, run);
  return { graph, warehouse };
}
