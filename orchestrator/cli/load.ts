import * as path from "path";
import type { Command } from "commander";
import { loadConfig } from "../config";
import { InputError } from "../errors";
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
}
