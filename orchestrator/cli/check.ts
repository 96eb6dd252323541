import type { Command } from "commander";
import { evaluate, measureTrainingData } from "../check/vertex";
import { loadConfig, type Config } from "../config";
import { ConfigError } from "../errors";
import { formatTable, log } from "../log";
import { compileWithVars } from "../run/execute";
import { openWarehouse } from "../warehouse/open";
import { requireTables, requireWarehouseFile } from "./built";

const TRAINING_TABLE = "entity_risk_training_data";

export function register(program: Command): void {
  const check = program.command("check").description("check built tables against the requirements of the systems that read them");

  check
    .command("vertex")
    .description(`check ${TRAINING_TABLE} against Vertex AI Forecasting's training data requirements; exit 1 when a hard requirement fails (too few rows is a warning)`)
    .option("--json", "print the report as JSON")
    .option("--warehouse <name>", "duckdb (default) or bigquery")
    .action(async (opts) => {
      const config = loadConfig({ ...program.opts(), warehouse: opts.warehouse });
      if (!(await checkVertex(config, Boolean(opts.json)))) process.exitCode = 1;
    });
}

/** Prints the Vertex AI requirements report for the training table; false when a hard requirement fails. */
export async function checkVertex(config: Config, json: boolean): Promise<boolean> {
  requireWarehouseFile(config);
  const graph = compileWithVars(config);
  const table = (graph.tables ?? []).find((t) => t.target.name === TRAINING_TABLE);
  if (!table) throw new ConfigError(`the project has no model ${TRAINING_TABLE}`);
  const warehouse = await openWarehouse(config, graph.projectConfig);
  try {
    // Nothing to check is not a failed check: the table is built by a run.
    await requireTables(graph, warehouse, [TRAINING_TABLE]);
    const report = evaluate(await measureTrainingData(warehouse, table.target, graph.projectConfig));
    if (json) log.out(JSON.stringify(report, null, 2));
    else {
      log.out(`Vertex AI forecasting requirements for ${report.table} (${warehouse.dialect})\n`);
      log.out(formatTable(["requirement", "status", "measured"], report.requirements.map((r) => [r.requirement, r.status, r.measured])));
      const warned = report.requirements.filter((r) => r.status === "warn").length;
      log.out(`\n${report.passed ? "passed" : "FAILED"}${warned ? ` with ${warned} warning(s)` : ""}`);
    }
    return report.passed;
  } finally {
    await warehouse.close();
  }
}
