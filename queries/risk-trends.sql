-- vwatch query risk-trends: average and maximum risk score and event count per day, week or
-- month, over the events with a risk score reported between two times (both included). Only
-- buckets with events appear; the first and last hold only the events inside the range.
--
-- Returns: bucket_start (the bucket's first day), avg_risk_score, max_risk_score, event_count.
-- Parameters: @from_time, @to_time (UTC, 'YYYY-MM-DD HH:MM:SS.ffffff').

with events as (
  select * from ${ref("events")}
),

scored as (
  select
    date(mentioned_at) as day,
    risk_score
  from events
  where risk_score is not null
    and mentioned_at between timestamp(@from_time) and timestamp(@to_time)
),

-- One line per --bucket: weeks start on Sunday (BigQuery's WEEK), months on the 1st.
bucketed as (
  select
    day as bucket_start, -- if bucket = day
    date_trunc(day, week) as bucket_start, -- if bucket = week
    date_trunc(day, month) as bucket_start, -- if bucket = month
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
order by bucket_start
