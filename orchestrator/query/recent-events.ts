import type { TimeBound } from "./inputs";
import type { AnalystQuery, AppTables } from "./run-query";

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

/** Events reported between from and to (both inclusive), optionally of one type, newest first. */
export function recentEventsQuery(tables: AppTables, o: RecentEventsOptions): AnalystQuery {
  const sql = `with events as (
  select * from ${tables.events}
),

final as (
  select
    id,
    mentioned_at,
    event_type,
    risk_score,
    severity,
    title,
    location,
    source_name,
    source_url
  from events
  where mentioned_at between timestamp(@from_time) and timestamp(@to_time)${o.eventType === undefined ? "" : "\n    and event_type = @event_type"}
)

select * from final
order by mentioned_at desc, id
limit @row_limit`;
  return {
    sql,
    params: { from_time: o.from.param, to_time: o.to.param, ...(o.eventType === undefined ? {} : { event_type: o.eventType }), row_limit: o.limit },
  };
}
