-- venezuelawatch.analytics_assertions.assert_entity_risk_training_data_series_length (assertion)
-- statement
create or replace view `venezuelawatch.analytics_assertions.assert_entity_risk_training_data_series_length` as 

with training_data as (
  select * from `venezuelawatch.analytics.entity_risk_training_data`
),

-- 3,000 is Vertex AI's limit on a series' length, not a tunable threshold.
final as (
  select
    entity_id,
    count(*) as time_steps
  from training_data
  group by entity_id
  having count(*) > 3000
)

select * from final

-- failures
create or replace table `venezuelawatch.analytics_assertions.assert_entity_risk_training_data_series_length_failures` as
select *, cast(@vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.assert_entity_risk_training_data_series_length`

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.assert_entity_risk_training_data_series_length`
