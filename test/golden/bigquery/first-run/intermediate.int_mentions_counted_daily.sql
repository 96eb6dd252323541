-- venezuelawatch.intermediate.int_mentions_counted_daily (incremental, create)
-- statement
create or replace table `venezuelawatch.intermediate.int_mentions_counted_daily` partition by mention_date cluster by event_id as 

with mentions as (
  select * from `venezuelawatch.staging.stg_gdelt__mentions`
),

focus_events as (
  select event_id from `venezuelawatch.intermediate.int_focus_events`
),

-- Mention rows are grouped on the integer YYYYMMDD000000, the start of their UTC day computed from
-- GDELT's YYYYMMDDHHMMSS with integer arithmetic, and the day becomes a date per group only:
-- parsing a date per mention row would cost more than the whole rest of the pipeline at millions
-- of rows. The day bounds compare the stored number itself (every time of day D is below
-- (D + 1) * 1000000), which the warehouse checks while scanning.
counted as (
  select
    mentions.event_id as event_id,
    mentions.mention_time_number - mod(mentions.mention_time_number, 1000000) as mention_day_start,
    count(*) as mention_count
  from mentions
  inner join focus_events
    on mentions.event_id = focus_events.event_id
  where mentions.mention_time_number < (cast(format_date('%Y%m%d', date '2015-02-18') as int64) + 1) * 1000000
  
  group by
    mentions.event_id,
    mention_day_start
),

final as (
  select
    event_id,
    parse_date('%Y%m%d', substr(cast(mention_day_start as string), 1, 8)) as mention_date,
    mention_count
  from counted
)

select * from final

-- metadata
alter table `venezuelawatch.intermediate.int_mentions_counted_daily` set options(description='Mentions per focus event per UTC day. Incremental: each run recomputes the last lookback_days days (late articles) and merges them.')

-- metadata
alter table `venezuelawatch.intermediate.int_mentions_counted_daily`
  alter column `event_id` set options(description='GLOBALEVENTID.'),
  alter column `mention_date` set options(description='UTC day of MentionTimeDate.'),
  alter column `mention_count` set options(description='Number of mention rows that day.')
