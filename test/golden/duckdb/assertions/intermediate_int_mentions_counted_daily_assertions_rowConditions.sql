-- venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_rowConditions
-- statement
create or replace view "analytics_assertions"."intermediate_int_mentions_counted_daily_assertions_rowConditions" as SELECT 'mention_count >= 0' AS failing_row_condition, * FROM "intermediate"."int_mentions_counted_daily" WHERE NOT (mention_count >= 0) UNION ALL SELECT 'event_id IS NOT NULL' AS failing_row_condition, * FROM "intermediate"."int_mentions_counted_daily" WHERE NOT (event_id IS NOT NULL) UNION ALL SELECT 'mention_date IS NOT NULL' AS failing_row_condition, * FROM "intermediate"."int_mentions_counted_daily" WHERE NOT (mention_date IS NOT NULL) UNION ALL SELECT 'mention_count IS NOT NULL' AS failing_row_condition, * FROM "intermediate"."int_mentions_counted_daily" WHERE NOT (mention_count IS NOT NULL)

-- failures venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_rowConditions_failures
create or replace table "analytics_assertions"."intermediate_int_mentions_counted_daily_assertions_rowConditions_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."intermediate_int_mentions_counted_daily_assertions_rowConditions"

-- assertion
select count(*) as row_count from "analytics_assertions"."intermediate_int_mentions_counted_daily_assertions_rowConditions"
