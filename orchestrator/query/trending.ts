import type { TimeBound } from "./inputs";
import type { AnalystQuery, AppTables } from "./run-query";

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

/**
 * The reference time as SQL: the bound --as-of, or the latest mention computed in the warehouse
 * (not read back first: the adapters return timestamps at millisecond precision, which would push
 * a mention at .123456 past a reference of .123).
 */
function reference(tables: AppTables, o: TrendingOptions): string {
  return o.asOf ? "select timestamp(@as_of) as reference_time" : `select max(mentioned_at) as reference_time from ${tables.entity_mentions}`;
}

export function referenceTimeQuery(tables: AppTables, o: TrendingOptions): AnalystQuery {
  return { sql: reference(tables, o), params: o.asOf ? { as_of: o.asOf.param } : {} };
}

/**
 * Entities ranked by their exponentially time-decayed mention count:
 * score = Σ 0.5 ^ (age / 7 days) over mentions with 0 <= age <= 30 days, age = reference - mentioned_at
 * in exact elapsed microseconds. Mentions after the reference time are left out.
 */
export function trendingQuery(tables: AppTables, o: TrendingOptions): AnalystQuery {
  const sql = `with reference as (
  ${reference(tables, o)}
),

mentions as (
  select * from ${tables.entity_mentions}
),

entities as (
  select * from ${tables.entities}
),

aged as (
  select
    mentions.entity_id as entity_id,
    timestamp_diff(reference.reference_time, mentions.mentioned_at, microsecond) as age_us
  from mentions
  cross join reference
),

-- Only the window before the reference time counts; later mentions have a negative age.
recent as (
  select *
  from aged
  where age_us between 0 and @window_us
),

scored as (
  select
    entity_id,
    count(*) as mentions,
    sum(pow(0.5, age_us / @half_life_us)) as score
  from recent
  group by entity_id
),

final as (
  select
    scored.entity_id as entity_id,
    entities.name as name,
    entities.entity_type as entity_type,
    scored.mentions as mentions,
    scored.score as score
  from scored
  left join entities
    on scored.entity_id = entities.id
)

select * from final
order by score desc, entity_id
limit @row_limit`;
  return {
    sql,
    params: {
      ...(o.asOf ? { as_of: o.asOf.param } : {}),
      window_us: WINDOW_DAYS * MICROS_PER_DAY,
      half_life_us: HALF_LIFE_DAYS * MICROS_PER_DAY,
      row_limit: o.limit,
    },
  };
}
