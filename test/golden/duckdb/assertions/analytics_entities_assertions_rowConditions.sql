-- venezuelawatch.analytics_assertions.analytics_entities_assertions_rowConditions
-- statement
create or replace view "analytics_assertions"."analytics_entities_assertions_rowConditions" as SELECT 'id IS NOT NULL' AS failing_row_condition, * FROM "analytics"."entities" WHERE NOT (id IS NOT NULL) UNION ALL SELECT 'name IS NOT NULL' AS failing_row_condition, * FROM "analytics"."entities" WHERE NOT (name IS NOT NULL)

-- failures venezuelawatch.analytics_assertions.analytics_entities_assertions_rowConditions_failures
create or replace table "analytics_assertions"."analytics_entities_assertions_rowConditions_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."analytics_entities_assertions_rowConditions"

-- assertion
select count(*) as row_count from "analytics_assertions"."analytics_entities_assertions_rowConditions"
