-- venezuelawatch.analytics_assertions.analytics_world_bank_assertions_rowConditions (assertion)
-- statement
create or replace view `venezuelawatch.analytics_assertions.analytics_world_bank_assertions_rowConditions` as 
SELECT
  'indicator_id IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.world_bank`
WHERE NOT (indicator_id IS NOT NULL)
UNION ALL
SELECT
  'date IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.world_bank`
WHERE NOT (date IS NOT NULL)
UNION ALL
SELECT
  'value IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.world_bank`
WHERE NOT (value IS NOT NULL)
UNION ALL
SELECT
  'country_code IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.world_bank`
WHERE NOT (country_code IS NOT NULL)

-- failures
create or replace table `venezuelawatch.analytics_assertions.analytics_world_bank_assertions_rowConditions_failures` as
select *, cast(@vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.analytics_world_bank_assertions_rowConditions`

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.analytics_world_bank_assertions_rowConditions`
