-- venezuelawatch.analytics_assertions.staging_stg_app__entities_assertions_uniqueKey_0
-- statement
create or replace view "analytics_assertions"."staging_stg_app__entities_assertions_uniqueKey_0" as SELECT * FROM (SELECT id, COUNT(1) AS index_row_count FROM "staging"."stg_app__entities" GROUP BY id) AS data WHERE index_row_count > 1

-- failures venezuelawatch.analytics_assertions.staging_stg_app__entities_assertions_uniqueKey_0_failures
create or replace table "analytics_assertions"."staging_stg_app__entities_assertions_uniqueKey_0_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."staging_stg_app__entities_assertions_uniqueKey_0"

-- assertion
select count(*) as row_count from "analytics_assertions"."staging_stg_app__entities_assertions_uniqueKey_0"
