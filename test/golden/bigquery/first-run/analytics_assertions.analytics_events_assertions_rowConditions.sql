-- venezuelawatch.analytics_assertions.analytics_events_assertions_rowConditions (assertion)
-- statement
create or replace view `venezuelawatch.analytics_assertions.analytics_events_assertions_rowConditions` as 
SELECT
  'risk_score is null or risk_score between 0 and 100' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.events`
WHERE NOT (risk_score is null or risk_score between 0 and 100)
UNION ALL
SELECT
  'id IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.events`
WHERE NOT (id IS NOT NULL)
UNION ALL
SELECT
  'mentioned_at IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.events`
WHERE NOT (mentioned_at IS NOT NULL)
UNION ALL
SELECT
  'created_at IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.events`
WHERE NOT (created_at IS NOT NULL)

-- failures
create or replace table `venezuelawatch.analytics_assertions.analytics_events_assertions_rowConditions_failures` as
select *, cast(@vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.analytics_events_assertions_rowConditions`

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.analytics_events_assertions_rowConditions`
