import * as path from "path";
import { InputError } from "../errors";
import type { DownloadOptions } from "../fetch/http";
import type { FetchedFile } from "../fetch/gdelt";
import type { EconomicFetch } from "../fetch/economic";
import type { FileLoadResult } from "../load/gdelt";
import { formatTable, log, startProgress } from "../log";
import { warehouseFile } from "../warehouse/open";
import type { Cli } from "./context";

/** The public services' own addresses; each can be pointed elsewhere (a mirror, a test server). */
const BASE_URLS = {
  gdelt: ["GDELT_BASE_URL", "http://data.gdeltproject.org/gdeltv2"],
  fred: ["FRED_BASE_URL", "https://fred.stlouisfed.org"],
  worldbank: ["WORLDBANK_BASE_URL", "https://api.worldbank.org/v2"],
} as const;

const baseUrl = (source: keyof typeof BASE_URLS) => (process.env[BASE_URLS[source][0]] || BASE_URLS[source][1]).replace(/\/+$/, "");

interface CommonOptions {
  dir?: string;
  retries: string;
  timeout: string;
  load: boolean;
}

const wholeNumber = (flag: string, text: string, min: number) => {
  if (!/^\d+$/.test(text) || Number(text) < min) throw new InputError(`${flag} must be a whole number, at least ${min}, got "${text}"`);
  return Number(text);
};

function downloadOptions(opts: CommonOptions): Omit<DownloadOptions, "onBytes"> {
  return {
    retries: wholeNumber("--retries", opts.retries, 0),
    timeoutMs: wholeNumber("--timeout", opts.timeout, 1) * 1000,
    onRetry: (why, wait) => log.info(`${why}; trying again in ${(wait / 1000).toFixed(1)} s`),
  };
}

export function register(cli: Cli): void {
  const fetch = cli.program.command("fetch").description("download source data from its publisher (GDELT, FRED, the World Bank), verified, then load it");
  const common = (cmd: ReturnType<typeof fetch.command>) =>
    cmd
      .option("--dir <dir>", "where the downloads go (default: downloads/<source> in the home folder)")
      .option("--retries <n>", "retries of a request after a 5xx, a timeout or a broken connection, with exponential backoff", "4")
      .option("--timeout <seconds>", "give up a request after this long without data", "60")
      .option("--no-load", "download only; load later with vwatch load")
      .option("--load", "load the verified files into the warehouse, in time order (the default)");

  common(
    fetch
      .command("gdelt")
      .description(
        "download GDELT 2.0's 15-minute files for a time range (masterfilelist.txt, cached 15 min, and lastupdate.txt), " +
          "verify each file's size and MD5 against the list, skip files already downloaded, then load them in time order",
      )
      .option("--from <time>", "first file time: YYYYMMDDHHMMSS or an ISO date/time, UTC")
      .option("--to <time>", "last file time (default: now)")
      .option("--days <n>", "the last N days instead of --from/--to")
      .option("--tables <list>", "which files: export, mentions or both", "export,mentions")
      .option("--concurrency <n>", "downloads at once; be gentle with GDELT's server", "2")
      .option("--json", "print each file's download and load result as JSON"),
  ).action(
    cli.action(async (opts: CommonOptions & { from?: string; to?: string; days?: string; tables: string; concurrency: string; json?: boolean }) => {
      const { parseRange } = await import("../fetch/time-range");
      const { GDELT_TABLES } = await import("../fetch/gdelt-list");
      const range = parseRange(opts, new Date());
      const tables = opts.tables.split(",").map((t) => t.trim().toLowerCase());
      const unknown = tables.filter((t) => !(GDELT_TABLES as readonly string[]).includes(t));
      if (unknown.length > 0 || tables.length === 0) throw new InputError(`--tables: expected export, mentions or export,mentions, got "${opts.tables}"`);
      const concurrency = wholeNumber("--concurrency", opts.concurrency, 1);
      const config = await cli.config();
      const dir = path.resolve(opts.dir ?? path.join(config.home, "downloads", "gdelt"));
      log.info(`fetching GDELT ${tables.join(", ")} files ${range.from} .. ${range.to} (UTC) into ${dir}`);
      const { fetchGdelt } = await import("../fetch/gdelt");
      const result = await fetchGdelt({
        baseUrl: baseUrl("gdelt"), dir, range, tables: tables as typeof GDELT_TABLES[number][], concurrency,
        download: downloadOptions(opts), now: new Date(), warn: (m) => log.warn(m),
      });
      const files = result.files;
      const by = (s: FetchedFile["status"]) => files.filter((f) => f.status === s);
      for (const f of by("failed")) log.error(f.error ?? `${f.url}: failed`);
      const ready = files.filter((f) => f.status === "downloaded" || f.status === "present");
      const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
      const fetched = `${by("downloaded").length} downloaded (${mb(by("downloaded").reduce((a, f) => a + f.bytes, 0))}), ${by("present").length} already present, ` +
        `${by("missing").length} missing on the server, ${by("failed").length} failed`;
      let loadCode = 0;
      let loaded = "";
      let loads: FileLoadResult[] = [];
      if (opts.load && ready.length > 0) {
        loads = await loadGdelt(warehouseFile(config), ready.map((f) => f.file));
        loadCode = loads.some((r) => r.status === "failed") ? 2 : 0;
        for (const r of loads.filter((r) => r.status === "failed")) log.error(r.error ?? `${r.file}: failed`);
        const rows = loads.filter((r) => r.status === "loaded" || r.status === "replaced");
        loaded = `; loaded ${rows.reduce((a, r) => a + r.rows, 0)} rows from ${rows.length} file(s), ${loads.filter((r) => r.status === "skipped").length} already loaded` +
          (loadCode ? `, ${loads.filter((r) => r.status === "failed").length} failed to load` : "");
      }
      if (opts.json) {
        const load = new Map(loads.map((r) => [r.file, r]));
        const out = files.map((f) => ({ ...f, load: load.get(f.file) && { status: load.get(f.file)!.status, rows: load.get(f.file)!.rows, error: load.get(f.file)!.error } }));
        log.out(JSON.stringify(out, null, 2));
      }
      log.summary(fetched + loaded);
      return by("failed").length > 0 ? 1 : loadCode;
    }),
  );

  common(fetch.command("fred <series...>").description("download FRED series (the keyless fredgraph.csv download), then load them into raw_economics.fred_observations")).action(
    cli.action(async (series: string[], opts: CommonOptions) => {
      const config = await cli.config();
      const dir = path.resolve(opts.dir ?? path.join(config.home, "downloads", "fred"));
      const { fetchFred } = await import("../fetch/economic");
      return economicDone("fred", warehouseFile(config), await fetchFred(baseUrl("fred"), series, dir, downloadOptions(opts)), opts.load);
    }),
  );

  common(
    fetch
      .command("worldbank <indicators...>")
      .description("download World Bank indicators (the API's CSV download), then load them into raw_economics.world_bank_observations")
      .option("--countries <list>", "ISO3 country codes, comma-separated", "VEN"),
  ).action(
    cli.action(async (indicators: string[], opts: CommonOptions & { countries: string }) => {
      const countries = opts.countries.split(",").map((c) => c.trim().toUpperCase()).filter((c) => c !== "");
      if (countries.length === 0) throw new InputError("--countries: give at least one country code, e.g. VEN");
      const config = await cli.config();
      const dir = path.resolve(opts.dir ?? path.join(config.home, "downloads", "worldbank"));
      const { fetchWorldBank } = await import("../fetch/economic");
      return economicDone("worldbank", warehouseFile(config), await fetchWorldBank(baseUrl("worldbank"), indicators, countries, dir, downloadOptions(opts)), opts.load);
    }),
  );
}

