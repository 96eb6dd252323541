import { ConfigError } from "../errors";
import { formatTable, log } from "../log";
import type { Session } from "../run/session";
import { requireBuilt, requireWarehouseFile } from "../query/built";
import type { Cli } from "./context";

const TRAINING_TABLE = "entity_risk_training_data";

export function register(cli: Cli): void {
  const check = cli.program.command("check").description("check built tables against the requirements of the systems that read them");

  check
    .command("vertex")
    .description(`check ${TRAINING_TABLE} against Vertex AI Forecasting's training data requirements; exit 1 when a hard requirement fails (too few rows is a warning)`)
    .option("--json", "print the report as JSON")
    .option("--warehouse <name>", "duckdb (default) or bigquery")
    .action(
      cli.action(async (opts: { json?: boolean; warehouse?: string }) => {
        const config = await cli.config(opts.warehouse);
        return cli.withSession(config, (session) => checkVertex(session, Boolean(opts.json)));
      }),
    );
}

/** Prints the Vertex AI requirements report for the training table; exit code 1 when a hard requirement fails. */
export async function checkVertex(session: Session, json: boolean): Promise<number> {
  const { evaluate, measureTrainingData } = await import("../check/vertex");
  requireWarehouseFile(session.config);
  const table = (session.graph().tables ?? []).find((t) => t.target.name === TRAINING_TABLE);
  if (!table) throw new ConfigError(`the project has no model ${TRAINING_TABLE}`);
  // Nothing to check is not a failed check: the table is built by a run.
  const { graph, warehouse } = await requireBuilt(session, [TRAINING_TABLE]);
  const report = evaluate(await measureTrainingData(warehouse, table.target, graph.projectConfig));
  if (json) log.out(JSON.stringify(report, null, 2));
  else {
    log.out(`Vertex AI forecasting requirements for ${report.table} (${warehouse.dialect})\n`);
    log.out(formatTable(["requirement", "status", "measured"], report.requirements.map((r) => [r.requirement, r.status, r.measured])));
    const warned = report.requirements.filter((r) => r.status === "warn").length;
    log.out(`\n${report.passed ? "passed" : "FAILED"}${warned ? ` with ${warned} warning(s)` : ""}`);
  }
  return report.passed ? 0 : 1;
}
