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

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.analytics_entities_assertions_rowConditions`
