-- venezuelawatch.analytics_assertions.assert_entity_risk_training_data_columns (assertion)
-- statement
create or replace view `venezuelawatch.analytics_assertions.assert_entity_risk_training_data_columns` as 



-- Pseudo-columns (_PARTITIONTIME of ingestion-time partitioned tables) have no ordinal position
-- and are not columns Vertex AI reads.
with columns as (
  select column_name
  from analytics.INFORMATION_SCHEMA.COLUMNS
  where table_name = 'entity_risk_training_data'
    and ordinal_position is not null
),

column_count as (
  select count(*) as n
  from columns
),

-- Limits from Vertex AI's forecasting data requirements ("Prepare tabular training data").
final as (
  select
    'column count must be 3 to 100' as requirement,
    cast(n as string) as found
  from column_count
  where n not between 3 and 100

  union all

  select
    'column names: letters, digits, underscores; no leading underscore' as requirement,
    column_name as found
  from columns
  where not regexp_contains(column_name, r'^[A-Za-z0-9][A-Za-z0-9_]*$')
)

select * from final

-- failures
create or replace table `venezuelawatch.analytics_assertions.assert_entity_risk_training_data_columns_failures` as
select *, cast(@vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.assert_entity_risk_training_data_columns`

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.assert_entity_risk_training_data_columns`
