/**
 * Why an event was or was not a spike on a day, as `vwatch explain --json` prints it and the web
 * view's spike chart draws it: the event's scored days around the day (queries/explain-series.sql)
 * and the rule outcome int_mention_baselines computed (the rule lives there, once).
 */
import { targetName, type CompiledGraph } from "../compile/graph";
import { addDays } from "../days";
import { InputError } from "../errors";
import { readResults, resultsFile } from "../run/results";
import type { Session } from "../run/session";
import type { Warehouse } from "../warehouse/warehouse";
import { runAnalystQuery } from "./run-query";
import { projectTables, querySql } from "./sql-file";

/** A day of int_mention_baselines as queries/explain-series.sql reads it: the baseline and the rule outcome. */
export interface ScoredDay {
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

/** The vars the rules are worded with. */
export interface Thresholds {
  minHistory: number;
  minMentions: number;
  zThreshold: number;
  highZ: number;
  mediumZ: number;
  minStddev: number;
  lookback: number;
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

export const fmt = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? "n/a" : Number(x).toFixed(digits));

/** An explanation: what `--json` prints (`json`), and the rows and thresholds behind it. */
export interface Explained {
  json: ReturnType<typeof explanationJson>;
  days: ScoredDay[];
  scored?: ScoredDay;
  thresholds: Thresholds;
  /** as_of as the run used it ("" when the latest mention day). */
  asOf: string;
}

function explanationJson(eventId: number, day: string, days: ScoredDay[], scored: ScoredDay | undefined, t: Thresholds, recordedSpike: { confidence_level: string; detected_at: string } | null) {
  return { eventId, day, series: days.map(seriesFields), ...explain(scored, t), recordedSpike };
}

/** Reads the explanation of an event on a day from the built models (refuses, exit 2, when they are not built). */
export async function explainEventDay(session: Session, eventId: number, day: string): Promise<Explained> {
  // Thresholds as the last run used them (its --vars), else workflow_settings.yaml.
  const { replayedVars } = await import("../compile/vars");
  const { requireBuilt } = await import("./built");
  const config = session.config;
  const { graph, warehouse } = await requireBuilt(session, ["int_mention_baselines", "mention_spikes"], readResults(config.home)?.options.vars, replayedVars(resultsFile(config.home)));
  await requireRuleColumns(graph, warehouse);
  const vars = graph.projectConfig.vars ?? {};
  const num = (name: string) => Number(vars[name]);
  const thresholds: Thresholds = {
    minHistory: num("min_history_days"),
    minMentions: num("min_spike_mentions"),
    zThreshold: num("z_threshold"),
    highZ: num("high_z"),
    mediumZ: num("medium_z"),
    minStddev: num("min_stddev"),
    lookback: num("lookback_days"),
  };
  const run = <T>(name: string, params: Record<string, unknown>) => runAnalystQuery<T>(warehouse, { sql: querySql(name, { tables: projectTables(graph) }), params });
  const days = await run<ScoredDay>("explain-series", { event_id: eventId, from_day: addDays(day, -thresholds.lookback), to_day: addDays(day, 3) });
  const scored = days.find((r) => r.day === day);
  const spikeRows = await run<{ confidence_level: string; detected_at: string }>("explain-recorded-spike", { event_id: eventId, day });
  return { json: explanationJson(eventId, day, days, scored, thresholds, spikeRows[0] ?? null), days, scored, thresholds, asOf: String(vars.as_of ?? "") };
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
export function explain(row: ScoredDay | undefined, t: Omit<Thresholds, "minStddev" | "lookback">) {
  if (!row) return { isSpike: false, confidence: null, sdUsed: null, checks: [], verdict: "not scored" };
  const checks = [
    { rule: `baseline days n = ${row.baseline_days} >= min_history_days ${t.minHistory}`, passed: row.meets_min_history_days },
    { rule: `mentions ${row.mention_count} >= min_spike_mentions ${t.minMentions}`, passed: row.meets_min_spike_mentions },
    { rule: `z ${fmt(row.z_score)} >= z_threshold ${t.zThreshold}`, passed: row.meets_z_threshold },
  ];
  const verdict = row.is_spike
    ? `SPIKE, confidence ${row.confidence_level} (HIGH when z >= ${t.highZ}, MEDIUM when z >= ${t.mediumZ}, else LOW)`
    : `not a spike: ${checks.filter((c) => !c.passed).map((c) => c.rule.replace(">=", "is below")).join("; ")}`;
  return { isSpike: row.is_spike, confidence: row.confidence_level as string | null, sdUsed: row.stddev_used as number | null, checks, verdict };
}
