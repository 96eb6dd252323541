-- venezuelawatch.analytics_assertions.analytics_events_assertions_rowConditions
-- statement
create or replace view "analytics_assertions"."analytics_events_assertions_rowConditions" as SELECT 'risk_score is null or risk_score between 0 and 100' AS failing_row_condition, * FROM "analytics"."events" WHERE NOT (risk_score IS NULL OR risk_score BETWEEN 0 AND 100) UNION ALL SELECT 'id IS NOT NULL' AS failing_row_condition, * FROM "analytics"."events" WHERE NOT (id IS NOT NULL) UNION ALL SELECT 'mentioned_at IS NOT NULL' AS failing_row_condition, * FROM "analytics"."events" WHERE NOT (mentioned_at IS NOT NULL) UNION ALL SELECT 'created_at IS NOT NULL' AS failing_row_condition, * FROM "analytics"."events" WHERE NOT (created_at IS NOT NULL)

-- failures venezuelawatch.analytics_assertions.analytics_events_assertions_rowConditions_failures
create or replace table "analytics_assertions"."analytics_events_assertions_rowConditions_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."analytics_events_assertions_rowConditions"

-- assertion
select count(*) as row_count from "analytics_assertions"."analytics_events_assertions_rowConditions"
