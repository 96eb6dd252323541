-- vwatch query recent-events: events reported between two times, both included, optionally of
-- one type, newest first.
--
-- Returns: id, mentioned_at, event_type, risk_score, severity, title, location, source_name,
--   source_url.
-- Parameters: @from_time, @to_time (UTC, 'YYYY-MM-DD HH:MM:SS.ffffff'; a bare --to day arrives as
--   its last microsecond), @event_type (only with --type), @row_limit.

with events as (
  select * from ${ref("events")}
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
  where mentioned_at between timestamp(@from_time) and timestamp(@to_time)
    and event_type = @event_type -- if event_type
)

select * from final
order by mentioned_at desc, id
limit @row_limit
