-- venezuelawatch.analytics.entity_risk_training_data (table, create)
-- statement
create or replace table `venezuelawatch.analytics.entity_risk_training_data` partition by DATE(mentioned_at) as 



with mentions as (
  select * from `venezuelawatch.analytics.entity_mentions`
),

events as (
  select * from `venezuelawatch.analytics.events`
),

-- risk_score is the forecast target: an event without one says nothing about it, and its risk
-- dimensions are left out with it so that every average in a row covers the same events.
scored_events as (
  select
    id as event_id,
    risk_score,
    safe_cast(json_value(metadata, '$.risk_dimensions.sanctions') as float64) as sanctions_risk,
    safe_cast(json_value(metadata, '$.risk_dimensions.political') as float64) as political_risk,
    safe_cast(json_value(metadata, '$.risk_dimensions.economic') as float64) as economic_risk,
    safe_cast(json_value(metadata, '$.risk_dimensions.supply_chain') as float64) as supply_chain_risk
  from events
  where risk_score is not null
),

-- An event counts once per entity and day, however many articles mention them together.
entity_event_days as (
  select distinct
    entity_id,
    event_id,
    date(mentioned_at) as day
  from mentions
  where date(mentioned_at) between date_sub(date '2015-02-18', interval 89 day) and date '2015-02-18'
),

final as (
  select
    entity_event_days.entity_id as entity_id,
    timestamp(entity_event_days.day) as mentioned_at,
    avg(scored_events.risk_score) as risk_score,
    avg(scored_events.sanctions_risk) as sanctions_risk,
    avg(scored_events.political_risk) as political_risk,
    avg(scored_events.economic_risk) as economic_risk,
    avg(scored_events.supply_chain_risk) as supply_chain_risk
  from entity_event_days
  inner join scored_events
    on entity_event_days.event_id = scored_events.event_id
  group by
    entity_event_days.entity_id,
    entity_event_days.day
)

select * from final

-- metadata
alter table `venezuelawatch.analytics.entity_risk_training_data` set options(description='Entity risk scores aggregated daily for Vertex AI forecasting training')

-- metadata
alter table `venezuelawatch.analytics.entity_risk_training_data`
  alter column `entity_id` set options(description='Time series identifier: the entity (entities.id).'),
  alter column `mentioned_at` set options(description='Time column: the UTC day the entity was mentioned, as a TIMESTAMP at midnight (one row per entity per day).'),
  alter column `risk_score` set options(description='Target: average risk_score (0-100) of the distinct events the entity was mentioned with that day; events without a risk score are left out, and a day with none has no row.'),
  alter column `sanctions_risk` set options(description='Average risk_dimensions.sanctions (0-100) of the same events; NULL when none of them has it.'),
  alter column `political_risk` set options(description='Average risk_dimensions.political (0-100) of the same events; NULL when none of them has it.'),
  alter column `economic_risk` set options(description='Average risk_dimensions.economic (0-100) of the same events; NULL when none of them has it.'),
  alter column `supply_chain_risk` set options(description='Average risk_dimensions.supply_chain (0-100) of the same events; NULL when none of them has it.')
