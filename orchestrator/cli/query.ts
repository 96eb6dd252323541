import type { Command } from "commander";
import { formatTable, log } from "../log";
import { parseBucket, parseEventType, parseLimit, parseRange, parseTimeBound } from "../query/inputs";
import { recentEventsQuery, type RecentEventRow } from "../query/recent-events";
import { riskTrendsQuery, type RiskTrendRow } from "../query/risk-trends";
import { appTables, runAnalystQuery, type AnalystQuery, type AppTables } from "../query/run-query";
import { HALF_LIFE_DAYS, referenceTimeQuery, trendingQuery, WINDOW_DAYS, type TrendingRow } from "../query/trending";
import { requireBuilt, requireWarehouseFile } from "../query/built";
import type { Cli } from "./context";

const fixed = (x: number | null | undefined, digits: number) => (x === null || x === undefined ? "" : Number(x).toFixed(digits));
const clip = (s: string | null | undefined, n: number) => (s && s.length > n ? `${s.slice(0, n - 1)}…` : (s ?? ""));

/** Called once the input is valid (bad input exits 2 before anything opens): compiles, opens the warehouse, runs; exit code 0. */
async function withWarehouse(
  cli: Cli,
  opts: { warehouse?: string },
  reads: (keyof AppTables)[],
  work: (ctx: { tables: AppTables; run: <T>(q: AnalystQuery) => Promise<T[]> }) => Promise<void>,
): Promise<number> {
  const config = await cli.config(opts.warehouse);
  requireWarehouseFile(config);
  return cli.withSession(config, async (session) => {
    const tables = appTables(session.graph());
    const { warehouse } = await requireBuilt(session, reads);
    await work({ tables, run: (q) => runAnalystQuery(warehouse, q) });
    return 0;
  });
}

/** --from and --to, as recent-events and risk-trends read them. */
const withRange = (cmd: Command) =>
  cmd
    .requiredOption("--from <time>", "first day (YYYY-MM-DD, from 00:00 UTC) or UTC timestamp")
    .requiredOption("--to <time>", "last day, included through its end (23:59:59.999999 UTC), or a UTC timestamp (included)");

export function register(cli: Cli): void {
  const query = cli.program
    .command("query")
    .description("analyst queries over the application tables (events, entity_mentions, entities), on DuckDB or BigQuery");

  withRange(query.command("recent-events").description("events reported between --from and --to, newest first"))
    .option("--type <event_type>", "only events of this type (e.g. protest)")
    .option("--limit <n>", "at most this many events (default 100)")
    .action(
      cli.action(async (opts) => {
        const range = parseRange(opts.from, opts.to);
        const eventType = parseEventType(opts.type);
        const limit = parseLimit(opts.limit, 100);
        return withWarehouse(cli, opts, ["events"], async ({ tables, run }) => {
          const rows = await run<RecentEventRow>(recentEventsQuery(tables, { ...range, eventType, limit }));
          if (opts.json) {
            log.out(JSON.stringify({ from: range.from.iso, to: range.to.iso, type: eventType ?? null, limit, events: rows }, null, 2));
            return;
          }
          log.out(
            formatTable(
              ["mentioned_at", "type", "risk", "severity", "title", "location", "id"],
              rows.map((r) => [r.mentioned_at, r.event_type, fixed(r.risk_score, 1), r.severity, clip(r.title, 60), clip(r.location, 30), r.id]),
            ),
          );
          log.info(`\n${rows.length} event(s) from ${range.from.iso} to ${range.to.iso}${eventType ? ` of type ${eventType}` : ""}${rows.length === limit ? ` (the first ${limit}; --limit for more)` : ""}`);
        });
      }),
    );

  query
    .command("trending")
    .description(
      `entities ranked by mentions decayed with a ${HALF_LIFE_DAYS}-day half-life: score = sum of 0.5^(age / ${HALF_LIFE_DAYS} days) over the ${WINDOW_DAYS} days before the reference time. ` +
        "The reference time is --as-of, else the latest mention loaded (not now: the data may be historical, and now would find nothing)",
    )
    .option("--as-of <time>", "reference time: a UTC timestamp, or a day meaning its end (23:59:59.999999 UTC); default the latest mentioned_at in entity_mentions")
    .option("--limit <n>", "at most this many entities (default 20)")
    .action(
      cli.action(async (opts) => {
        const asOf = opts.asOf === undefined ? undefined : parseTimeBound(opts.asOf, "--as-of", "end");
        const limit = parseLimit(opts.limit, 20);
        return withWarehouse(cli, opts, ["entity_mentions", "entities"], async ({ tables, run }) => {
          const [ref] = await run<{ reference_time: string | null }>(referenceTimeQuery(tables, { asOf, limit }));
          const referenceTime = ref?.reference_time ?? null;
          const rows = referenceTime === null ? [] : await run<TrendingRow>(trendingQuery(tables, { asOf, limit }));
          const source = asOf ? "--as-of" : "latest mention";
          if (opts.json) {
            log.out(JSON.stringify({ reference_time: referenceTime, reference: source, half_life_days: HALF_LIFE_DAYS, window_days: WINDOW_DAYS, limit, entities: rows }, null, 2));
            return;
          }
          if (referenceTime === null) {
            log.out("entity_mentions has no mentions: nothing to rank");
            return;
          }
          log.out(formatTable(["entity", "type", "mentions", "score", "entity_id"], rows.map((r) => [clip(r.name, 40), r.entity_type, r.mentions, fixed(r.score, 4), r.entity_id])));
          log.info(`\nreference time ${referenceTime} (${source}); mentions of the ${WINDOW_DAYS} days before it, half-life ${HALF_LIFE_DAYS} days`);
        });
      }),
    );

  withRange(query.command("risk-trends").description("average and maximum risk score and event count per day, week (Sunday to Saturday) or month, over events with a risk score"))
    .requiredOption("--bucket <bucket>", "day, week (starting on Sunday, as BigQuery's WEEK) or month")
    .action(
      cli.action(async (opts) => {
        const range = parseRange(opts.from, opts.to);
        const bucket = parseBucket(opts.bucket);
        return withWarehouse(cli, opts, ["events"], async ({ tables, run }) => {
          const rows = await run<RiskTrendRow>(riskTrendsQuery(tables, { ...range, bucket }));
          if (opts.json) {
            log.out(JSON.stringify({ from: range.from.iso, to: range.to.iso, bucket, buckets: rows }, null, 2));
            return;
          }
          log.out(
            formatTable(
              [`${bucket} starting`, "avg_risk_score", "max_risk_score", "events"],
              rows.map((r) => [r.bucket_start, fixed(r.avg_risk_score, 2), fixed(r.max_risk_score, 2), r.event_count]),
            ),
          );
          log.info(`\n${rows.length} ${bucket}(s) with scored events from ${range.from.iso} to ${range.to.iso}`);
        });
      }),
    );
  for (const cmd of query.commands) cmd.option("--json", "print the result as JSON").option("--warehouse <name>", "duckdb (default) or bigquery");
}
