-- venezuelawatch.analytics_assertions.analytics_world_bank_assertions_rowConditions
-- statement
create or replace view "analytics_assertions"."analytics_world_bank_assertions_rowConditions" as SELECT 'indicator_id IS NOT NULL' AS failing_row_condition, * FROM "analytics"."world_bank" WHERE NOT (indicator_id IS NOT NULL) UNION ALL SELECT 'date IS NOT NULL' AS failing_row_condition, * FROM "analytics"."world_bank" WHERE NOT (date IS NOT NULL) UNION ALL SELECT 'value IS NOT NULL' AS failing_row_condition, * FROM "analytics"."world_bank" WHERE NOT (value IS NOT NULL) UNION ALL SELECT 'country_code IS NOT NULL' AS failing_row_condition, * FROM "analytics"."world_bank" WHERE NOT (country_code IS NOT NULL)

-- failures venezuelawatch.analytics_assertions.analytics_world_bank_assertions_rowConditions_failures
create or replace table "analytics_assertions"."analytics_world_bank_assertions_rowConditions_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."analytics_world_bank_assertions_rowConditions"

-- assertion
select count(*) as row_count from "analytics_assertions"."analytics_world_bank_assertions_rowConditions"
