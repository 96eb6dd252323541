-- venezuelawatch.analytics_assertions.analytics_entity_risk_training_data_assertions_rowConditions
-- statement
create or replace view "analytics_assertions"."analytics_entity_risk_training_data_assertions_rowConditions" as SELECT 'mentioned_at = timestamp_trunc(mentioned_at, day)' AS failing_row_condition, * FROM "analytics"."entity_risk_training_data" WHERE NOT (mentioned_at = date_trunc('day', mentioned_at)) UNION ALL SELECT 'entity_id IS NOT NULL' AS failing_row_condition, * FROM "analytics"."entity_risk_training_data" WHERE NOT (entity_id IS NOT NULL) UNION ALL SELECT 'mentioned_at IS NOT NULL' AS failing_row_condition, * FROM "analytics"."entity_risk_training_data" WHERE NOT (mentioned_at IS NOT NULL) UNION ALL SELECT 'risk_score IS NOT NULL' AS failing_row_condition, * FROM "analytics"."entity_risk_training_data" WHERE NOT (risk_score IS NOT NULL)

-- failures venezuelawatch.analytics_assertions.analytics_entity_risk_training_data_assertions_rowConditions_failures
create or replace table "analytics_assertions"."analytics_entity_risk_training_data_assertions_rowConditions_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."analytics_entity_risk_training_data_assertions_rowConditions"

-- assertion
select count(*) as row_count from "analytics_assertions"."analytics_entity_risk_training_data_assertions_rowConditions"
