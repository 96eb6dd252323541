-- vwatch ui, Spikes page: the spikes mention_spikes holds, newest first, with the event's place,
-- each filter applied only when the user set it.
--
-- Returns: event_id, spike_date (text, YYYY-MM-DD), mentions, baseline, z, confidence, place,
--   source_url; newest day first, then the strongest (z).
-- Parameters: @from_day and @to_day (YYYY-MM-DD, both included; with from_day / to_day),
--   @event_id (with event), @confidence (HIGH, MEDIUM or LOW; with confidence), @row_limit.

with spikes as (
  select * from ${ref("mention_spikes")}
),

events as (
  select * from ${ref("int_focus_events")}
),

final as (
  select
    spikes.event_id as event_id,
    cast(spikes.spike_date as string) as spike_date,
    spikes.mention_count as mentions,
    spikes.baseline_avg as baseline,
    spikes.z_score as z,
    spikes.confidence_level as confidence,
    events.action_geo_full_name as place,
    events.source_url as source_url
  from spikes
  left join events
    on spikes.event_id = events.event_id
  where true
    and spikes.spike_date >= cast(@from_day as date) -- if from_day
    and spikes.spike_date <= cast(@to_day as date) -- if to_day
    and spikes.event_id = @event_id -- if event
    and spikes.confidence_level = @confidence -- if confidence
)

select * from final
order by spike_date desc, z desc, event_id
limit @row_limit
