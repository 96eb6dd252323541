-- venezuelawatch.analytics_assertions.analytics_world_bank_assertions_uniqueKey_0
-- statement
create or replace view "analytics_assertions"."analytics_world_bank_assertions_uniqueKey_0" as SELECT * FROM (SELECT indicator_id, country_code, date, COUNT(1) AS index_row_count FROM "analytics"."world_bank" GROUP BY indicator_id, country_code, date) AS data WHERE index_row_count > 1

-- failures venezuelawatch.analytics_assertions.analytics_world_bank_assertions_uniqueKey_0_failures
create or replace table "analytics_assertions"."analytics_world_bank_assertions_uniqueKey_0_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."analytics_world_bank_assertions_uniqueKey_0"

-- assertion
select count(*) as row_count from "analytics_assertions"."analytics_world_bank_assertions_uniqueKey_0"
