-- venezuelawatch.analytics_assertions.analytics_fred_indicators_assertions_rowConditions
-- statement
create or replace view "analytics_assertions"."analytics_fred_indicators_assertions_rowConditions" as SELECT 'series_id IS NOT NULL' AS failing_row_condition, * FROM "analytics"."fred_indicators" WHERE NOT (series_id IS NOT NULL) UNION ALL SELECT 'date IS NOT NULL' AS failing_row_condition, * FROM "analytics"."fred_indicators" WHERE NOT (date IS NOT NULL) UNION ALL SELECT 'value IS NOT NULL' AS failing_row_condition, * FROM "analytics"."fred_indicators" WHERE NOT (value IS NOT NULL)

-- failures venezuelawatch.analytics_assertions.analytics_fred_indicators_assertions_rowConditions_failures
create or replace table "analytics_assertions"."analytics_fred_indicators_assertions_rowConditions_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."analytics_fred_indicators_assertions_rowConditions"

-- assertion
select count(*) as row_count from "analytics_assertions"."analytics_fred_indicators_assertions_rowConditions"
