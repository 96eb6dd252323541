-- venezuelawatch.analytics.events (table, create)
-- statement
create or replace table `venezuelawatch.analytics.events` partition by DATE(mentioned_at) cluster by event_type, source_name as 

with app_events as (
  select * from `venezuelawatch.staging.stg_app__events`
),

gdelt_events as (
  select * from `venezuelawatch.intermediate.int_gdelt_events`
),

-- An event the application has taken in is its row, under the application's id.
gdelt_only as (
  select *
  from gdelt_events as g
  where not exists (
    select 1
    from app_events as a
    where a.gdelt_event_id = g.gdelt_event_id
  )
),

final as (
  select
    id,
    title,
    content,
    source_url,
    source_name,
    event_type,
    location,
    risk_score,
    severity,
    mentioned_at,
    created_at,
    parse_json(to_json_string(struct(
      'app' as source,
      gdelt_event_id as gdelt_event_id,
      risk_dimensions as risk_dimensions
    ))) as metadata
  from app_events

  union all

  select
    cast(gdelt_event_id as string) as id,
    title,
    cast(null as string) as content,
    source_url,
    source_name,
    event_type,
    location,
    risk_score,
    severity,
    mentioned_at,
    mentioned_at as created_at,
    parse_json(to_json_string(struct(
      'gdelt' as source,
      gdelt_event_id as gdelt_event_id,
      event_code as event_code,
      event_root_code as event_root_code,
      quad_class as quad_class,
      goldstein_scale as goldstein_scale,
      avg_tone as avg_tone,
      num_mentions as num_mentions,
      actor1_name as actor1_name,
      actor2_name as actor2_name,
      event_date as event_date
    ))) as metadata
  from gdelt_only
)

select * from final

-- metadata
alter table `venezuelawatch.analytics.events` set options(description='Events involving Venezuela: the application\'s own events, plus focus GDELT events the application has not taken in. One row per event.')

-- metadata
alter table `venezuelawatch.analytics.events`
  alter column `id` set options(description='Event id: the application\'s UUID, or the GLOBALEVENTID (as a string) for a GDELT event the application does not hold.'),
  alter column `title` set options(description='Headline; for GDELT events the CAMEO root action and the actors.'),
  alter column `content` set options(description='Body text (NULL for GDELT events: GDELT carries no text).'),
  alter column `source_url` set options(description='Article URL.'),
  alter column `source_name` set options(description='Publisher (host name for GDELT events).'),
  alter column `event_type` set options(description='Category: sanctions, diplomacy, cooperation, dispute, tension, protest, coercion, violence, other (GDELT mapping in includes/gdelt_events.js).'),
  alter column `location` set options(description='Place name (ActionGeo_FullName for GDELT events).'),
  alter column `risk_score` set options(description='0-100, higher is riskier.'),
  alter column `severity` set options(description='SEV1_CRITICAL … SEV5_MINIMAL.'),
  alter column `mentioned_at` set options(description='When the event was first reported (GDELT: DATEADDED).'),
  alter column `created_at` set options(description='When the record was created (GDELT: DATEADDED).'),
  alter column `metadata` set options(description='JSON: source (\'app\' or \'gdelt\'), gdelt_event_id, risk_dimensions (app), CAMEO codes, Goldstein scale, tone and actors (GDELT).')
