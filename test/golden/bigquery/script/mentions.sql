-- Rendered by `vwatch render script`: do not edit; render it again from the SQLX.
-- Selection: --tags mentions, with dependencies.
-- Correct whatever state the warehouse is in: incremental tables are created when missing, merged otherwise.

-- as_of: the scheduled query's run date (@run_date)
DECLARE vwatch_as_of DATE DEFAULT @run_date;

-- The run id written into the assertions' failures tables: this script's job.
DECLARE vwatch_run_id STRING DEFAULT @@script.job_id;

create schema if not exists `venezuelawatch.staging` options(location="US");
create schema if not exists `venezuelawatch.intermediate` options(location="US");
create schema if not exists `venezuelawatch.analytics` options(location="US");
create schema if not exists `venezuelawatch.analytics_assertions` options(location="US");

-- venezuelawatch.staging.stg_gdelt__events (view)
EXECUTE IMMEDIATE REPLACE(r"""
create or replace view `venezuelawatch.staging.stg_gdelt__events` as 

-- Partitions are the day the event was added; only the tracking window is read.
with source as (
  select *
  from `gdelt-bq.gdeltv2.events_partitioned`
  where _PARTITIONTIME >= timestamp(date_sub(date '0001-01-01', interval 30 day))
    and _PARTITIONTIME < timestamp(date_add(date '0001-01-01', interval 1 day))
),

final as (
  select
    GLOBALEVENTID as event_id,
    parse_date('%Y%m%d', cast(SQLDATE as string)) as event_date,
    parse_timestamp('%Y%m%d%H%M%S', cast(DATEADDED as string)) as added_at,
    Actor1Name as actor1_name,
    Actor2Name as actor2_name,
    Actor1Type1Code as actor1_type_code,
    Actor2Type1Code as actor2_type_code,
    Actor1CountryCode as actor1_country_code,
    Actor2CountryCode as actor2_country_code,
    ActionGeo_CountryCode as action_geo_country_code,
    ActionGeo_FullName as action_geo_full_name,
    EventCode as event_code,
    EventRootCode as event_root_code,
    QuadClass as quad_class,
    GoldsteinScale as goldstein_scale,
    NumMentions as num_mentions,
    AvgTone as avg_tone,
    SOURCEURL as source_url
  from source
)

select * from final
""", "date '0001-01-01'", FORMAT("date '%t'", vwatch_as_of));
alter view `venezuelawatch.staging.stg_gdelt__events` set options(description='GDELT 2.0 events added in the tracking window before as_of, renamed and typed. One row per GDELT event record.');
alter view `venezuelawatch.staging.stg_gdelt__events`
  alter column `event_id` set options(description='GLOBALEVENTID.'),
  alter column `event_date` set options(description='SQLDATE: the date the article claims the event happened (often long before it was added).'),
  alter column `added_at` set options(description='DATEADDED: when GDELT first saw the event (UTC).'),
  alter column `actor1_name` set options(description='Actor1Name: the actor as GDELT names it (e.g. VENEZUELA, NICOLAS MADURO).'),
  alter column `actor2_name` set options(description='Actor2Name.'),
  alter column `actor1_type_code` set options(description='Actor1Type1Code: CAMEO actor type (GOV, MIL, OPP, BUS, …).'),
  alter column `actor2_type_code` set options(description='Actor2Type1Code.'),
  alter column `actor1_country_code` set options(description='Actor1CountryCode (3-letter CAMEO country code).'),
  alter column `actor2_country_code` set options(description='Actor2CountryCode (3-letter CAMEO country code).'),
  alter column `action_geo_country_code` set options(description='ActionGeo_CountryCode (2-letter FIPS 10-4 code).'),
  alter column `action_geo_full_name` set options(description='ActionGeo_FullName.'),
  alter column `event_code` set options(description='CAMEO event code.'),
  alter column `event_root_code` set options(description='CAMEO root event code (two digits).'),
  alter column `quad_class` set options(description='GDELT QuadClass (1 verbal cooperation … 4 material conflict).'),
  alter column `goldstein_scale` set options(description='Goldstein scale, -10 (destabilising) to +10.'),
  alter column `num_mentions` set options(description='GDELT\'s own mention count in the first 15 minutes.'),
  alter column `avg_tone` set options(description='Average tone of the first documents, -100 to +100.'),
  alter column `source_url` set options(description='URL of the first article.');

