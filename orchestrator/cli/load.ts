import * as fs from "fs";
import * as path from "path";
import { InputError } from "../errors";
import type { EconomicLoadResult } from "../load/economic";
import type { EconomicSource } from "../load/economic-schema";
import type { FileLoadResult } from "../load/gdelt";
import { gdeltKindOf } from "../load/gdelt-schema";
import { readManifest } from "../load/manifest";
import { formatTable, log, startProgress } from "../log";
import { warehouseFile } from "../warehouse/open";
import type { Cli } from "./context";

/** Up to this many files, a line per file and a table; more, one progress line and totals. */
const HANDFUL = 10;

/**
 * The files to load: a folder given stands for the files in it (not its subfolders, not hidden
 * ones) that `wanted` accepts, in name order; a folder holding none of them is bad input.
 */
function expandFolders(args: string[], wanted: (name: string) => boolean, what: string): string[] {
  return args.flatMap((arg) => {
    if (!fs.existsSync(arg) || !fs.statSync(arg).isDirectory()) return [arg];
    const files = fs
      .readdirSync(arg, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith(".") && wanted(e.name))
      .map((e) => path.join(arg, e.name))
      .sort();
    if (files.length === 0) throw new InputError(`${arg} is a folder without ${what} files; name the files to load`);
    return files;
  });
}

