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

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.analytics_entity_risk_training_data_assertions_rowConditions`
