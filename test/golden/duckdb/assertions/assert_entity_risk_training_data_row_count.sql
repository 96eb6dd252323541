-- venezuelawatch.analytics_assertions.assert_entity_risk_training_data_row_count
-- statement
create or replace view "analytics_assertions"."assert_entity_risk_training_data_row_count" as WITH training_data AS (SELECT * FROM "analytics"."entity_risk_training_data"), counted AS (SELECT COUNT(*) AS training_rows FROM training_data), final AS (SELECT training_rows FROM counted WHERE training_rows NOT BETWEEN 1000 AND 100000000) SELECT * FROM final

-- failures venezuelawatch.analytics_assertions.assert_entity_risk_training_data_row_count_failures
create or replace table "analytics_assertions"."assert_entity_risk_training_data_row_count_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."assert_entity_risk_training_data_row_count"

-- assertion
select count(*) as row_count from "analytics_assertions"."assert_entity_risk_training_data_row_count"