export function register(cli: Cli): void {
  const load = cli.program.command("load").description("load raw source files into the local DuckDB warehouse");
  load
    .command("gdelt <files...>")
    .description(
      "load raw GDELT 2.0 files (*.export.CSV / *.mentions.CSV, plain, .gz or .zip) into gdelt-bq.gdeltv2.events_partitioned / " +
        "eventmentions_partitioned; files loaded before are skipped; each file loads all or nothing, and a bad file does not stop the others",
    )
    .option("--kind <kind>", "events or mentions, instead of taking it from each file name")
    .option("--replace", "replace the rows an earlier, different copy of the same file loaded (a truncated download, say)")
    .option("--manifest <file>", "GDELT's masterfilelist.txt or lastupdate.txt: refuse files it does not list with their size and MD5")
    .option("--json", "print the per-file results as JSON")
    .action(
      cli.action(async (args: string[], opts: { kind?: string; replace?: boolean; manifest?: string; json?: boolean }) => {
        if (opts.kind !== undefined && opts.kind !== "events" && opts.kind !== "mentions") {
          throw new InputError(`--kind must be events or mentions, got "${opts.kind}"`);
        }
        // A folder gives its GDELT files (*.export.CSV, *.mentions.CSV, .gz/.zip); with --kind, all its files.
        const files = expandFolders(args, (name) => opts.kind !== undefined || gdeltKindOf(name) !== undefined, "GDELT");
        const manifest = opts.manifest === undefined ? undefined : readManifest(opts.manifest);
        const skipped = manifest?.skipped ?? [];
        if (skipped.length > 0) log.warn(`${opts.manifest}: ${skipped.length} line(s) are not "size md5 url" and were left out (first: line ${skipped[0].line})`);
        const config = await cli.config();
        const file = warehouseFile(config);
        log.info(`loading ${files.length} file(s) into ${file}`);
        const { loadGdeltFiles } = await import("../load/gdelt");
        const results: FileLoadResult[] = [];
        const progress = fileProgress(files.length, (r: FileLoadResult) => {
          if (r.status === "failed") return undefined;
          const verb = r.status === "loaded" ? "loaded " : r.status;
          return `${verb} ${path.basename(r.file)}: ${r.rows} ${r.kind} rows${r.reason ? ` (${r.reason})` : ""}`;
        });
        await whileReporting(files.length, () => results.length, progress.done, () =>
          loadGdeltFiles(file, files, {
            kind: opts.kind as "events" | "mentions" | undefined,
            replace: opts.replace,
            manifest,
            onFile: (r) => {
              results.push(r);
              progress.tick(r, r.status === "loaded" || r.status === "replaced" ? r.rows : 0);
            },
          }),
        );
        const code = reportFailures(results);
        if (opts.json) {
          log.out(JSON.stringify(results, null, 2));
          return code;
        }
        if (files.length <= HANDFUL) log.out(formatTable(["file", "kind", "status", "rows"], results.map((r) => [path.basename(r.file), r.kind, r.status, r.rows])));
        const total = (status: FileLoadResult["status"]) => results.filter((r) => r.status === status);
        const rows = (rs: FileLoadResult[]) => rs.reduce((a, r) => a + r.rows, 0);
        const [loaded, replaced, failed] = [total("loaded"), total("replaced"), total("failed")];
        log.out(
          `${loaded.length} loaded (${rows(loaded)} rows), ` +
            (replaced.length > 0 ? `${replaced.length} replaced (${rows(replaced)} rows), ` : "") +
            `${total("skipped").length} skipped as already loaded` +
            (failed.length > 0 ? `, ${failed.length} failed` : ""),
        );
        return code;
      }),
    );

  const economic: [EconomicSource, string][] = [
    ["fred", "FRED series downloads (DATE,<SERIES…> or observation_date,<SERIES…>; `.` or empty = missing) into raw_economics.fred_observations"],
    ["worldbank", "World Bank indicator CSVs (API_<indicator>_DS2_….csv or the .zip holding it) into raw_economics.world_bank_observations"],
    ["comtrade", "UN Comtrade CSV exports (legacy or Plus layout) into raw_economics.comtrade_records"],
  ];
  for (const [source, description] of economic) {
    const cmd = load
      .command(`${source} <files...>`)
      .description(`${description}; rows are upserted on their key, so loading a file again changes nothing; a bad file changes nothing and does not stop the others`);
    if (source === "fred") {
      cmd.option("--series-name <title>", "the series' title, for a file holding one series the product does not know").option("--units <units>", "the series' units, likewise");
    }
    cmd.option("--json", "print the per-file results as JSON").action(
      cli.action(async (args: string[], opts: { seriesName?: string; units?: string; json?: boolean }) => {
        const files = expandFolders(args, (name) => /\.(csv|txt|gz|zip)$/i.test(name), source);
        const config = await cli.config();
        const file = warehouseFile(config);
        log.info(`loading ${files.length} ${source} file(s) into ${file}`);
        const { loadEconomicFiles } = await import("../load/economic");
        const results: EconomicLoadResult[] = [];
        let processed = 0;
        const progress = fileProgress(files.length, () => undefined);
        await whileReporting(files.length, () => processed, progress.done, () =>
          loadEconomicFiles(file, source, files, {
            seriesName: opts.seriesName,
            units: opts.units,
            onFile: (done) => {
              processed++;
              results.push(...done);
              progress.tick(done[0], done.reduce((a, r) => a + r.inserted + r.updated, 0));
            },
          }),
        );
        for (const r of results) reportRejected(r);
        const code = reportFailures(results);
        if (opts.json) {
          log.out(JSON.stringify(results, null, 2));
          return code;
        }
        const rows = results.map((r) => [path.basename(r.file), r.status, r.rows, r.inserted, r.updated, r.unchanged, r.missing, r.rejected.length]);
        if (files.length <= HANDFUL) log.out(formatTable(["file", "status", "rows", "inserted", "updated", "unchanged", "missing", "rejected"], rows));
        const sum = (k: "inserted" | "updated" | "unchanged") => results.reduce((a, r) => a + r[k], 0);
        const failed = results.filter((r) => r.status === "failed").length;
        log.out(`${sum("inserted")} inserted, ${sum("updated")} updated, ${sum("unchanged")} unchanged${failed > 0 ? `, ${failed} file(s) failed` : ""}`);
        return code;
      }),
    );
  }
}

/** A line per file for a handful of files, else one progress line over them all. */
function fileProgress<R>(total: number, line: (r: R) => string | undefined): { tick(r: R, rows: number): void; done(): void } {
  if (total <= HANDFUL) {
    return {
      tick: (r) => {
        const text = line(r);
        if (text) log.info(text);
      },
      done: () => undefined,
    };
  }
  const progress = startProgress({ label: "loading", total, unit: "files" });
  return { tick: (_r, rows) => progress.tick(rows), done: () => progress.done() };
}

/** Runs the load; when it stops on an error (a full disk), says how far it got before rethrowing. */
async function whileReporting(total: number, processed: () => number, done: () => void, load: () => Promise<unknown>): Promise<void> {
  try {
    await load();
  } catch (e) {
    done();
    log.info(`${processed()} of ${total} file(s) were processed before the error`);
    throw e;
  }
  done();
}

/** One error line per failed file; the exit code: 2 when any failed (the others were loaded). */
function reportFailures(results: { status: string; error?: string }[]): number {
  const failed = results.filter((r) => r.status === "failed");
  for (const r of failed) log.error(r.error ?? "failed");
  return failed.length > 0 ? 2 : 0;
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
