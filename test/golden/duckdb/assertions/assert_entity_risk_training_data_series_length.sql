-- venezuelawatch.analytics_assertions.assert_entity_risk_training_data_series_length
-- statement
create or replace view "analytics_assertions"."assert_entity_risk_training_data_series_length" as WITH training_data AS (SELECT * FROM "analytics"."entity_risk_training_data"), final AS (SELECT entity_id, COUNT(*) AS time_steps FROM training_data GROUP BY entity_id HAVING COUNT(*) > 3000) SELECT * FROM final

-- failures venezuelawatch.analytics_assertions.assert_entity_risk_training_data_series_length_failures
create or replace table "analytics_assertions"."assert_entity_risk_training_data_series_length_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."assert_entity_risk_training_data_series_length"

-- assertion
select count(*) as row_count from "analytics_assertions"."assert_entity_risk_training_data_series_length"
