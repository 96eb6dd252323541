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

final as (
  select
    event_id,
    day,
    mention_count,
    baseline_days,
    baseline_avg,
    baseline_stddev,
    (mention_count - baseline_avg) / greatest(coalesce(baseline_stddev, 0), 1) as z_score
  from windowed
)

select * from final

-- metadata
alter table `venezuelawatch.intermediate.int_mention_baselines` set options(description='For each focus event and each day from its first mention through as_of (days without mentions count as zero): the day\'s mentions and the baseline over the previous lookback_days days, the day itself excluded.')

-- metadata
alter table `venezuelawatch.intermediate.int_mention_baselines`
  alter column `event_id` set options(description='GLOBALEVENTID.'),
  alter column `day` set options(description='The scored day.'),
  alter column `mention_count` set options(description='Mentions on the day (0 when none).'),
  alter column `baseline_days` set options(description='n: days in the baseline window (fewer than lookback_days near the first mention).'),
  alter column `baseline_avg` set options(description='Mean of the daily counts in the window; NULL when n = 0.'),
  alter column `baseline_stddev` set options(description='Sample standard deviation of the window; NULL when n < 2.'),
  alter column `z_score` set options(description='(mention_count - baseline_avg) / max(baseline_stddev, min_stddev); NULL when n = 0.')
