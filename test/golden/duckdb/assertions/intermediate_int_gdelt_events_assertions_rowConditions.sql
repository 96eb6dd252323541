-- venezuelawatch.analytics_assertions.intermediate_int_gdelt_events_assertions_rowConditions
-- statement
create or replace view "analytics_assertions"."intermediate_int_gdelt_events_assertions_rowConditions" as SELECT 'risk_score between 0 and 100' AS failing_row_condition, * FROM "intermediate"."int_gdelt_events" WHERE NOT (risk_score BETWEEN 0 AND 100) UNION ALL SELECT 'gdelt_event_id IS NOT NULL' AS failing_row_condition, * FROM "intermediate"."int_gdelt_events" WHERE NOT (gdelt_event_id IS NOT NULL) UNION ALL SELECT 'mentioned_at IS NOT NULL' AS failing_row_condition, * FROM "intermediate"."int_gdelt_events" WHERE NOT (mentioned_at IS NOT NULL) UNION ALL SELECT 'event_type IS NOT NULL' AS failing_row_condition, * FROM "intermediate"."int_gdelt_events" WHERE NOT (event_type IS NOT NULL) UNION ALL SELECT 'risk_score IS NOT NULL' AS failing_row_condition, * FROM "intermediate"."int_gdelt_events" WHERE NOT (risk_score IS NOT NULL) UNION ALL SELECT 'severity IS NOT NULL' AS failing_row_condition, * FROM "intermediate"."int_gdelt_events" WHERE NOT (severity IS NOT NULL)

-- failures venezuelawatch.analytics_assertions.intermediate_int_gdelt_events_assertions_rowConditions_failures
create or replace table "analytics_assertions"."intermediate_int_gdelt_events_assertions_rowConditions_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."intermediate_int_gdelt_events_assertions_rowConditions"

-- assertion
select count(*) as row_count from "analytics_assertions"."intermediate_int_gdelt_events_assertions_rowConditions"