/** Loads the verified downloads in time order with the loader of `vwatch load gdelt`. */
async function loadGdelt(warehouse: string, files: string[]): Promise<FileLoadResult[]> {
  log.info(`loading ${files.length} file(s) into ${warehouse}`);
  const { loadGdeltFiles } = await import("../load/gdelt");
  const progress = startProgress({ label: "loading", total: files.length, unit: "files" });
  try {
    return await loadGdeltFiles(warehouse, files, { onFile: (r) => progress.tick(r.status === "loaded" || r.status === "replaced" ? r.rows : 0) });
  } finally {
    progress.done();
  }
}

async function economicDone(source: "fred" | "worldbank", warehouse: string, fetched: EconomicFetch[], load: boolean): Promise<number> {
  for (const f of fetched) log.info(`downloaded ${f.url} → ${f.file} (${f.bytes} bytes)`);
  if (!load) {
    log.summary(`${fetched.length} file(s) downloaded; load them with vwatch load ${source}`);
    return 0;
  }
  const { loadEconomicFiles } = await import("../load/economic");
  const results = await loadEconomicFiles(warehouse, source, fetched.map((f) => f.file));
  const failed = results.filter((r) => r.status === "failed");
  for (const r of failed) log.error(r.error ?? `${r.file}: failed`);
  for (const r of results) if (r.rejected.length > 0) log.warn(`${r.file}: ${r.rejected.length} row(s) could not be read and were not loaded (first: line ${r.rejected[0].line}: ${r.rejected[0].reason})`);
  log.out(formatTable(["file", "status", "rows", "inserted", "updated", "unchanged"], results.map((r) => [path.basename(r.file), r.status, r.rows, r.inserted, r.updated, r.unchanged])));
  const sum = (k: "inserted" | "updated" | "unchanged") => results.reduce((a, r) => a + r[k], 0);
  log.summary(`${fetched.length} file(s) downloaded; ${sum("inserted")} inserted, ${sum("updated")} updated, ${sum("unchanged")} unchanged${failed.length ? `, ${failed.length} file(s) failed` : ""}`);
  return failed.length > 0 ? 2 : 0;
}
