import { InputError } from "../errors";
import { formatTable, log } from "../log";
import { addDays, checkDay } from "../days";
import { requireWarehouseFile } from "../query/built";
import type { Cli } from "./context";

const mark = (ok: boolean) => (ok ? "yes" : "NO ");

export function register(cli: Cli): void {
  cli.program
    .command("explain <eventId> <day>")
    .description("show why an event was or was not a spike on a day: its daily series, baseline window, mean, sd and z")
    .option("--json", "print the explanation as JSON")
    .option("--warehouse <name>", "duckdb (default) or bigquery")
    .action(
      cli.action(async (eventId: string, day: string, opts: { json?: boolean; warehouse?: string }) => {
        if (!/^\d+$/.test(eventId)) throw new InputError(`EVENT_ID must be a GDELT GLOBALEVENTID (digits), got "${eventId}"`);
        checkDay(day, "DAY");
        const config = await cli.config(opts.warehouse);
        requireWarehouseFile(config);
        return cli.withSession(config, async (session) => {
          const { explainEventDay, fmt } = await import("../query/explain");
          const { json, scored, thresholds, asOf } = await explainEventDay(session, Number(eventId), day);
          if (opts.json) {
            log.out(JSON.stringify(json, null, 2));
            return 0;
          }
          if (!scored) {
            log.out(`event ${eventId} has no scored series on ${day}: it is not a tracked focus event as of this run, or ${day} is before its first mention or after as_of (${asOf || "latest mention day"}).`);
            return 1;
          }
          const { series } = json;
          // The series starts at the event's first mention day, which may be inside the window.
          const windowStart = [addDays(day, -thresholds.lookback), series[0].day].sort()[1];
          log.out(`Event ${eventId}, ${day}\n`);
          log.out(
            formatTable(
              ["day", "mentions", "role"],
              series.map((r) => [r.day, r.mention_count, r.day === day ? "<- scored day" : r.day >= windowStart && r.day < day ? "baseline" : ""]),
            ),
          );
          log.out(`\nbaseline window: ${windowStart} .. ${addDays(day, -1)} (the scored day excluded; days without mentions count as 0)`);
          log.out(`n = ${scored.baseline_days}, mean = ${fmt(scored.baseline_avg)}, sd = ${fmt(scored.baseline_stddev)} (floor ${thresholds.minStddev})`);
          log.out(`z = (${scored.mention_count} - ${fmt(scored.baseline_avg)}) / ${fmt(json.sdUsed)} = ${fmt(scored.z_score)}\n`);
          for (const c of json.checks) log.out(`  ${mark(c.passed)}  ${c.rule}`);
          log.out(`\n${json.verdict}${json.recordedSpike ? ` (recorded in mention_spikes, detected ${json.recordedSpike.detected_at})` : ""}`);
          return 0;
        });
      }),
    );
}
