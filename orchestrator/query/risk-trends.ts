import type { Bucket, TimeBound } from "./inputs";
import type { AnalystQuery, AppTables } from "./run-query";
import { querySql } from "./sql-file";

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

/**
 * Risk per bucket over events with a risk score reported between from and to (inclusive):
 * queries/risk-trends.sql, its bucket_start line chosen by the bucket (weeks start on Sunday).
 */
export function riskTrendsQuery(tables: AppTables, o: RiskTrendsOptions): AnalystQuery {
  return { sql: querySql("risk-trends", { tables, when: { bucket: o.bucket } }), params: { from_time: o.from.param, to_time: o.to.param } };
}
