import * as fs from "fs";
import * as path from "path";
import type { Command } from "commander";
import { loadConfig, type Config } from "../config";
import { InputError } from "../errors";
import { loadEconomicFiles, type EconomicLoadResult } from "../load/economic";
import { ECONOMIC_TABLES, type EconomicSource } from "../load/economic-schema";
import { loadGdeltFiles, type FileLoadResult } from "../load/gdelt";
import { gdeltKindOf } from "../load/gdelt-schema";
import { formatTable, log } from "../log";
import { executeRun } from "../run/execute";
import type { RunRecord } from "../run/results";
import { runAnalystQuery } from "../query/run-query";
import { querySql } from "../query/sql-file";
import { relationName } from "../warehouse/dialect";
import { openWarehouse, warehouseFile, type ProjectDefaults } from "../warehouse/open";
import { checkVertex } from "./check";
import { report, syncAfterRun, syncedLine } from "./run";
import { prepareAppData } from "./seed";

const SAMPLES = path.join(__dirname, "..", "..", "samples");

/** The bundled sample files: real GDELT slices plus the labelled synthetic mentions. */
function sampleFiles(): string[] {
  const out: string[] = [];
  for (const folder of ["gdelt", "gdelt-synthetic"]) {
    const dir = path.join(SAMPLES, folder);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) if (gdeltKindOf(name)) out.push(path.join(dir, name));
  }
  return out;
}

/** The bundled economic downloads per source (samples/economic/<source>/). */
function economicSampleFiles(source: EconomicSource): string[] {
  const dir = path.join(SAMPLES, "economic", source);
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort().map((name) => path.join(dir, name)) : [];
}

/** Loads every bundled sample into a warehouse file: GDELT files loaded before are skipped, economic rows upserted. */
export async function loadSamples(file: string): Promise<{ gdelt: FileLoadResult[]; economic: EconomicLoadResult[] }> {
  const gdelt = await loadGdeltFiles(file, sampleFiles());
  const economic: EconomicLoadResult[] = [];
  for (const source of Object.keys(ECONOMIC_TABLES) as EconomicSource[]) economic.push(...(await loadEconomicFiles(file, source, economicSampleFiles(source))));
  const failed = [...gdelt, ...economic].filter((r) => r.status === "failed");
  if (failed.length > 0) throw new InputError(`the bundled samples did not load: ${failed.map((r) => r.error).join("; ")}`);
  return { gdelt, economic };
}

/** The strongest spikes, with each event's place and source: queries/top-spikes.sql. */
export async function topSpikes(config: Config, project: ProjectDefaults, limit = 10): Promise<Record<string, unknown>[]> {
  const warehouse = await openWarehouse(config, project);
  try {
    // The run just built them, in the project's default dataset and `intermediate`.
    const table = (name: string, schema = project.defaultSchema) => relationName("bigquery", { database: project.defaultDatabase, schema, name }, project);
    const tables = { mention_spikes: table("mention_spikes"), int_focus_events: table("int_focus_events", "intermediate") };
    return await runAnalystQuery(warehouse, { projectConfig: project }, { sql: querySql("top-spikes", { tables }), params: { row_limit: Math.trunc(limit) } });
  } finally {
    await warehouse.close();
  }
}

export function register(program: Command): void {
  program
    .command("start")
    .description("the main local job: load the bundled sample, run every model on DuckDB, write spikes to PostgreSQL, print the top spikes and the Vertex AI training-data check")
    .action(async () => {
      const config = loadConfig(program.opts());
      log.info("loading the bundled sample (GDELT files loaded before are skipped)");
      const { gdelt, economic } = await loadSamples(warehouseFile(config));
      const rows = gdelt.filter((r) => r.status === "loaded").reduce((a, r) => a + r.rows, 0);
      const changed = economic.reduce((a, r) => a + r.inserted + r.updated, 0);
      log.info(`${rows} new GDELT rows, ${changed} new or changed economic rows`);
      // The application's events come from the focus GDELT events: seed them into the (local)
      // application tables, then run everything, which reads them back.
      const { run: first, seeded } = await prepareAppData(config);
      if (!seeded) return report(first, false);
      log.info(`application data: ${Object.entries(seeded).map(([t, r]) => `${r.inserted} new ${t}`).join(", ")}`);
      const record: RunRecord = await executeRun(config, {});
      report(record, false);
      if (process.exitCode) return;
      const synced = await syncAfterRun(config, record, true);
      if (!synced) return;
      const top = await topSpikes(config, record.project);
      log.out(`\n${syncedLine(synced)}.`);
      log.out(`\nTop spikes (${top.length}):`);
      log.out(formatTable(Object.keys(top[0] ?? { event_id: 0 }), top.map((r) => Object.values(r) as (string | number)[])));
      log.out("");
      if (!(await checkVertex(config, false))) process.exitCode = 1;
    });
}
