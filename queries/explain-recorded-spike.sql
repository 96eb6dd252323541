-- vwatch explain EVENT_ID DAY: the spike mention_spikes holds for the event on DAY, if any (it
-- keeps spikes of earlier runs too, with the time they were first detected).
--
-- Returns: confidence_level, detected_at (text); no row when there is no spike.
-- Parameters: @event_id, @day (YYYY-MM-DD).

with spikes as (
  select * from ${ref("mention_spikes")}
),

final as (
  select
    confidence_level,
    cast(detected_at as string) as detected_at
  from spikes
  where event_id = @event_id
    and spike_date = cast(@day as date)
)

select * from final
