-- venezuelawatch.intermediate.int_mentions_counted_daily (incremental, merge)
-- statement
merge `venezuelawatch.intermediate.int_mentions_counted_daily` T
using (

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
  and mentions.mention_date >= date_sub(date '2015-02-18', interval 30 day)
  group by
    mentions.event_id,
    mentions.mention_date
)

select * from final

) S
on T.event_id = S.event_id and T.mention_date = S.mention_date
  and T.mention_date >= date_sub(date '2015-02-18', interval 30 day)
when matched then
  update set `event_id` = S.event_id,`mention_date` = S.mention_date,`mention_count` = S.mention_count
when not matched then
  insert (`event_id`,`mention_date`,`mention_count`) values (`event_id`,`mention_date`,`mention_count`)

-- metadata
alter table `venezuelawatch.intermediate.int_mentions_counted_daily` set options(description='Mentions per focus event per UTC day. Incremental: each run recomputes the last lookback_days days (late articles) and merges them.')

-- metadata
alter table `venezuelawatch.intermediate.int_mentions_counted_daily`
  alter column `event_id` set options(description='GLOBALEVENTID.'),
  alter column `mention_date` set options(description='UTC day of MentionTimeDate.'),
  alter column `mention_count` set options(description='Number of mention rows that day.')
