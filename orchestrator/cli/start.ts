import * as fs from "fs";
import * as path from "path";
import { InputError } from "../errors";
import type { EconomicLoadResult } from "../load/economic";
import { ECONOMIC_TABLES, type EconomicSource } from "../load/economic-schema";
import type { FileLoadResult } from "../load/gdelt";
import { gdeltKindOf } from "../load/gdelt-schema";
import { formatTable, log } from "../log";
import { runAnalystQuery } from "../query/run-query";
import { projectTables, querySql } from "../query/sql-file";
import type { Session } from "../run/session";
import { warehouseFile } from "../warehouse/open";
import { checkVertex } from "./check";
import type { Cli } from "./context";
import { report } from "./run";
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
  const { loadGdeltFiles } = await import("../load/gdelt");
  const { loadEconomicFiles } = await import("../load/economic");
  const gdelt = await loadGdeltFiles(file, sampleFiles());
  const economic: EconomicLoadResult[] = [];
  for (const source of Object.keys(ECONOMIC_TABLES) as EconomicSource[]) economic.push(...(await loadEconomicFiles(file, source, economicSampleFiles(source))));
  const failed = [...gdelt, ...economic].filter((r) => r.status === "failed");
  if (failed.length > 0) throw new InputError(`the bundled samples did not load: ${failed.map((r) => r.error).join("; ")}`);
  return { gdelt, economic };
}

/** The strongest spikes, with each event's place and source: queries/top-spikes.sql. */
export async function topSpikes(session: Session, limit = 10): Promise<Record<string, unknown>[]> {
  const warehouse = await session.warehouse();
  const sql = querySql("top-spikes", { tables: projectTables(session.graph()) });
  return runAnalystQuery(warehouse, { sql, params: { row_limit: Math.trunc(limit) } });
}

/** The main local job in one session: one warehouse, one PostgreSQL (one embedded server start). */
async function start(session: Session): Promise<number> {
  // PostgreSQL (an embedded server's first start runs initdb) comes up while the samples load;
  // a failure to start is reported where it is first needed, by the seed below.
  session.postgres().catch(() => undefined);
  log.info("loading the bundled sample (GDELT files loaded before are skipped)");
  const { gdelt, economic } = await loadSamples(warehouseFile(session.config));
  const rows = gdelt.filter((r) => r.status === "loaded").reduce((a, r) => a + r.rows, 0);
  const changed = economic.reduce((a, r) => a + r.inserted + r.updated, 0);
  log.info(`${rows} new GDELT rows, ${changed} new or changed economic rows`);
  // The application's events come from the focus GDELT events: seed them into the (local)
  // application tables, then run everything, which reads them back.
  const { run: first, seeded } = await prepareAppData(session);
  if (!seeded) return report(first, false);
  log.info(`application data: ${Object.entries(seeded).map(([t, r]) => `${r.inserted} new ${t}`).join(", ")}`);
  const { executeRun } = await import("../run/execute");
  const record = await executeRun(session, {});
  const code = report(record, false);
  const { recordShellRun } = await import("./record-run");
  if (code) {
    await recordShellRun(session, record, {});
    return code;
  }
  const { syncAfterRun, syncedLine } = await import("../product/after-run");
  const synced = await syncAfterRun(session, record, { json: true });
  if (synced.result) record.sync = synced.result;
  await recordShellRun(session, record, {});
  if (!synced.result) return synced.code;
  const top = await topSpikes(session);
  log.out(`\n${syncedLine(synced.result)}.`);
  log.out(`\nTop spikes (${top.length}):`);
  log.out(formatTable(Object.keys(top[0] ?? { event_id: 0 }), top.map((r) => Object.values(r) as (string | number)[])));
  log.out("");
  return checkVertex(session, false);
}

export function register(cli: Cli): void {
  cli.program
    .command("start")
    .description("the main local job: load the bundled sample, run every model on DuckDB, write spikes to PostgreSQL, print the top spikes and the Vertex AI training-data check")
    .action(cli.action(async () => cli.withSession(await cli.config(), start)));
}
