-- venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_uniqueKey_0
-- statement
create or replace view "analytics_assertions"."intermediate_int_focus_events_assertions_uniqueKey_0" as SELECT * FROM (SELECT event_id, COUNT(1) AS index_row_count FROM "intermediate"."int_focus_events" GROUP BY event_id) AS data WHERE index_row_count > 1

-- failures venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_uniqueKey_0_failures
create or replace table "analytics_assertions"."intermediate_int_focus_events_assertions_uniqueKey_0_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."intermediate_int_focus_events_assertions_uniqueKey_0"

-- assertion
select count(*) as row_count from "analytics_assertions"."intermediate_int_focus_events_assertions_uniqueKey_0"
