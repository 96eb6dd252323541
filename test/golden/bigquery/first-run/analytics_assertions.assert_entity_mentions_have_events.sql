-- venezuelawatch.analytics_assertions.assert_entity_mentions_have_events (assertion)
-- statement
create or replace view `venezuelawatch.analytics_assertions.assert_entity_mentions_have_events` as 

with mentions as (
  select * from `venezuelawatch.analytics.entity_mentions`
),

events as (
  select id from `venezuelawatch.analytics.events`
),

entities as (
  select id from `venezuelawatch.analytics.entities`
),

final as (
  select
    mentions.id,
    mentions.entity_id,
    mentions.event_id,
    events.id is null as event_missing,
    entities.id is null as entity_missing
  from mentions
  left join events
    on mentions.event_id = events.id
  left join entities
    on mentions.entity_id = entities.id
  where events.id is null
    or entities.id is null
)

select * from final

-- failures
create or replace table `venezuelawatch.analytics_assertions.assert_entity_mentions_have_events_failures` as
select *, cast(@vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.assert_entity_mentions_have_events`

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.assert_entity_mentions_have_events`
