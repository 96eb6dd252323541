-- vwatch start: the strongest spikes in mention_spikes, with the event's place and source, as
-- the closing "Top spikes" table prints them.
--
-- Returns: event_id, spike_date (text, YYYY-MM-DD), mentions, baseline and z (rounded to 2
--   places), confidence, place, source_url; strongest (unrounded z) first.
-- Parameters: @row_limit.

with spikes as (
  select * from ${ref("mention_spikes")}
),

events as (
  select * from ${ref("int_focus_events")}
)

-- Ordered by the exact z, which the rounded column would tie.
select
  spikes.event_id as event_id,
  cast(spikes.spike_date as string) as spike_date,
  spikes.mention_count as mentions,
  round(spikes.baseline_avg, 2) as baseline,
  round(spikes.z_score, 2) as z,
  spikes.confidence_level as confidence,
  events.action_geo_full_name as place,
  events.source_url as source_url
from spikes
left join events
  on spikes.event_id = events.event_id
order by spikes.z_score desc, spikes.event_id
limit @row_limit
