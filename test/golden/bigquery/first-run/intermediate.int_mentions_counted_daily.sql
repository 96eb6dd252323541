-- venezuelawatch.intermediate.int_mentions_counted_daily (incremental, create)
-- statement
create or replace table `venezuelawatch.intermediate.int_mentions_counted_daily` partition by mention_date cluster by event_id as 

with mentions as (
  select * from `venezuelawatch.staging.stg_gdelt__mentions`
),

focus_events as (
  select event_id from `venezuelawatch.intermediate.int_focus_events`
),

final as (
  select
    mentions.event_id as event_id,
    mentions.mention_date as mention_date,
    count(*) as mention_count
  from mentions
  inner join focus_events
    on mentions.event_id = focus_events.event_id
  where mentions.mention_date <= date '2015-02-18'
  
  group by
    mentions.event_id,
    mentions.mention_date
)

select * from final

-- metadata
alter table `venezuelawatch.intermediate.int_mentions_counted_daily` set options(description='Mentions per focus event per UTC day. Incremental: each run recomputes the last lookback_days days (late articles) and merges them.')

-- metadata
alter table `venezuelawatch.intermediate.int_mentions_counted_daily`
  alter column `event_id` set options(description='GLOBALEVENTID.'),
  alter column `mention_date` set options(description='UTC day of MentionTimeDate.'),
  alter column `mention_count` set options(description='Number of mention rows that day.')