-- venezuelawatch.intermediate.int_focus_events (table)
create or replace table `venezuelawatch.intermediate.int_focus_events` as 

with events as (
  select * from `venezuelawatch.staging.stg_gdelt__events`
),

-- Actor columns hold CAMEO codes (VEN), the action geography FIPS codes (VE): two lists.
focus as (
  select *
  from events
  where (
      actor1_country_code in ('VEN')
      or actor2_country_code in ('VEN')
      or action_geo_country_code in ('VE')
    )
    and date(added_at) between date_sub(vwatch_as_of, interval 30 day) and vwatch_as_of
),

-- A file loaded twice under different names, or a GDELT re-issue, must not double an event.
final as (
  select * from focus
  where true
  qualify row_number() over (partition by event_id order by added_at) = 1
)

select * from final;
alter table `venezuelawatch.intermediate.int_focus_events` set options(description='Events involving the focus country (Venezuela by default) added within event_window_days before as_of: the events whose coverage is tracked. One row per event.');
alter table `venezuelawatch.intermediate.int_focus_events`
  alter column `event_id` set options(description='GLOBALEVENTID.'),
  alter column `event_date` set options(description='Date the article claims for the event.'),
  alter column `added_at` set options(description='When GDELT added the event.'),
  alter column `actor1_name` set options(description='Name of actor 1.'),
  alter column `actor2_name` set options(description='Name of actor 2.'),
  alter column `actor1_type_code` set options(description='CAMEO type of actor 1.'),
  alter column `actor2_type_code` set options(description='CAMEO type of actor 2.'),
  alter column `actor1_country_code` set options(description='CAMEO country of actor 1.'),
  alter column `actor2_country_code` set options(description='CAMEO country of actor 2.'),
  alter column `action_geo_country_code` set options(description='FIPS country where the action took place.'),
  alter column `action_geo_full_name` set options(description='Place name of the action.'),
  alter column `event_code` set options(description='CAMEO event code.'),
  alter column `event_root_code` set options(description='CAMEO root code.'),
  alter column `quad_class` set options(description='GDELT QuadClass.'),
  alter column `goldstein_scale` set options(description='Goldstein scale.'),
  alter column `num_mentions` set options(description='GDELT\'s initial mention count.'),
  alter column `avg_tone` set options(description='Average tone.'),
  alter column `source_url` set options(description='First article URL.');

-- venezuelawatch.staging.stg_gdelt__mentions (view)
EXECUTE IMMEDIATE REPLACE(r"""
create or replace view `venezuelawatch.staging.stg_gdelt__mentions` as 

-- Partitions are the mention day. Mentions of tracked events start when the event is added,
-- so the event window bounds them too.
with source as (
  select *
  from `gdelt-bq.gdeltv2.eventmentions_partitioned`
  where _PARTITIONTIME >= timestamp(date_sub(date '0001-01-01', interval 30 day))
    and _PARTITIONTIME < timestamp(date_add(date '0001-01-01', interval 1 day))
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
""", "date '0001-01-01'", FORMAT("date '%t'", vwatch_as_of));
alter view `venezuelawatch.staging.stg_gdelt__mentions` set options(description='GDELT 2.0 mentions from the tracking window before as_of through as_of. One row per article mentioning an event.');
alter view `venezuelawatch.staging.stg_gdelt__mentions`
  alter column `event_id` set options(description='GLOBALEVENTID of the mentioned event.'),
  alter column `mentioned_at` set options(description='MentionTimeDate: when the article was published (UTC).'),
  alter column `mention_date` set options(description='UTC day of mentioned_at.'),
  alter column `mention_time_number` set options(description='MentionTimeDate as GDELT stores it, the integer YYYYMMDDHHMMSS (UTC): cheap to filter and group on before turning into a date or a time.'),
  alter column `mention_type` set options(description='MentionType (1 web, 2 citation only, …).'),
  alter column `source_name` set options(description='MentionSourceName.'),
  alter column `mention_url` set options(description='MentionIdentifier (URL or citation).'),
  alter column `confidence` set options(description='GDELT\'s confidence in the extraction, 0-100.'),
  alter column `doc_tone` set options(description='Tone of the mentioning document.');

