-- venezuelawatch.staging.stg_gdelt__events (view, view)
-- statement
create or replace view `venezuelawatch.staging.stg_gdelt__events` as 

-- Partitions are the day the event was added; only the tracking window is read.
with source as (
  select *
  from `gdelt-bq.gdeltv2.events_partitioned`
  where _PARTITIONTIME >= timestamp(date_sub(date '2015-02-18', interval 30 day))
    and _PARTITIONTIME < timestamp(date_add(date '2015-02-18', interval 1 day))
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

-- metadata
alter view `venezuelawatch.staging.stg_gdelt__events` set options(description='GDELT 2.0 events added in the tracking window before as_of, renamed and typed. One row per GDELT event record.')

-- metadata
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
  alter column `source_url` set options(description='URL of the first article.')
