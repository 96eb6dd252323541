-- venezuelawatch.analytics_assertions.analytics_entities_assertions_rowConditions (assertion)
-- statement
create or replace view `venezuelawatch.analytics_assertions.analytics_entities_assertions_rowConditions` as 
SELECT
  'id IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.entities`
WHERE NOT (id IS NOT NULL)
UNION ALL
SELECT
  'name IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.entities`
WHERE NOT (name IS NOT NULL)

-- failures
create or replace table `venezuelawatch.analytics_assertions.analytics_entities_assertions_rowConditions_failures` as
select *, cast(@vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.analytics_entities_assertions_rowConditions`

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.analytics_entities_assertions_rowConditions`
