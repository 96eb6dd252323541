import * as path from "path";
import type { Command } from "commander";
import { loadConfig } from "../config";
import { InputError } from "../errors";
import { loadEconomicFiles, type EconomicLoadResult } from "../load/economic";
import type { EconomicSource } from "../load/economic-schema";
import { loadGdeltFiles, type FileLoadResult } from "../load/gdelt";
import { formatTable, log } from "../log";
import { warehouseFile } from "../warehouse/open";

export function register(program: Command): void {
  const load = program.command("load").description("load raw source files into the local DuckDB warehouse");
  load
    .command("gdelt <files...>")
    .description(
      "load raw GDELT 2.0 files (*.export.CSV / *.mentions.CSV, plain, .gz or .zip) into gdelt-bq.gdeltv2.events_partitioned / " +
        "eventmentions_partitioned; files loaded before are skipped; a bad line rejects its whole file",
    )
    .option("--kind <kind>", "events or mentions, instead of taking it from each file name")
    .option("--json", "print the per-file results as JSON")
    .action(async (files: string[], opts: { kind?: string; json?: boolean }) => {
      if (opts.kind !== undefined && opts.kind !== "events" && opts.kind !== "mentions") {
        throw new InputError(`--kind must be events or mentions, got "${opts.kind}"`);
      }
      const config = loadConfig(program.opts());
      const file = warehouseFile(config);
      log.info(`loading ${files.length} file(s) into ${file}`);
      const results: FileLoadResult[] = [];
      try {
        await loadGdeltFiles(file, files, {
          kind: opts.kind as "events" | "mentions" | undefined,
          onFile: (r) => {
            results.push(r);
            log.info(`${r.status === "loaded" ? "loaded " : "skipped"} ${path.basename(r.file)}: ${r.rows} ${r.kind} rows${r.reason ? ` (${r.reason})` : ""}`);
          },
        });
      } finally {
        if (results.length > 0 && results.length < files.length) log.info(`${results.length} of ${files.length} file(s) were processed before the error`);
      }
      if (opts.json) log.out(JSON.stringify(results, null, 2));
      else {
        const rows = results.map((r) => [path.basename(r.file), r.kind, r.status, r.rows]);
        log.out(formatTable(["file", "kind", "status", "rows"], rows));
        const loaded = results.filter((r) => r.status === "loaded");
        log.out(`${loaded.length} loaded (${loaded.reduce((a, r) => a + r.rows, 0)} rows), ${results.length - loaded.length} skipped as already loaded`);
      }
    });

  const economic: [EconomicSource, string][] = [
    ["fred", "FRED series downloads (DATE,<SERIES…> or observation_date,<SERIES…>; `.` or empty = missing) into raw_economics.fred_observations"],
    ["worldbank", "World Bank indicator CSVs (API_<indicator>_DS2_….csv or the .zip holding it) into raw_economics.world_bank_observations"],
    ["comtrade", "UN Comtrade CSV exports (legacy or Plus layout) into raw_economics.comtrade_records"],
  ];
  for (const [source, description] of economic) {
    const cmd = load.command(`${source} <files...>`).description(`${description}; rows are upserted on their key, so loading a file again changes nothing`);
    if (source === "fred") {
      cmd.option("--series-name <title>", "the series' title, for a file holding one series the product does not know").option("--units <units>", "the series' units, likewise");
    }
    cmd.option("--json", "print the per-file results as JSON").action(async (files: string[], opts: { seriesName?: string; units?: string; json?: boolean }) => {
      const config = loadConfig(program.opts());
      const file = warehouseFile(config);
      log.info(`loading ${files.length} ${source} file(s) into ${file}`);
      const results = await loadEconomicFiles(file, source, files, { seriesName: opts.seriesName, units: opts.units });
      for (const r of results) reportRejected(r);
      if (opts.json) return log.out(JSON.stringify(results, null, 2));
      const rows = results.map((r) => [path.basename(r.file), r.status, r.rows, r.inserted, r.updated, r.unchanged, r.missing, r.rejected.length]);
      log.out(formatTable(["file", "status", "rows", "inserted", "updated", "unchanged", "missing", "rejected"], rows));
      const sum = (k: "inserted" | "updated" | "unchanged") => results.reduce((a, r) => a + r[k], 0);
      log.out(`${sum("inserted")} inserted, ${sum("updated")} updated, ${sum("unchanged")} unchanged`);
    });
  }
}

const REJECTS_SHOWN = 10;

function reportRejected(r: EconomicLoadResult): void {
  if (r.reason) log.info(`skipped ${r.file}: ${r.reason}`);
  if (r.repaired) log.info(`${r.file}: ${r.repaired} row(s) had quoted values split at commas; joined them back`);
  if (r.rejected.length === 0) return;
  log.warn(`${r.file}: ${r.rejected.length} row(s) could not be read and were not loaded:`);
  for (const x of r.rejected.slice(0, REJECTS_SHOWN)) log.info(`  line ${x.line}: ${x.reason}`);
  if (r.rejected.length > REJECTS_SHOWN) log.info(`  … and ${r.rejected.length - REJECTS_SHOWN} more (--json lists them all)`);
}
