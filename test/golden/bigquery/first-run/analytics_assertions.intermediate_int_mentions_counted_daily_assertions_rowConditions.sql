-- venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_rowConditions (assertion)
-- statement
create or replace view `venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_rowConditions` as 
SELECT
  'mention_count >= 0' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mentions_counted_daily`
WHERE NOT (mention_count >= 0)
UNION ALL
SELECT
  'event_id IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mentions_counted_daily`
WHERE NOT (event_id IS NOT NULL)
UNION ALL
SELECT
  'mention_date IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mentions_counted_daily`
WHERE NOT (mention_date IS NOT NULL)
UNION ALL
SELECT
  'mention_count IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mentions_counted_daily`
WHERE NOT (mention_count IS NOT NULL)

-- failures
create or replace table `venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_rowConditions_failures` as
select *, cast(@vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_rowConditions`

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_rowConditions`
