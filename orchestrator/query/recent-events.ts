import type { TimeBound } from "./inputs";
import type { AnalystQuery, AppTables } from "./run-query";
import { querySql } from "./sql-file";

export interface RecentEventsOptions {
  from: TimeBound;
  /** Inclusive: a bare day arrives as its last microsecond (inputs.ts). */
  to: TimeBound;
  eventType?: string;
  limit: number;
}

export interface RecentEventRow {
  id: string;
  mentioned_at: string;
  event_type: string | null;
  risk_score: number | null;
  severity: string | null;
  title: string | null;
  location: string | null;
  source_name: string | null;
  source_url: string | null;
}

/** Events reported between from and to (both inclusive), optionally of one type, newest first: queries/recent-events.sql. */
export function recentEventsQuery(tables: AppTables, o: RecentEventsOptions): AnalystQuery {
  return {
    sql: querySql("recent-events", { tables, when: { event_type: o.eventType !== undefined } }),
    params: { from_time: o.from.param, to_time: o.to.param, ...(o.eventType === undefined ? {} : { event_type: o.eventType }), row_limit: o.limit },
  };
}
