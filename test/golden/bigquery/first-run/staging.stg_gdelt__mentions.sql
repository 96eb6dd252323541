-- venezuelawatch.staging.stg_gdelt__mentions (view, view)
-- statement
create or replace view `venezuelawatch.staging.stg_gdelt__mentions` as 

-- Partitions are the mention day. Mentions of tracked events start when the event is added,
-- so the event window bounds them too.
with source as (
  select *
  from `gdelt-bq.gdeltv2.eventmentions_partitioned`
  where _PARTITIONTIME >= timestamp(date_sub(date '2015-02-18', interval 30 day))
    and _PARTITIONTIME < timestamp(date_add(date '2015-02-18', interval 1 day))
),

final as (
  select
    GLOBALEVENTID as event_id,
    parse_timestamp('%Y%m%d%H%M%S', cast(MentionTimeDate as string)) as mentioned_at,
    parse_date('%Y%m%d', substr(cast(MentionTimeDate as string), 1, 8)) as mention_date,
    MentionTimeDate as mention_time_number,
    MentionType as mention_type,
    MentionSourceName as source_name,
    MentionIdentifier as mention_url,
    Confidence as confidence,
    MentionDocTone as doc_tone
  from source
)

select * from final

-- metadata
alter view `venezuelawatch.staging.stg_gdelt__mentions` set options(description='GDELT 2.0 mentions from the tracking window before as_of through as_of. One row per article mentioning an event.')

-- metadata
alter view `venezuelawatch.staging.stg_gdelt__mentions`
  alter column `event_id` set options(description='GLOBALEVENTID of the mentioned event.'),
  alter column `mentioned_at` set options(description='MentionTimeDate: when the article was published (UTC).'),
  alter column `mention_date` set options(description='UTC day of mentioned_at.'),
  alter column `mention_time_number` set options(description='MentionTimeDate as GDELT stores it, the integer YYYYMMDDHHMMSS (UTC): cheap to filter and group on before turning into a date or a time.'),
  alter column `mention_type` set options(description='MentionType (1 web, 2 citation only, …).'),
  alter column `source_name` set options(description='MentionSourceName.'),
  alter column `mention_url` set options(description='MentionIdentifier (URL or citation).'),
  alter column `confidence` set options(description='GDELT\'s confidence in the extraction, 0-100.'),
  alter column `doc_tone` set options(description='Tone of the mentioning document.')
