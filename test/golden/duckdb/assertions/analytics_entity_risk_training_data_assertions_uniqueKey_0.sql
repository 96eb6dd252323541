-- venezuelawatch.analytics_assertions.analytics_entity_risk_training_data_assertions_uniqueKey_0
-- statement
create or replace view "analytics_assertions"."analytics_entity_risk_training_data_assertions_uniqueKey_0" as SELECT * FROM (SELECT entity_id, mentioned_at, COUNT(1) AS index_row_count FROM "analytics"."entity_risk_training_data" GROUP BY entity_id, mentioned_at) AS data WHERE index_row_count > 1

-- failures venezuelawatch.analytics_assertions.analytics_entity_risk_training_data_assertions_uniqueKey_0_failures
create or replace table "analytics_assertions"."analytics_entity_risk_training_data_assertions_uniqueKey_0_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."analytics_entity_risk_training_data_assertions_uniqueKey_0"

-- assertion
select count(*) as row_count from "analytics_assertions"."analytics_entity_risk_training_data_assertions_uniqueKey_0"
