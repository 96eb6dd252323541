-- venezuelawatch.analytics.entities (table, create)
-- statement
create or replace table `venezuelawatch.analytics.entities` as 

select * from `venezuelawatch.staging.stg_app__entities`

-- metadata
alter table `venezuelawatch.analytics.entities` set options(description='Entities (people, organisations, governments, places) the application tracks. One row per entity.')

-- metadata
alter table `venezuelawatch.analytics.entities`
  alter column `id` set options(description='Entity id (UUID).'),
  alter column `name` set options(description='Entity name.'),
  alter column `entity_type` set options(description='person, organization, government or location.'),
  alter column `created_at` set options(description='When the application stored it.')
