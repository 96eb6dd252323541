-- venezuelawatch.analytics_assertions.staging_stg_app__entity_mentions_assertions_rowConditions (assertion)
-- statement
create or replace view `venezuelawatch.analytics_assertions.staging_stg_app__entity_mentions_assertions_rowConditions` as 
SELECT
  'id IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.staging.stg_app__entity_mentions`
WHERE NOT (id IS NOT NULL)
UNION ALL
SELECT
  'entity_id IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.staging.stg_app__entity_mentions`
WHERE NOT (entity_id IS NOT NULL)
UNION ALL
SELECT
  'event_id IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.staging.stg_app__entity_mentions`
WHERE NOT (event_id IS NOT NULL)
UNION ALL
SELECT
  'mentioned_at IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.staging.stg_app__entity_mentions`
WHERE NOT (mentioned_at IS NOT NULL)

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.staging_stg_app__entity_mentions_assertions_rowConditions`
