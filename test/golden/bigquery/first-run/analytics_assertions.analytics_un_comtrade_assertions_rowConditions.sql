-- venezuelawatch.analytics_assertions.analytics_un_comtrade_assertions_rowConditions (assertion)
-- statement
create or replace view `venezuelawatch.analytics_assertions.analytics_un_comtrade_assertions_rowConditions` as 
SELECT
  'trade_flow in (\'Import\', \'Export\', \'Re-export\', \'Re-import\')' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.un_comtrade`
WHERE NOT (trade_flow in ('Import', 'Export', 'Re-export', 'Re-import'))
UNION ALL
SELECT
  'period IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.un_comtrade`
WHERE NOT (period IS NOT NULL)
UNION ALL
SELECT
  'reporter_code IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.un_comtrade`
WHERE NOT (reporter_code IS NOT NULL)
UNION ALL
SELECT
  'partner_code IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.un_comtrade`
WHERE NOT (partner_code IS NOT NULL)
UNION ALL
SELECT
  'commodity_code IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.un_comtrade`
WHERE NOT (commodity_code IS NOT NULL)
UNION ALL
SELECT
  'trade_flow IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.un_comtrade`
WHERE NOT (trade_flow IS NOT NULL)
UNION ALL
SELECT
  'value_usd IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.un_comtrade`
WHERE NOT (value_usd IS NOT NULL)

-- failures
create or replace table `venezuelawatch.analytics_assertions.analytics_un_comtrade_assertions_rowConditions_failures` as
select *, cast(@vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.analytics_un_comtrade_assertions_rowConditions`

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.analytics_un_comtrade_assertions_rowConditions`
