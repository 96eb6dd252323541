-- venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_rowConditions
-- statement
create or replace view "analytics_assertions"."intermediate_int_focus_events_assertions_rowConditions" as SELECT 'event_id IS NOT NULL' AS failing_row_condition, * FROM "intermediate"."int_focus_events" WHERE NOT (event_id IS NOT NULL) UNION ALL SELECT 'added_at IS NOT NULL' AS failing_row_condition, * FROM "intermediate"."int_focus_events" WHERE NOT (added_at IS NOT NULL)

-- failures venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_rowConditions_failures
create or replace table "analytics_assertions"."intermediate_int_focus_events_assertions_rowConditions_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."intermediate_int_focus_events_assertions_rowConditions"

-- assertion
select count(*) as row_count from "analytics_assertions"."intermediate_int_focus_events_assertions_rowConditions"
