-- venezuelawatch.intermediate.int_focus_events (table, create)
-- statement
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
    and date(added_at) between date_sub(date '2015-02-18', interval 30 day) and date '2015-02-18'
),

-- A file loaded twice under different names, or a GDELT re-issue, must not double an event.
final as (
  select * from focus
  where true
  qualify row_number() over (partition by event_id order by added_at) = 1
)

select * from final

-- metadata
alter table `venezuelawatch.intermediate.int_focus_events` set options(description='Events involving the focus country (Venezuela by default) added within event_window_days before as_of: the events whose coverage is tracked. One row per event.')

-- metadata
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
  alter column `source_url` set options(description='First article URL.')
