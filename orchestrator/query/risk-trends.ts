import type { Bucket, TimeBound } from "./inputs";
import type { AnalystQuery, AppTables } from "./run-query";

export interface RiskTrendsOptions {
  from: TimeBound;
  to: TimeBound;
  bucket: Bucket;
}

export interface RiskTrendRow {
  bucket_start: string;
  avg_risk_score: number;
  max_risk_score: number;
  event_count: number;
}

/** The first day of each bucket: weeks start on Sunday (BigQuery's WEEK), months on the 1st. */
const BUCKET_START: Record<Bucket, string> = {
  day: "day",
  week: "date_trunc(day, week)",
  month: "date_trunc(day, month)",
};

/**
 * Risk per bucket over events with a risk score reported between from and to (inclusive). Only
 * buckets with events appear; the first and last buckets hold only the events inside the range.
 */
export function riskTrendsQuery(tables: AppTables, o: RiskTrendsOptions): AnalystQuery {
  const sql = `with events as (
  select * from ${tables.events}
),

scored as (
  select
    date(mentioned_at) as day,
    risk_score
  from events
  where risk_score is not null
    and mentioned_at between timestamp(@from_time) and timestamp(@to_time)
),

bucketed as (
  select
    ${BUCKET_START[o.bucket]} as bucket_start,
    risk_score
  from scored
),

final as (
  select
    bucket_start,
    avg(risk_score) as avg_risk_score,
    max(risk_score) as max_risk_score,
    count(*) as event_count
  from bucketed
  group by bucket_start
)

select * from final
order by bucket_start`;
  return { sql, params: { from_time: o.from.param, to_time: o.to.param } };
}