-- venezuelawatch.intermediate.int_mentions_counted_daily (incremental)
IF NOT EXISTS (SELECT 1 FROM `intermediate`.INFORMATION_SCHEMA.COLUMNS WHERE table_name = "int_mentions_counted_daily") THEN
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
  where mentions.mention_time_number < (cast(format_date('%Y%m%d', vwatch_as_of) as int64) + 1) * 1000000
  
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

select * from final;
alter table `venezuelawatch.intermediate.int_mentions_counted_daily` set options(description='Mentions per focus event per UTC day. Incremental: each run recomputes the last lookback_days days (late articles) and merges them.');
alter table `venezuelawatch.intermediate.int_mentions_counted_daily`
  alter column `event_id` set options(description='GLOBALEVENTID.'),
  alter column `mention_date` set options(description='UTC day of MentionTimeDate.'),
  alter column `mention_count` set options(description='Number of mention rows that day.');
ELSE
merge `venezuelawatch.intermediate.int_mentions_counted_daily` T
using (

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
  where mentions.mention_time_number < (cast(format_date('%Y%m%d', vwatch_as_of) as int64) + 1) * 1000000
  and mentions.mention_time_number >= cast(format_date('%Y%m%d', date_sub(vwatch_as_of, interval 30 day)) as int64) * 1000000
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

) S
on T.event_id = S.event_id and T.mention_date = S.mention_date
  and T.mention_date >= date_sub(vwatch_as_of, interval 30 day)
when matched then
  update set `event_id` = S.event_id,`mention_date` = S.mention_date,`mention_count` = S.mention_count
when not matched then
  insert (`event_id`,`mention_date`,`mention_count`) values (`event_id`,`mention_date`,`mention_count`);
alter table `venezuelawatch.intermediate.int_mentions_counted_daily` set options(description='Mentions per focus event per UTC day. Incremental: each run recomputes the last lookback_days days (late articles) and merges them.');
alter table `venezuelawatch.intermediate.int_mentions_counted_daily`
  alter column `event_id` set options(description='GLOBALEVENTID.'),
  alter column `mention_date` set options(description='UTC day of MentionTimeDate.'),
  alter column `mention_count` set options(description='Number of mention rows that day.');
END IF;

-- venezuelawatch.intermediate.int_mention_baselines (table)
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
  where daily.mention_date <= vwatch_as_of
  group by daily.event_id
),

