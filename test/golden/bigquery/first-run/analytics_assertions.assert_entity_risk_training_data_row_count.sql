-- venezuelawatch.analytics_assertions.assert_entity_risk_training_data_row_count (assertion)
-- statement
create or replace view `venezuelawatch.analytics_assertions.assert_entity_risk_training_data_row_count` as 

with training_data as (
  select * from `venezuelawatch.analytics.entity_risk_training_data`
),

counted as (
  select count(*) as training_rows
  from training_data
),

-- Vertex AI's limits on the number of rows, not tunable thresholds.
final as (
  select training_rows
  from counted
  where training_rows not between 1000 and 100000000
)

select * from final

-- failures
create or replace table `venezuelawatch.analytics_assertions.assert_entity_risk_training_data_row_count_failures` as
select *, cast(@vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.assert_entity_risk_training_data_row_count`

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.assert_entity_risk_training_data_row_count`
