import type { Command } from "commander";
import { APP_SCHEMA, SEED_READS, seedAppData, type SeedResult } from "../app/seed";
import { loadConfig, type Config } from "../config";
import { formatTable, log } from "../log";
import { compileWithVars, executeRun } from "../run/execute";
import { replayedVars } from "../compile/vars";
import { readResults, resultsFile, type RunRecord } from "../run/results";
import { withSink } from "../sink/connect";
import { openWarehouse } from "../warehouse/open";
import { requireTables, requireWarehouseFile } from "./built";

/** Creates the application's tables where missing (local PostgreSQL); never changes existing ones. */
export async function ensureAppSchema(config: Config): Promise<void> {
  await withSink(config, (pg) => pg.execute(APP_SCHEMA));
}

export async function seed(config: Config): Promise<SeedResult> {
  requireWarehouseFile(config);
  // The models as the last run compiled them (its --vars), so the same tables are read.
  const graph = compileWithVars(config, readResults(config.home)?.options.vars, replayedVars(resultsFile(config.home)));
  const warehouse = await openWarehouse(config, graph.projectConfig);
  try {
    // Before PostgreSQL is reached (or the embedded server started).
    await requireTables(graph, warehouse, SEED_READS);
    return await withSink(config, (pg) => seedAppData(graph, warehouse, pg));
  } finally {
    await warehouse.close();
  }
}

/**
 * What a local demo needs before its run: the application's tables, filled from the focus events.
 * Runs only the models seeding reads (and their dependencies) to get those; the run is returned
 * when it failed, with nothing seeded.
 */
export async function prepareAppData(config: Config): Promise<{ run: RunRecord; seeded?: SeedResult }> {
  await ensureAppSchema(config);
  const run = await executeRun(config, { actions: SEED_READS, includeDeps: true });
  if (run.summary.failed) return { run };
  return { run, seeded: await seed(config) };
}

function reportSeed(result: SeedResult): void {
  const rows = Object.entries(result).map(([table, r]) => [table, r.read, r.inserted, r.read - r.inserted]);
  log.out(formatTable(["rows", "from warehouse", "inserted", "already there"], rows));
}

export function register(program: Command): void {
  program
    .command("seed-app-data")
    .description(
      "create the application's tables (entities_entity, entities_entitymention, events_event) where missing and fill them from " +
        "the focus GDELT events in the warehouse: entities from actor names, mentions from the events' articles, risk dimensions " +
        "by a documented formula; idempotent, one transaction (DATABASE_URL or PG* variables, else embedded PostgreSQL)",
    )
    .option("--schema-only", "only create the tables")
    .option("--json", "print the result as JSON")
    .action(async (opts: { schemaOnly?: boolean; json?: boolean }) => {
      const config = loadConfig(program.opts());
      if (opts.schemaOnly) {
        await ensureAppSchema(config);
        log.out("application tables are in place");
        return;
      }
      const result = await seed(config);
      if (opts.json) log.out(JSON.stringify(result, null, 2));
      else reportSeed(result);
    });
}
