-- venezuelawatch.staging.stg_app__entity_mentions (table, create)
-- statement
create or replace table `venezuelawatch.staging.stg_app__entity_mentions` as 

with source as (
  select * from EXTERNAL_QUERY("venezuelawatch.us.app-postgres", """
    select
      id::text as id,
      entity_id::text as entity_id,
      event_id::text as event_id,
      mentioned_at,
      context
    from entities_entitymention
  """)
)

select * from source

-- metadata
alter table `venezuelawatch.staging.stg_app__entity_mentions` set options(description='The application\'s entity mentions (PostgreSQL entities_entitymention), read through the federated connection.')

-- metadata
alter table `venezuelawatch.staging.stg_app__entity_mentions`
  alter column `id` set options(description='Mention id (UUID).'),
  alter column `entity_id` set options(description='Entity mentioned.'),
  alter column `event_id` set options(description='Application event the mention belongs to.'),
  alter column `mentioned_at` set options(description='When the article mentioning the entity appeared.'),
  alter column `context` set options(description='Where the mention was found (article URL or text snippet).')