-- A date spine so that days without mentions count as zero in the baseline.
spine as (
  select
    first_days.event_id as event_id,
    day
  from first_days
  cross join unnest(generate_date_array(first_days.first_day, vwatch_as_of)) as day
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

select * from final;
alter table `venezuelawatch.intermediate.int_mention_baselines` set options(description='For each focus event and each day from its first mention through as_of (days without mentions count as zero): the day\'s mentions, the baseline over the previous lookback_days days (the day itself excluded), and the spike rules applied to the day: whether each held, whether the day is a spike, and its confidence. The one place the spike rule is written: mention_spikes keeps the days where is_spike, and vwatch explain prints these columns.');
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
  alter column `confidence_level` set options(description='For a spike, HIGH (z >= high_z), MEDIUM (z >= medium_z) or LOW; NULL when the day is not a spike.');

-- venezuelawatch.analytics.mention_spikes (incremental)
IF NOT EXISTS (SELECT 1 FROM `analytics`.INFORMATION_SCHEMA.COLUMNS WHERE table_name = "mention_spikes") THEN
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

select * from final;
alter table `venezuelawatch.analytics.mention_spikes` set options(description='Days on which a focus event\'s news coverage spiked: enough history, enough mentions and a z-score over the threshold (the days int_mention_baselines classifies as spikes, where the rule is written). Synced to the application\'s data_pipeline_mentionspike table.');
alter table `venezuelawatch.analytics.mention_spikes`
  alter column `event_id` set options(description='GLOBALEVENTID.'),
  alter column `spike_date` set options(description='The day of the spike.'),
  alter column `mention_count` set options(description='Mentions that day.'),
  alter column `baseline_avg` set options(description='Mean daily mentions over the baseline window.'),
  alter column `baseline_stddev` set options(description='Sample standard deviation over the window (raw, before the min_stddev floor).'),
  alter column `z_score` set options(description='(mention_count - baseline_avg) / max(baseline_stddev, min_stddev).'),
  alter column `confidence_level` set options(description='HIGH (z >= high_z), MEDIUM (z >= medium_z) or LOW, as int_mention_baselines gives it.'),
  alter column `baseline_days` set options(description='n: days in the baseline window.'),
  alter column `detected_at` set options(description='When the pipeline first detected the spike.');
ELSE
merge `venezuelawatch.analytics.mention_spikes` T
using (

with baselines as (
  select * from `venezuelawatch.intermediate.int_mention_baselines`
),

-- The spike rules and the confidence are applied in int_mention_baselines, their one place.
spikes as (
  select *
  from baselines
  where is_spike
    and day >= date_sub(vwatch_as_of, interval 30 day)
),


-- Re-detected spikes keep the time they were first detected.
previous as (
  select event_id, spike_date, detected_at from `venezuelawatch.analytics.mention_spikes`
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
    coalesce(previous.detected_at, current_timestamp()) as detected_at
  from spikes
  left join previous
    on spikes.event_id = previous.event_id
    and spikes.day = previous.spike_date
)

select * from final

) S
on T.event_id = S.event_id and T.spike_date = S.spike_date
  and T.spike_date >= date_sub(vwatch_as_of, interval 30 day)
when matched then
  update set `event_id` = S.event_id,`spike_date` = S.spike_date,`mention_count` = S.mention_count,`baseline_avg` = S.baseline_avg,`baseline_stddev` = S.baseline_stddev,`z_score` = S.z_score,`confidence_level` = S.confidence_level,`baseline_days` = S.baseline_days,`detected_at` = S.detected_at
when not matched then
  insert (`event_id`,`spike_date`,`mention_count`,`baseline_avg`,`baseline_stddev`,`z_score`,`confidence_level`,`baseline_days`,`detected_at`) values (`event_id`,`spike_date`,`mention_count`,`baseline_avg`,`baseline_stddev`,`z_score`,`confidence_level`,`baseline_days`,`detected_at`);
alter table `venezuelawatch.analytics.mention_spikes` set options(description='Days on which a focus event\'s news coverage spiked: enough history, enough mentions and a z-score over the threshold (the days int_mention_baselines classifies as spikes, where the rule is written). Synced to the application\'s data_pipeline_mentionspike table.');
alter table `venezuelawatch.analytics.mention_spikes`
  alter column `event_id` set options(description='GLOBALEVENTID.'),
  alter column `spike_date` set options(description='The day of the spike.'),
  alter column `mention_count` set options(description='Mentions that day.'),
  alter column `baseline_avg` set options(description='Mean daily mentions over the baseline window.'),
  alter column `baseline_stddev` set options(description='Sample standard deviation over the window (raw, before the min_stddev floor).'),
  alter column `z_score` set options(description='(mention_count - baseline_avg) / max(baseline_stddev, min_stddev).'),
  alter column `confidence_level` set options(description='HIGH (z >= high_z), MEDIUM (z >= medium_z) or LOW, as int_mention_baselines gives it.'),
  alter column `baseline_days` set options(description='n: days in the baseline window.'),
  alter column `detected_at` set options(description='When the pipeline first detected the spike.');
END IF;

-- venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_uniqueKey_0 (assertion)
create or replace view `venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_uniqueKey_0` as 
SELECT
  *
FROM (
  SELECT
    event_id,
    COUNT(1) AS index_row_count
  FROM `venezuelawatch.intermediate.int_focus_events`
  GROUP BY event_id
  ) AS data
WHERE index_row_count > 1;
create or replace table `venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_uniqueKey_0_failures` as
select *, cast(vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_uniqueKey_0`;
ASSERT (SELECT COUNT(*) FROM `venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_uniqueKey_0`) = 0 AS "assertion venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_uniqueKey_0 failed: its query returned rows";

-- venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_rowConditions (assertion)
create or replace view `venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_rowConditions` as 
SELECT
  'event_id IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_focus_events`
WHERE NOT (event_id IS NOT NULL)
UNION ALL
SELECT
  'added_at IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_focus_events`
WHERE NOT (added_at IS NOT NULL);
create or replace table `venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_rowConditions_failures` as
select *, cast(vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_rowConditions`;
ASSERT (SELECT COUNT(*) FROM `venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_rowConditions`) = 0 AS "assertion venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_rowConditions failed: its query returned rows";

-- venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_uniqueKey_0 (assertion)
create or replace view `venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_uniqueKey_0` as 
SELECT
  *
FROM (
  SELECT
    event_id, day,
    COUNT(1) AS index_row_count
  FROM `venezuelawatch.intermediate.int_mention_baselines`
  GROUP BY event_id, day
  ) AS data
WHERE index_row_count > 1;
create or replace table `venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_uniqueKey_0_failures` as
select *, cast(vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_uniqueKey_0`;
ASSERT (SELECT COUNT(*) FROM `venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_uniqueKey_0`) = 0 AS "assertion venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_uniqueKey_0 failed: its query returned rows";

-- venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_rowConditions (assertion)
create or replace view `venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_rowConditions` as 
SELECT
  'mention_count >= 0' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (mention_count >= 0)
UNION ALL
SELECT
  'baseline_days >= 0' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (baseline_days >= 0)
UNION ALL
SELECT
  'stddev_used >= 1' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (stddev_used >= 1)
UNION ALL
SELECT
  '(confidence_level is not null) = is_spike' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT ((confidence_level is not null) = is_spike)
UNION ALL
SELECT
  'confidence_level in (\'HIGH\', \'MEDIUM\', \'LOW\')' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (confidence_level in ('HIGH', 'MEDIUM', 'LOW'))
UNION ALL
SELECT
  'event_id IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (event_id IS NOT NULL)
UNION ALL
SELECT
  'day IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (day IS NOT NULL)
UNION ALL
SELECT
  'mention_count IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (mention_count IS NOT NULL)
UNION ALL
SELECT
  'baseline_days IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (baseline_days IS NOT NULL)
UNION ALL
SELECT
  'stddev_used IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (stddev_used IS NOT NULL)
UNION ALL
SELECT
  'meets_min_history_days IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (meets_min_history_days IS NOT NULL)
UNION ALL
SELECT
  'meets_min_spike_mentions IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (meets_min_spike_mentions IS NOT NULL)
UNION ALL
SELECT
  'meets_z_threshold IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (meets_z_threshold IS NOT NULL)
UNION ALL
SELECT
  'is_spike IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (is_spike IS NOT NULL);
create or replace table `venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_rowConditions_failures` as
select *, cast(vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_rowConditions`;
ASSERT (SELECT COUNT(*) FROM `venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_rowConditions`) = 0 AS "assertion venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_rowConditions failed: its query returned rows";

-- venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_uniqueKey_0 (assertion)
create or replace view `venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_uniqueKey_0` as 
SELECT
  *
FROM (
  SELECT
    event_id, mention_date,
    COUNT(1) AS index_row_count
  FROM `venezuelawatch.intermediate.int_mentions_counted_daily`
  GROUP BY event_id, mention_date
  ) AS data
WHERE index_row_count > 1;
create or replace table `venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_uniqueKey_0_failures` as
select *, cast(vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_uniqueKey_0`;
ASSERT (SELECT COUNT(*) FROM `venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_uniqueKey_0`) = 0 AS "assertion venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_uniqueKey_0 failed: its query returned rows";

-- venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_rowConditions (assertion)
create or replace view `venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_rowConditions` as 
SELECT
  'mention_count >= 0' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mentions_counted_daily`
WHERE NOT (mention_count >= 0)
UNION ALL
SELECT
  'event_id IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mentions_counted_daily`
WHERE NOT (event_id IS NOT NULL)
UNION ALL
SELECT
  'mention_date IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mentions_counted_daily`
WHERE NOT (mention_date IS NOT NULL)
UNION ALL
SELECT
  'mention_count IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mentions_counted_daily`
WHERE NOT (mention_count IS NOT NULL);
create or replace table `venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_rowConditions_failures` as
select *, cast(vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_rowConditions`;
ASSERT (SELECT COUNT(*) FROM `venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_rowConditions`) = 0 AS "assertion venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_rowConditions failed: its query returned rows";

-- venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_uniqueKey_0 (assertion)
create or replace view `venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_uniqueKey_0` as 
SELECT
  *
FROM (
  SELECT
    event_id, spike_date,
    COUNT(1) AS index_row_count
  FROM `venezuelawatch.analytics.mention_spikes`
  GROUP BY event_id, spike_date
  ) AS data
WHERE index_row_count > 1;
create or replace table `venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_uniqueKey_0_failures` as
select *, cast(vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_uniqueKey_0`;
ASSERT (SELECT COUNT(*) FROM `venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_uniqueKey_0`) = 0 AS "assertion venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_uniqueKey_0 failed: its query returned rows";

-- venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_rowConditions (assertion)
create or replace view `venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_rowConditions` as 
SELECT
  'mention_count >= 0' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.mention_spikes`
WHERE NOT (mention_count >= 0)
UNION ALL
SELECT
  'confidence_level in (\'HIGH\', \'MEDIUM\', \'LOW\')' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.mention_spikes`
WHERE NOT (confidence_level in ('HIGH', 'MEDIUM', 'LOW'))
UNION ALL
SELECT
  'event_id IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.mention_spikes`
WHERE NOT (event_id IS NOT NULL)
UNION ALL
SELECT
  'spike_date IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.mention_spikes`
WHERE NOT (spike_date IS NOT NULL)
UNION ALL
SELECT
  'mention_count IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.mention_spikes`
WHERE NOT (mention_count IS NOT NULL)
UNION ALL
SELECT
  'z_score IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.mention_spikes`
WHERE NOT (z_score IS NOT NULL)
UNION ALL
SELECT
  'confidence_level IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.mention_spikes`
WHERE NOT (confidence_level IS NOT NULL)
UNION ALL
SELECT
  'detected_at IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.mention_spikes`
WHERE NOT (detected_at IS NOT NULL);
create or replace table `venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_rowConditions_failures` as
select *, cast(vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_rowConditions`;
ASSERT (SELECT COUNT(*) FROM `venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_rowConditions`) = 0 AS "assertion venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_rowConditions failed: its query returned rows";
