import { InputError } from "../errors";
import { formatTable, log } from "../log";
import { addDays, checkDay } from "../days";
import { readResults, resultsFile } from "../run/results";
import { bigqueryTableName } from "../sql/names";
import { requireBuilt, requireWarehouseFile } from "./built";
import type { Cli } from "./context";

interface SeriesRow {
  day: string;
  mention_count: number;
  baseline_days: number;
  baseline_avg: number | null;
  baseline_stddev: number | null;
  z_score: number | null;
}

const fmt = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? "n/a" : Number(x).toFixed(digits));
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
          // Thresholds as the last run used them (its --vars), else workflow_settings.yaml.
          const { replayedVars } = await import("../compile/vars");
          const { graph, warehouse } = await requireBuilt(session, ["int_mention_baselines", "mention_spikes"], readResults(config.home)?.options.vars, replayedVars(resultsFile(config.home)));
          const vars = graph.projectConfig.vars ?? {};
          const num = (name: string) => Number(vars[name]);
          const lookback = num("lookback_days");
          const project = graph.projectConfig;
          const baselines = bigqueryTableName({ database: project.defaultDatabase, schema: "intermediate", name: "int_mention_baselines" }, project);
          const spikes = bigqueryTableName({ database: project.defaultDatabase, schema: project.defaultSchema, name: "mention_spikes" }, project);
          const series = await warehouse.run<SeriesRow>(
            `select cast(day as string) as day, mention_count, baseline_days, baseline_avg, baseline_stddev, z_score
             from ${baselines}
             where event_id = @event_id
               and day between cast(@from as date) and cast(@to as date)
             order by day`,
            { event_id: Number(eventId), from: addDays(day, -lookback), to: addDays(day, 3) },
          );
          const scored = series.find((r) => r.day === day);
          const spikeRows = await warehouse.run<{ confidence_level: string; detected_at: string }>(
            `select confidence_level, cast(detected_at as string) as detected_at from ${spikes} where event_id = @event_id and spike_date = cast(@day as date)`,
            { event_id: Number(eventId), day },
          );
          const explanation = explain(scored, {
            lookback,
            minHistory: num("min_history_days"),
            minMentions: num("min_spike_mentions"),
            zThreshold: num("z_threshold"),
            minStddev: num("min_stddev"),
            highZ: num("high_z"),
            mediumZ: num("medium_z"),
          });
          if (opts.json) {
            log.out(JSON.stringify({ eventId: Number(eventId), day, series, ...explanation, recordedSpike: spikeRows[0] ?? null }, null, 2));
            return 0;
          }
          if (!scored) {
            log.out(`event ${eventId} has no scored series on ${day}: it is not a tracked focus event as of this run, or ${day} is before its first mention or after as_of (${vars.as_of || "latest mention day"}).`);
            return 1;
          }
          // The series starts at the event's first mention day, which may be inside the window.
          const windowStart = [addDays(day, -lookback), series[0].day].sort()[1];
          log.out(`Event ${eventId}, ${day}\n`);
          log.out(
            formatTable(
              ["day", "mentions", "role"],
              series.map((r) => [r.day, r.mention_count, r.day === day ? "<- scored day" : r.day >= windowStart && r.day < day ? "baseline" : ""]),
            ),
          );
          log.out(`\nbaseline window: ${windowStart} .. ${addDays(day, -1)} (the scored day excluded; days without mentions count as 0)`);
          log.out(`n = ${scored.baseline_days}, mean = ${fmt(scored.baseline_avg)}, sd = ${fmt(scored.baseline_stddev)} (floor ${num("min_stddev")})`);
          log.out(`z = (${scored.mention_count} - ${fmt(scored.baseline_avg)}) / ${fmt(explanation.sdUsed)} = ${fmt(scored.z_score)}\n`);
          for (const c of explanation.checks) log.out(`  ${mark(c.passed)}  ${c.rule}`);
          log.out(`\n${explanation.verdict}${spikeRows[0] ? ` (recorded in mention_spikes, detected ${spikeRows[0].detected_at})` : ""}`);
          return 0;
        });
      }),
    );
}

interface Thresholds {
  lookback: number;
  minHistory: number;
  minMentions: number;
  zThreshold: number;
  minStddev: number;
  highZ: number;
  mediumZ: number;
}

/** The spike rules applied to one scored day, each with whether it held. */
export function explain(row: SeriesRow | undefined, t: Thresholds) {
  if (!row) return { isSpike: false, confidence: null, sdUsed: null, checks: [], verdict: "not scored" };
  const sdUsed = Math.max(row.baseline_stddev ?? 0, t.minStddev);
  const z = row.z_score;
  const checks = [
    { rule: `baseline days n = ${row.baseline_days} >= min_history_days ${t.minHistory}`, passed: row.baseline_days >= t.minHistory },
    { rule: `mentions ${row.mention_count} >= min_spike_mentions ${t.minMentions}`, passed: row.mention_count >= t.minMentions },
    { rule: `z ${fmt(z)} >= z_threshold ${t.zThreshold}`, passed: z !== null && z >= t.zThreshold },
  ];
  const isSpike = checks.every((c) => c.passed);
  const confidence = !isSpike ? null : z! >= t.highZ ? "HIGH" : z! >= t.mediumZ ? "MEDIUM" : "LOW";
  const verdict = isSpike
    ? `SPIKE, confidence ${confidence} (HIGH when z >= ${t.highZ}, MEDIUM when z >= ${t.mediumZ}, else LOW)`
    : `not a spike: ${checks.filter((c) => !c.passed).map((c) => c.rule.replace(">=", "is below")).join("; ")}`;
  return { isSpike, confidence, sdUsed, checks, verdict };
}
