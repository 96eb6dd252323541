import { targetName, type CompiledGraph } from "../compile/graph";
import { InputError } from "../errors";
import { formatTable, log } from "../log";
import { addDays, checkDay } from "../days";
import { runAnalystQuery } from "../query/run-query";
import { projectTables, querySql } from "../query/sql-file";
import { readResults, resultsFile } from "../run/results";
import type { Warehouse } from "../warehouse/warehouse";
import { requireBuilt, requireWarehouseFile } from "./built";
import type { Cli } from "./context";

/** A day of int_mention_baselines as queries/explain-series.sql reads it: the baseline and the rule outcome. */
interface ScoredDay {
  day: string;
  mention_count: number;
  baseline_days: number;
  baseline_avg: number | null;
  baseline_stddev: number | null;
  z_score: number | null;
  stddev_used: number;
  meets_min_history_days: boolean;
  meets_min_spike_mentions: boolean;
  meets_z_threshold: boolean;
  is_spike: boolean;
  confidence_level: string | null;
}

/** The fields of each day that `--json` lists under `series`. */
const seriesFields = ({ day, mention_count, baseline_days, baseline_avg, baseline_stddev, z_score }: ScoredDay) => ({
  day,
  mention_count,
  baseline_days,
  baseline_avg,
  baseline_stddev,
  z_score,
});

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
          await requireRuleColumns(graph, warehouse);
          const vars = graph.projectConfig.vars ?? {};
          const num = (name: string) => Number(vars[name]);
          const lookback = num("lookback_days");
          const run = <T>(name: string, params: Record<string, unknown>) => runAnalystQuery<T>(warehouse, { sql: querySql(name, { tables: projectTables(graph) }), params });
          const days = await run<ScoredDay>("explain-series", { event_id: Number(eventId), from_day: addDays(day, -lookback), to_day: addDays(day, 3) });
          const series = days.map(seriesFields);
          const scored = days.find((r) => r.day === day);
          const spikeRows = await run<{ confidence_level: string; detected_at: string }>("explain-recorded-spike", { event_id: Number(eventId), day });
          // The outcome is the model's (int_mention_baselines); the vars only word the rules.
          const explanation = explain(scored, {
            minHistory: num("min_history_days"),
            minMentions: num("min_spike_mentions"),
            zThreshold: num("z_threshold"),
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

/** The vars the rules are worded with. */
interface Thresholds {
  minHistory: number;
  minMentions: number;
  zThreshold: number;
  highZ: number;
  mediumZ: number;
}

/** A table built before int_mention_baselines had the rule columns: say so, not "column not found". */
async function requireRuleColumns(graph: CompiledGraph, warehouse: Warehouse): Promise<void> {
  const target = graph.tables?.find((t) => t.target.name === "int_mention_baselines")?.target;
  const columns = target ? ((await warehouse.tableMetadata(target))?.columns ?? []) : [];
  if (target && !columns.some((c) => c.name === "is_spike")) {
    throw new InputError(`${targetName(target)} was built by an earlier vwatch, without the spike rule columns: run \`vwatch run --tags mentions --include-deps\` first`);
  }
}

/** The spike rules as int_mention_baselines applied them to one scored day, each with whether it held. */
export function explain(row: ScoredDay | undefined, t: Thresholds) {
  if (!row) return { isSpike: false, confidence: null, sdUsed: null, checks: [], verdict: "not scored" };
  const checks = [
    { rule: `baseline days n = ${row.baseline_days} >= min_history_days ${t.minHistory}`, passed: row.meets_min_history_days },
    { rule: `mentions ${row.mention_count} >= min_spike_mentions ${t.minMentions}`, passed: row.meets_min_spike_mentions },
    { rule: `z ${fmt(row.z_score)} >= z_threshold ${t.zThreshold}`, passed: row.meets_z_threshold },
  ];
  const verdict = row.is_spike
    ? `SPIKE, confidence ${row.confidence_level} (HIGH when z >= ${t.highZ}, MEDIUM when z >= ${t.mediumZ}, else LOW)`
    : `not a spike: ${checks.filter((c) => !c.passed).map((c) => c.rule.replace(">=", "is below")).join("; ")}`;
  return { isSpike: row.is_spike, confidence: row.confidence_level, sdUsed: row.stddev_used, checks, verdict };
}
