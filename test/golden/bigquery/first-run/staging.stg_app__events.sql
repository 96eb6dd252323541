-- venezuelawatch.staging.stg_app__events (table, create)
-- statement
create or replace table `venezuelawatch.staging.stg_app__events` as 

-- uuid and jsonb have no exact BigQuery federated mapping: the inner query casts them to text.
-- The CTE is not called "source": a bare `source` in the select list would then be the whole row
-- (BigQuery resolves a name to the range variable before a column), not the column.
with app_events as (
  select * from EXTERNAL_QUERY("venezuelawatch.us.app-postgres", """
    select
      id::text as id,
      source,
      gdelt_event_id,
      event_type,
      title,
      content,
      source_url,
      source_name,
      location,
      risk_score,
      severity,
      risk_dimensions::text as risk_dimensions,
      mentioned_at,
      created_at
    from events_event
  """)
),

final as (
  select
    id,
    source,
    gdelt_event_id,
    event_type,
    title,
    content,
    source_url,
    source_name,
    location,
    risk_score,
    severity,
    parse_json(risk_dimensions) as risk_dimensions,
    mentioned_at,
    created_at
  from app_events
)

select * from final

-- metadata
alter table `venezuelawatch.staging.stg_app__events` set options(description='The application\'s events (PostgreSQL events_event), read through the federated connection. A table, not a view: one consistent snapshot per run.')

-- metadata
alter table `venezuelawatch.staging.stg_app__events`
  alter column `id` set options(description='Application event id (UUID).'),
  alter column `source` set options(description='Where the application got the event (GDELT, …).'),
  alter column `gdelt_event_id` set options(description='GLOBALEVENTID when the event came from GDELT.'),
  alter column `event_type` set options(description='Event category.'),
  alter column `title` set options(description='Headline.'),
  alter column `content` set options(description='Body text.'),
  alter column `source_url` set options(description='Article URL.'),
  alter column `source_name` set options(description='Publisher.'),
  alter column `location` set options(description='Place name.'),
  alter column `risk_score` set options(description='0-100.'),
  alter column `severity` set options(description='SEV1_CRITICAL … SEV5_MINIMAL.'),
  alter column `risk_dimensions` set options(description='JSON object: sanctions, political, economic, supply_chain scores (0-100).'),
  alter column `mentioned_at` set options(description='When the event was reported.'),
  alter column `created_at` set options(description='When the application stored it.')
