-- venezuelawatch.analytics.entity_mentions (table, create)
-- statement
create or replace table `venezuelawatch.analytics.entity_mentions` partition by DATE(mentioned_at) cluster by entity_id as 

with mentions as (
  select * from `venezuelawatch.staging.stg_app__entity_mentions`
),

final as (
  select
    id,
    entity_id,
    event_id,
    mentioned_at,
    context
  from mentions
)

select * from final

-- metadata
alter table `venezuelawatch.analytics.entity_mentions` set options(description='Each time an entity is mentioned with an event. One row per mention.')

-- metadata
alter table `venezuelawatch.analytics.entity_mentions`
  alter column `id` set options(description='Mention id (UUID).'),
  alter column `entity_id` set options(description='Entity mentioned (entities.id).'),
  alter column `event_id` set options(description='Event it was mentioned with (events.id).'),
  alter column `mentioned_at` set options(description='When the mention appeared.'),
  alter column `context` set options(description='Where the mention was found (article URL or text snippet).')
