-- vwatch explain EVENT_ID DAY: the event's scored days around DAY (from lookback_days before it
-- to 3 days after), each with its baseline and the spike rules as int_mention_baselines applied
-- them (the rule is written there, once; explain prints these columns and applies nothing).
--
-- Returns: day (text, YYYY-MM-DD), mention_count, baseline_days, baseline_avg, baseline_stddev,
--   z_score, stddev_used, meets_min_history_days, meets_min_spike_mentions, meets_z_threshold,
--   is_spike, confidence_level.
-- Parameters: @event_id, @from_day, @to_day (YYYY-MM-DD, both included).

with baselines as (
  select * from ${ref("int_mention_baselines")}
),

final as (
  select
    cast(day as string) as day,
    mention_count,
    baseline_days,
    baseline_avg,
    baseline_stddev,
    z_score,
    stddev_used,
    meets_min_history_days,
    meets_min_spike_mentions,
    meets_z_threshold,
    is_spike,
    confidence_level
  from baselines
  where event_id = @event_id
    and day between cast(@from_day as date) and cast(@to_day as date)
)

select * from final
order by day
