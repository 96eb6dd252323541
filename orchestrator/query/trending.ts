import type { TimeBound } from "./inputs";
import type { AnalystQuery, AppTables } from "./run-query";
import { querySql } from "./sql-file";

/** A mention's weight halves every HALF_LIFE_DAYS; mentions older than WINDOW_DAYS are left out. */
export const HALF_LIFE_DAYS = 7;
export const WINDOW_DAYS = 30;
const MICROS_PER_DAY = 86_400_000_000;

export interface TrendingOptions {
  /** The reference time; undefined = the latest mentioned_at in entity_mentions. */
  asOf?: TimeBound;
  limit: number;
}

export interface TrendingRow {
  entity_id: string;
  name: string | null;
  entity_type: string | null;
  mentions: number;
  score: number;
}

/** The reference time: --as-of, else the latest mention (queries/trending-reference.sql). */
export function referenceTimeQuery(tables: AppTables, o: TrendingOptions): AnalystQuery {
  return { sql: querySql("trending-reference", { tables, when: { as_of: o.asOf !== undefined } }), params: o.asOf ? { as_of: o.asOf.param } : {} };
}

/**
 * Entities ranked by their exponentially time-decayed mention count (queries/trending.sql):
 * score = Σ 0.5 ^ (age / 7 days) over mentions with 0 <= age <= 30 days, age = reference - mentioned_at
 * in exact elapsed microseconds. Mentions after the reference time are left out.
 */
export function trendingQuery(tables: AppTables, o: TrendingOptions): AnalystQuery {
  return {
    sql: querySql("trending", { tables, when: { as_of: o.asOf !== undefined } }),
    params: {
      ...(o.asOf ? { as_of: o.asOf.param } : {}),
      window_us: WINDOW_DAYS * MICROS_PER_DAY,
      half_life_us: HALF_LIFE_DAYS * MICROS_PER_DAY,
      row_limit: o.limit,
    },
  };
}
