-- venezuelawatch.analytics_assertions.analytics_entity_risk_training_data_assertions_rowConditions (assertion)
-- statement
create or replace view `venezuelawatch.analytics_assertions.analytics_entity_risk_training_data_assertions_rowConditions` as 
SELECT
  'mentioned_at = timestamp_trunc(mentioned_at, day)' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.entity_risk_training_data`
WHERE NOT (mentioned_at = timestamp_trunc(mentioned_at, day))
UNION ALL
SELECT
  'entity_id IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.entity_risk_training_data`
WHERE NOT (entity_id IS NOT NULL)
UNION ALL
SELECT
  'mentioned_at IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.entity_risk_training_data`
WHERE NOT (mentioned_at IS NOT NULL)
UNION ALL
SELECT
  'risk_score IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.entity_risk_training_data`
WHERE NOT (risk_score IS NOT NULL)

-- failures
create or replace table `venezuelawatch.analytics_assertions.analytics_entity_risk_training_data_assertions_rowConditions_failures` as
select *, cast(@vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.analytics_entity_risk_training_data_assertions_rowConditions`

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.analytics_entity_risk_training_data_assertions_rowConditions`
