-- venezuelawatch.intermediate.int_mention_baselines (table, create)
-- statement
create or replace table `venezuelawatch.intermediate.int_mention_baselines` as 

with daily as (
  select * from `venezuelawatch.intermediate.int_mentions_counted_daily`
),

focus_events as (
  select event_id from `venezuelawatch.intermediate.int_focus_events`
),

first_days as (
  select
    daily.event_id as event_id,
    min(daily.mention_date) as first_day
  from daily
  inner join focus_events
    on daily.event_id = focus_events.event_id
  where daily.mention_date <= date '2015-02-18'
  group by daily.event_id
),

-- A date spine so that days without mentions count as zero in the baseline.
spine as (
  select
    first_days.event_id as event_id,
    day
  from first_days
  cross join unnest(generate_date_array(first_days.first_day, date '2015-02-18')) as day
),

series as (
  select
    spine.event_id as event_id,
    spine.day as day,
    coalesce(daily.mention_count, 0) as mention_count
  from spine
  left join daily
    on spine.event_id = daily.event_id
    and spine.day = daily.mention_date
),

-- RANGE over the day number: the previous lookback_days calendar days, the scored day excluded.
windowed as (
  select
    event_id,
    day,
    mention_count,
    count(*) over baseline_window as baseline_days,
    avg(mention_count) over baseline_window as baseline_avg,
    stddev_samp(mention_count) over baseline_window as baseline_stddev
  from series
  window baseline_window as (
    partition by event_id
    order by unix_date(day)
    range between 30 preceding and 1 preceding
  )
),

-- The floor keeps a flat baseline (sd 0, or NULL when n < 2) from making every extra mention a spike.
floored as (
  select
    *,
    greatest(coalesce(baseline_stddev, 0), 1) as stddev_used
  from windowed
),

scored as (
  select
    *,
    (mention_count - baseline_avg) / stddev_used as z_score
  from floored
),

-- The spike rules, each with whether it held. Thresholds are vars so analysts can tune
-- sensitivity without touching SQL. A day without a baseline (z NULL) fails the z rule.
ruled as (
  select
    *,
    baseline_days >= 7 as meets_min_history_days,
    mention_count >= 3 as meets_min_spike_mentions,
    coalesce(z_score >= 2, false) as meets_z_threshold
  from scored
),

classified as (
  select
    *,
    meets_min_history_days and meets_min_spike_mentions and meets_z_threshold as is_spike
  from ruled
),

final as (
  select
    event_id,
    day,
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
    case
      when not is_spike then null
      when z_score >= 3 then 'HIGH'
      when z_score >= 2.5 then 'MEDIUM'
      else 'LOW'
    end as confidence_level
  from classified
)

select * from final

-- metadata
alter table `venezuelawatch.intermediate.int_mention_baselines` set options(description='For each focus event and each day from its first mention through as_of (days without mentions count as zero): the day\'s mentions, the baseline over the previous lookback_days days (the day itself excluded), and the spike rules applied to the day: whether each held, whether the day is a spike, and its confidence. The one place the spike rule is written: mention_spikes keeps the days where is_spike, and vwatch explain prints these columns.')

-- metadata
alter table `venezuelawatch.intermediate.int_mention_baselines`
  alter column `event_id` set options(description='GLOBALEVENTID.'),
  alter column `day` set options(description='The scored day.'),
  alter column `mention_count` set options(description='Mentions on the day (0 when none).'),
  alter column `baseline_days` set options(description='n: days in the baseline window (fewer than lookback_days near the first mention).'),
  alter column `baseline_avg` set options(description='Mean of the daily counts in the window; NULL when n = 0.'),
  alter column `baseline_stddev` set options(description='Sample standard deviation of the window; NULL when n < 2.'),
  alter column `z_score` set options(description='(mention_count - baseline_avg) / stddev_used; NULL when n = 0.'),
  alter column `stddev_used` set options(description='The standard deviation z divides by: max(baseline_stddev, min_stddev), so min_stddev when n < 2.'),
  alter column `meets_min_history_days` set options(description='Rule 1 held: baseline_days >= min_history_days.'),
  alter column `meets_min_spike_mentions` set options(description='Rule 2 held: mention_count >= min_spike_mentions.'),
  alter column `meets_z_threshold` set options(description='Rule 3 held: z_score >= z_threshold (false when z_score is NULL).'),
  alter column `is_spike` set options(description='All three rules held: the day is a spike (a row of mention_spikes).'),
  alter column `confidence_level` set options(description='For a spike, HIGH (z >= high_z), MEDIUM (z >= medium_z) or LOW; NULL when the day is not a spike.')
