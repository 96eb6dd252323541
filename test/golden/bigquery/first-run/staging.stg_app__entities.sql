-- venezuelawatch.staging.stg_app__entities (table, create)
-- statement
create or replace table `venezuelawatch.staging.stg_app__entities` as 

with source as (
  select * from EXTERNAL_QUERY("venezuelawatch.us.app-postgres", """
    select
      id::text as id,
      name,
      entity_type,
      created_at
    from entities_entity
  """)
)

select * from source

-- metadata
alter table `venezuelawatch.staging.stg_app__entities` set options(description='The application\'s entities (PostgreSQL entities_entity), read through the federated connection.')

-- metadata
alter table `venezuelawatch.staging.stg_app__entities`
  alter column `id` set options(description='Entity id (UUID).'),
  alter column `name` set options(description='Entity name.'),
  alter column `entity_type` set options(description='person, organization, government or location.'),
  alter column `created_at` set options(description='When the application stored it.')
