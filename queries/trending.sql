-- vwatch query trending: entities ranked by their exponentially time-decayed mention count,
-- score = sum of 0.5 ^ (age / half-life) over the mentions with 0 <= age <= the window, age =
-- reference time - mentioned_at in exact elapsed microseconds (the reference time: see
-- trending-reference.sql). Mentions after the reference time are left out.
--
-- Returns: entity_id, name, entity_type, mentions, score.
-- Parameters: @as_of (only with --as-of), @window_us (30 days), @half_life_us (7 days), both in
--   microseconds, @row_limit.

with reference as (
  ${include("trending-reference")}
),

mentions as (
  select * from ${ref("entity_mentions")}
),

entities as (
  select * from ${ref("entities")}
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
limit @row_limit
