import * as fs from "fs";
import * as path from "path";
import { checkDay } from "../days";
import { InputError } from "../errors";
import type { SyntheticEvent } from "../generate/mentions";
import { log } from "../log";
import type { Cli } from "./context";
import { list } from "./vars";

export function register(cli: Cli): void {
  const generate = cli.program.command("generate").description("generate synthetic, clearly labelled source files");
  generate
    .command("mentions")
    .description(
      "write seeded, deterministic GDELT 2.0 mentions files (YYYYMMDDHHMMSS.mentions.CSV) for given events: decaying coverage " +
        "after each event's first sighting with occasional bursts; sources are *.synthetic.example; a SYNTHETIC.md note is written with them",
    )
    .requiredOption("--events <files-or-ids...>", "raw *.export.CSV[.gz|.zip] files, or event ids (1,2,3 or ranges 100..199)")
    .requiredOption("--days <n>", "number of UTC days, ending with --end")
    .requiredOption("--end <YYYY-MM-DD>", "last day")
    .option("--seed <seed>", "random seed (a number or any text)", "1")
    .requiredOption("--out <dir>", "folder for the files")
    .option("--rows-per-day <n>", "average rows per day over the window", "100")
    .option("--per <slice>", "15min (one file per 15-minute slice, as GDELT) or day (one file per UTC day, YYYYMMDD.mentions.CSV)", "15min")
    .option("--gzip", "write .gz files")
    .option("--actor-country <codes>", "keep only events with Actor1/Actor2CountryCode in these CAMEO codes (e.g. VEN)", list)
    .option("--action-geo <codes>", "... or ActionGeo_CountryCode in these FIPS codes (e.g. VE)", list)
    .action(
      cli.action(async (opts) => {
        // Every argument is checked before anything is read or created.
        if (!/^\d+$/.test(opts.days) || Number(opts.days) < 1) throw new InputError(`--days must be a whole number of days >= 1, got "${opts.days}"`);
        const days = Number(opts.days);
        checkDay(opts.end, "--end");
        const rowsPerDay = Number(opts.rowsPerDay);
        if (!opts.rowsPerDay.trim() || !Number.isFinite(rowsPerDay) || rowsPerDay <= 0) throw new InputError(`--rows-per-day must be a number > 0, got "${opts.rowsPerDay}"`);
        if (!opts.seed.trim()) throw new InputError("--seed must not be empty");
        if (opts.per !== "15min" && opts.per !== "day") throw new InputError(`--per must be 15min or day, got "${opts.per}"`);
        if (fs.existsSync(opts.out) && !fs.statSync(opts.out).isDirectory()) throw new InputError(`--out ${opts.out} is a file, not a folder`);
        const { parseEventIds, readExportEvents } = await import("../generate/export-events");
        const { writeMentionFiles } = await import("../generate/mention-files");
        const files = (opts.events as string[]).filter((e) => fs.existsSync(e));
        const ids = (opts.events as string[]).filter((e) => !fs.existsSync(e));
        const events: SyntheticEvent[] = [
          ...(await readExportEvents(files, { actorCountries: opts.actorCountry, actionGeoCountries: opts.actionGeo })),
          ...ids.flatMap((text) => parseEventIds(text)),
        ];
        if (events.length === 0) throw new InputError("no events matched: nothing to generate");
        const seed = /^\d+$/.test(opts.seed) ? Number(opts.seed) : opts.seed;
        const started = Date.now();
        const written = await writeMentionFiles(
          { events, days, end: opts.end, seed, rowsPerDay },
          { outDir: opts.out, per: opts.per, gzip: Boolean(opts.gzip), note: eventsNote(files, opts) },
        );
        const seconds = (Date.now() - started) / 1000;
        log.out(`${written.rows} mention rows for ${events.length} events in ${written.files.length} files (${seconds.toFixed(1)} s)`);
        return 0;
      }),
    );
}

/** How the events were chosen, for SYNTHETIC.md (file names only, never machine paths). */
function eventsNote(files: string[], opts: { actorCountry?: string[]; actionGeo?: string[] }): string | undefined {
  if (files.length === 0) return undefined;
  const filters = [
    opts.actorCountry?.length ? `Actor1CountryCode or Actor2CountryCode in (${opts.actorCountry.join(", ")})` : "",
    opts.actionGeo?.length ? `ActionGeo_CountryCode in (${opts.actionGeo.join(", ")})` : "",
  ].filter(Boolean);
  return (
    `Events (GLOBALEVENTID, DATEADDED, AvgTone) were read from ${files.map((f) => path.basename(f)).join(", ")}` +
    (filters.length ? `, keeping events with ${filters.join(" or ")}.` : ".")
  );
}
