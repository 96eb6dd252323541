-- venezuelawatch.analytics_assertions.intermediate_int_gdelt_events_assertions_uniqueKey_0
-- statement
create or replace view "analytics_assertions"."intermediate_int_gdelt_events_assertions_uniqueKey_0" as SELECT * FROM (SELECT gdelt_event_id, COUNT(1) AS index_row_count FROM "intermediate"."int_gdelt_events" GROUP BY gdelt_event_id) AS data WHERE index_row_count > 1

-- failures venezuelawatch.analytics_assertions.intermediate_int_gdelt_events_assertions_uniqueKey_0_failures
create or replace table "analytics_assertions"."intermediate_int_gdelt_events_assertions_uniqueKey_0_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."intermediate_int_gdelt_events_assertions_uniqueKey_0"

-- assertion
select count(*) as row_count from "analytics_assertions"."intermediate_int_gdelt_events_assertions_uniqueKey_0"
