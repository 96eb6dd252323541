-- venezuelawatch.analytics.mention_spikes (incremental, create)
-- statement
create or replace table `venezuelawatch.analytics.mention_spikes` partition by spike_date cluster by event_id as 

with baselines as (
  select * from `venezuelawatch.intermediate.int_mention_baselines`
),

-- The spike rules and the confidence are applied in int_mention_baselines, their one place.
spikes as (
  select *
  from baselines
  where is_spike
    
),



final as (
  select
    spikes.event_id as event_id,
    spikes.day as spike_date,
    spikes.mention_count as mention_count,
    spikes.baseline_avg as baseline_avg,
    spikes.baseline_stddev as baseline_stddev,
    spikes.z_score as z_score,
    spikes.confidence_level as confidence_level,
    spikes.baseline_days as baseline_days,
    current_timestamp() as detected_at
  from spikes
  
)

select * from final

-- metadata
alter table `venezuelawatch.analytics.mention_spikes` set options(description='Days on which a focus event\'s news coverage spiked: enough history, enough mentions and a z-score over the threshold (the days int_mention_baselines classifies as spikes, where the rule is written). Synced to the application\'s data_pipeline_mentionspike table.')

-- metadata
alter table `venezuelawatch.analytics.mention_spikes`
  alter column `event_id` set options(description='GLOBALEVENTID.'),
  alter column `spike_date` set options(description='The day of the spike.'),
  alter column `mention_count` set options(description='Mentions that day.'),
  alter column `baseline_avg` set options(description='Mean daily mentions over the baseline window.'),
  alter column `baseline_stddev` set options(description='Sample standard deviation over the window (raw, before the min_stddev floor).'),
  alter column `z_score` set options(description='(mention_count - baseline_avg) / max(baseline_stddev, min_stddev).'),
  alter column `confidence_level` set options(description='HIGH (z >= high_z), MEDIUM (z >= medium_z) or LOW, as int_mention_baselines gives it.'),
  alter column `baseline_days` set options(description='n: days in the baseline window.'),
  alter column `detected_at` set options(description='When the pipeline first detected the spike.')
